"""orders-api: validate an order sent to the function URL and queue it for order-worker.

A caller that sends a bad order gets a 400 it can act on. Raising instead would give a
synchronous caller a 200 with FunctionError: Unhandled, and Lambda never retries a
synchronous call anyway: the caller decides (R-2.1).
"""

import json
import os

import boto3

SQS = boto3.client("sqs")
QUEUE_URL = SQS.get_queue_url(QueueName=os.environ.get("QUEUE_NAME", "orders-queue"))["QueueUrl"]


def parse_order(event):
    body = event.get("body", event) if isinstance(event, dict) else event
    order = json.loads(body) if isinstance(body, str) else body
    if not isinstance(order, dict):
        raise ValueError("an order is a JSON object")
    missing = [name for name in ("orderId", "customerId", "items") if not order.get(name)]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    return {"orderId": str(order["orderId"]), "customerId": str(order["customerId"]),
            "items": order["items"]}  # "the fields are there, so the order is fine"


def respond(status, document):
    return {"statusCode": status, "headers": {"Content-Type": "application/json"},
            "body": json.dumps(document)}


def lambda_handler(event, context):
    try:
        order = parse_order(event)
    except ValueError as error:  # json.JSONDecodeError is a ValueError too
        return respond(400, {"error": str(error)})
    SQS.send_message(QueueUrl=QUEUE_URL, MessageBody=json.dumps(order))
    return respond(202, {"accepted": order["orderId"]})
