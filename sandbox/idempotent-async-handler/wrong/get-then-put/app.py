"""notify-customer: tell a customer that their order has shipped, once per event."""

import json
import os

import boto3

SQS = boto3.client("sqs")
QUEUE_URL = SQS.get_queue_url(QueueName=os.environ["NOTIFY_QUEUE"])["QueueUrl"]
DYNAMODB = boto3.client("dynamodb")
TABLE = os.environ["PROCESSED_TABLE"]


def send_notification(event):
    SQS.send_message(
        QueueUrl=QUEUE_URL,
        MessageBody=json.dumps({
            "eventId": event["eventId"],
            "to": event["customer"],
            "text": f"Your order {event['orderId']} has shipped.",
        }),
    )


def lambda_handler(event, context):
    key = {"eventId": {"S": event["eventId"]}}
    # Look first, then write: two copies arriving together both find nothing.
    if "Item" in DYNAMODB.get_item(TableName=TABLE, Key=key):
        return {"eventId": event["eventId"], "sent": False, "duplicate": True}
    DYNAMODB.put_item(TableName=TABLE, Item=key)
    send_notification(event)
    return {"eventId": event["eventId"], "sent": True}
