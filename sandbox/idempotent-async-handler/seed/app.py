"""notify-customer: tell a customer that their order has shipped.

It runs asynchronously (an "OrderShipped" event). Every call sends one message to the
customer-notifications queue, which a mailer turns into an e-mail.
"""

import json
import os

import boto3

SQS = boto3.client("sqs")
QUEUE_URL = SQS.get_queue_url(QueueName=os.environ["NOTIFY_QUEUE"])["QueueUrl"]


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
    send_notification(event)
    return {"eventId": event["eventId"], "sent": True}
