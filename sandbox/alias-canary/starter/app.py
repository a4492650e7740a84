"""checkout, release 6: totals now include a 10% discount code."""

RELEASE = "6"


def lambda_handler(event, context):
    total = sum(item["price"] * item["qty"] for item in event.get("items", []))
    if event.get("discount_code") == "TEN":
        total *= 0.9
    return {"release": RELEASE, "total": round(total, 2)}
