"""orders-api: validate an order and queue it for order-worker.

TODO (stage 1): this is version 1, which raises on a bad order. Answer a bad order with
{"statusCode": 400, ...} instead, and queue only good ones.
"""

import json
import os

import boto3

SQS = boto3.client("sqs")


def lambda_handler(event, context):
    body = event.get("body", event)
    order = json.loads(body) if isinstance(body, str) else body
    print(f"order {order['orderId']} for {order['customerId']}: {len(order['items'])} item(s)")
    # (a bad order raises above: KeyError, TypeError or JSONDecodeError)
    url = SQS.get_queue_url(QueueName=os.environ.get("QUEUE_NAME", "orders-queue"))["QueueUrl"]
    SQS.send_message(QueueUrl=url, MessageBody=json.dumps(order))
    return {"statusCode": 202, "body": json.dumps({"accepted": order["orderId"]})}
