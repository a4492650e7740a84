"""orders-reader: show one order and how many orders its customer has placed."""

import os

import boto3

DYNAMODB = boto3.client("dynamodb")
TABLE = os.environ["ORDERS_TABLE"]


def lambda_handler(event, context):
    customer, order = event["customerId"], event["orderId"]
    item = DYNAMODB.get_item(
        TableName=TABLE,
        Key={"customerId": {"S": customer}, "orderId": {"S": order}},
    ).get("Item")
    history = DYNAMODB.query(
        TableName=TABLE,
        KeyConditionExpression="customerId = :c",
        ExpressionAttributeValues={":c": {"S": customer}},
        Select="COUNT",
    )
    return {
        "orderId": order,
        "found": item is not None,
        "status": item["status"]["S"] if item else None,
        "customer_orders": history["Count"],
    }
