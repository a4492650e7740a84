"""notify-customer: tell a customer that their order has shipped, once per event."""

import json
import os
import time

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
    # The key is "when we processed it" (to the second), not something from the event.
    processed_at = str(int(time.time()))
    try:
        DYNAMODB.put_item(
            TableName=TABLE,
            Item={"eventId": {"S": processed_at}, "sourceEvent": {"S": event["eventId"]}},
            ConditionExpression="attribute_not_exists(eventId)",
        )
    except DYNAMODB.exceptions.ConditionalCheckFailedException:
        return {"eventId": event["eventId"], "sent": False, "duplicate": True}
    send_notification(event)
    return {"eventId": event["eventId"], "sent": True}
