"""order-worker as first written: one row per message, credentials from the environment."""

import json
import os

import boto3
import orders_db

LAMBDA = boto3.client("lambda")


def lambda_handler(event, context):
    db = orders_db.connect({"host": os.environ["DB_HOST"], "port": "5432",
                            "username": os.environ["DB_USER"],
                            "password": os.environ["DB_PASSWORD"]})
    for record in event["Records"]:
        order = json.loads(record["body"])
        order["items"] = [{"sku": i["sku"], "qty": int(i["qty"])} for i in order["items"]]
        # (a bad message raises here and fails the whole batch)
        db.insert_order(order)
        LAMBDA.invoke(FunctionName="order-notifier", InvocationType="Event",
                      Payload=json.dumps(order))
