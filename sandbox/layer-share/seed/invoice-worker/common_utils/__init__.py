"""common_utils, the copy vendored into invoice-worker (an old one)."""

VERSION = "1.0"


def format_cents(cents, currency):
    return f"{cents // 100}.{cents % 100} {currency}"
