"""billing-sync: copy new invoices to the billing database."""

import json
import os

import boto3

import billing_db

_secrets = boto3.client("secretsmanager")


def lambda_handler(event, context):
    # Always the freshest value... and one Secrets Manager request per invocation.
    credentials = json.loads(
        _secrets.get_secret_value(SecretId=os.environ["SECRET_ID"])["SecretString"]
    )
    connection = billing_db.connect(
        credentials["host"], credentials["username"], credentials["password"]
    )
    synced = connection.sync_invoices(event.get("since", "today"))
    return {"synced": synced, "db_user": connection.user}
