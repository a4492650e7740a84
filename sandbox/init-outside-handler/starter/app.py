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


def lambda_handler(event, context):
    config = load_config()
    dynamodb = boto3.client("dynamodb")
    order_id = event["orderId"]
    item = dynamodb.get_item(
        TableName=config["table"], Key={"orderId": {"S": order_id}}
    ).get("Item")
    if item is None:
        return {"orderId": order_id, "found": False}
    net = int(item["net_cents"]["N"])
    return {
        "orderId": order_id,
        "found": True,
        "currency": config["currency"],
        "gross_cents": net + net * config["vat_percent"] // 100,
    }
