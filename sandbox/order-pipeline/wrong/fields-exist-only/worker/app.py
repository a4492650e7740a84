"""order-worker: each queued order becomes one row in orders-db and one notification.

* Credentials come from the secret named by SECRET_ID, fetched once per environment.
* A bad message is reported in batchItemFailures; the rest of the batch is deleted (R-4.4)
  and the queue's redrive policy parks the bad one in orders-dlq after 3 receives (R-4.2).
* A repeated order (SQS delivers at least once) is claimed in processed-events with a
  conditional put; only the first claim notifies (R-12.1).
"""

import json
import os

import boto3
from botocore.exceptions import ClientError

import orders_db

SECRETS = boto3.client("secretsmanager")
DYNAMODB = boto3.client("dynamodb")
LAMBDA = boto3.client("lambda")
_connection = None


def database():
    global _connection
    if _connection is None:
        secret = SECRETS.get_secret_value(SecretId=os.environ["SECRET_ID"])
        _connection = orders_db.connect(json.loads(secret["SecretString"]))
    return _connection


def parse_order(body):
    order = json.loads(body)  # a body that is not JSON raises ValueError
    items = [{"sku": str(item["sku"]), "qty": int(item["qty"])}  # "lots" raises
             for item in order["items"]]
    if not items or any(item["qty"] < 1 for item in items):
        raise ValueError("an order needs items with a quantity from 1")
    return {"orderId": str(order["orderId"]), "customerId": str(order["customerId"]),
            "items": items}


def first_time(order_id):
    try:
        DYNAMODB.put_item(
            TableName="processed-events",
            Item={"eventId": {"S": order_id}},
            ConditionExpression="attribute_not_exists(eventId)",
        )
        return True
    except ClientError as error:
        if error.response["Error"]["Code"] == "ConditionalCheckFailedException":
            return False
        raise


def process(body):
    order = parse_order(body)
    database().insert_order(order)
    if first_time(order["orderId"]):
        LAMBDA.invoke(FunctionName="order-notifier", InvocationType="Event",
                      Payload=json.dumps(order))
    else:
        print(f"order {order['orderId']} was already notified; skipping the duplicate")


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            process(record["body"])
        except (ValueError, KeyError, TypeError) as error:
            print(f"cannot process message {record['messageId']}: {error!r}")
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
