"""Generated test cases for behaviour checks (design.md §7: grading that cannot be gamed).

A check never sends the same payments, orders or records twice in a row: it draws them
from ``ctx.cases(name)``, a :class:`random.Random` seeded by the grading run's seed, the
exercise and the check. A handler written to pass one example (``if payment_id == "p-7"``)
fails the next run; the seed printed with the result replays a failure exactly
(``labtui check ID --seed N``). These helpers keep the shapes in one place so that every
pack draws ids, amounts and poison positions the same way.
"""

from __future__ import annotations

import random
import string

# Values a learner may meet where a number belongs; none of them parses with float()
# (so no "nan", "inf" or "1e3"): the handler must treat each one as a bad record.
NOT_A_NUMBER = ("twelve", "12,50", "", "n/a", "€12", "12.5.0", "ten euros", "--", "12 50")


def unique_ids(rng: random.Random, prefix: str, count: int, digits: int = 5) -> list[str]:
    """``count`` distinct ids like ``p-48213``: never a small number an example might use."""
    low, high = 10 ** (digits - 1), 10**digits - 1
    numbers = rng.sample(range(low, high), count)
    return [f"{prefix}{n}" for n in numbers]


def amount(rng: random.Random, low: float = 0.5, high: float = 2_000.0) -> str:
    """A money amount as the text a payment message carries, e.g. ``"318.07"``."""
    return f"{rng.uniform(low, high):.2f}"


def positions(rng: random.Random, size: int, count: int) -> list[int]:
    """``count`` distinct positions in ``range(size)``, sorted (where poison records go)."""
    return sorted(rng.sample(range(size), count))


def word(rng: random.Random, length: int = 6) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(length))
