"""notify-customer: tell a customer that their order has shipped, once per event.

Asynchronous delivery is at least once: the same event can arrive twice, later or at the
same moment. The event's own id is claimed in processed-events with a conditional put;
only the call whose put succeeds sends the message.
"""

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
    try:
        # DynamoDB decides atomically: only the first put of this eventId succeeds.
        DYNAMODB.put_item(
            TableName=TABLE,
            Item={"eventId": {"S": event["orderId"]}},  # "one notification per order"
            ConditionExpression="attribute_not_exists(eventId)",
        )
    except DYNAMODB.exceptions.ConditionalCheckFailedException:
        # Someone already claimed this event: it is done, not an error.
        return {"eventId": event["eventId"], "sent": False, "duplicate": True}
    # Any other error propagates, so Lambda retries the event.
    send_notification(event)
    return {"eventId": event["eventId"], "sent": True}
