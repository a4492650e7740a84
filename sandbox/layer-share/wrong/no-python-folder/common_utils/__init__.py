"""common_utils: helpers shared by the shop's functions (the maintained copy)."""

VERSION = "1.1"


def format_cents(cents, currency):
    """1005, "EUR" -> "10.05 EUR" (1.0 printed "10.5 EUR")."""
    return f"{cents // 100}.{cents % 100:02d} {currency}"
