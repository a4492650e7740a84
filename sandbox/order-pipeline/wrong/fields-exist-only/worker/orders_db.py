"""A stand-in for the PostgreSQL client that order-worker uses to reach orders-db.

The sandbox has no PostgreSQL server, so in this lab the orders table of orders-db is the
DynamoDB table named orders-db (one item per row, keyed by orderId). The connection still
insists on the credentials from the secret prod/orders/db, like the real driver would.
Inserting the same order twice writes the same row (an upsert), never a second one.
"""

import json

import boto3

REQUIRED = ("host", "port", "username", "password")


class Connection:
    def __init__(self, credentials):
        missing = [key for key in REQUIRED if not credentials.get(key)]
        if missing:
            raise ConnectionError(f"orders-db refused the connection: no {', '.join(missing)}")
        self.host = credentials["host"]
        self._dynamodb = boto3.client("dynamodb")

    def insert_order(self, order):
        self._dynamodb.put_item(
            TableName="orders-db",
            Item={
                "orderId": {"S": order["orderId"]},
                "customerId": {"S": order["customerId"]},
                "items": {"S": json.dumps(order["items"])},
            },
        )


def connect(credentials):
    """Open a connection with a dict holding host, port, username and password."""
    return Connection(credentials)
