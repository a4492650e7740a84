"""orders-lookup: return one order with its gross total, in the shop's currency."""

import json
import os
import time

import boto3


def load_config():
    # Stands in for fetching settings from a configuration service: slow, and the
    # answer is the same on every call.
    time.sleep(0.4)
    with open(os.path.join(os.path.dirname(__file__), "config.json")) as source:
        return json.load(source)


# Init: runs once when Lambda starts this execution environment (a cold start).
# Every warm call afterwards reuses the configuration and the client (and its connections).
CONFIG = load_config()
DYNAMODB = boto3.client("dynamodb")


def lambda_handler(event, context):
    # Per request: only what depends on the event.
    order_id = event["orderId"]
    item = DYNAMODB.get_item(
        TableName=CONFIG["table"], Key={"orderId": {"S": order_id}}
    ).get("Item")
    if item is None:
        return {"orderId": order_id, "found": False}
    net = int(item["net_cents"]["N"])
    return {
        "orderId": order_id,
        "found": True,
        "currency": CONFIG["currency"],
        "gross_cents": net + net * CONFIG["vat_percent"] // 100,
    }
