"""Stage 1 of order-pipeline: the orders sent to orders-api, generated from the grading seed.

Good orders have new ids, customers and items on every run; bad ones are drawn from the
kinds the README names (a missing field, a wrong type, a body that is not JSON), one of
each per run, in a random order, so an API that only checks that fields exist, or that
knows the example, fails.
"""

from __future__ import annotations

import json
from typing import Any

from labtui.grading import cases
from labtui.grading.context import GradingContext


def generate(ctx: GradingContext, tag: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Generated good orders, and bad ones with what is wrong with each: at least one
    missing field, one wrong type and one body that is not JSON on every run."""
    rng = ctx.cases("stage 1 orders")

    def items() -> list[dict[str, Any]]:
        return [{"sku": f"{cases.word(rng, 4)}-{rng.randint(1, 99)}", "qty": rng.randint(1, 9)}
                for _ in range(rng.randint(1, 4))]

    def document(n: int) -> dict[str, Any]:
        return {"orderId": f"o-api-{tag}-{n}", "customerId": f"c-{rng.randint(1, 9999)}",
                "items": items()}

    good = [json.dumps(document(n)) for n in range(1, rng.randint(2, 3) + 1)]
    bad: list[tuple[str, str]] = []
    missing = document(10)
    field = rng.choice(["orderId", "customerId", "items"])
    del missing[field]
    bad.append((json.dumps(missing), f"no {field}"))
    wrong = document(11)
    kind = rng.choice(["qty text", "qty zero", "qty negative", "qty fraction", "qty null",
                       "sku number", "items object", "items text"])
    if kind.startswith("qty"):
        value = {"qty text": rng.choice(["lots", "2", "two", ""]), "qty zero": 0,
                 "qty negative": -rng.randint(1, 5), "qty fraction": rng.randint(1, 4) + 0.5,
                 "qty null": None}[kind]
        wrong["items"][rng.randrange(len(wrong["items"]))]["qty"] = value
    elif kind == "sku number":
        wrong["items"][0]["sku"] = rng.randint(1, 999)
    elif kind == "items object":
        wrong["items"] = wrong["items"][0]
    else:
        wrong["items"] = "lamp x2"
    bad.append((json.dumps(wrong), kind.replace("qty", "a qty that is").replace(
        "items", "items as").replace("sku number", "a sku that is a number")))
    not_json = rng.choice([f"order {rng.randint(2, 999)} please", "<order/>",
                           json.dumps(document(12))[:-1], "", "orderId=o-1&qty=2"])
    bad.append((not_json, "a body that is not JSON"))
    rng.shuffle(bad)
    return good, bad


def shown(body: str) -> str:
    return repr(body if len(body) <= 90 else body[:87] + "...")


def is_json(body: str) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False
