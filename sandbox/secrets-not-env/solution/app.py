"""billing-sync: copy new invoices to the billing database."""

import json
import os

import boto3

import billing_db

# Init: fetch the credentials once per execution environment and keep them in memory.
# Warm calls reuse them; only a new environment asks Secrets Manager again.
_secrets = boto3.client("secretsmanager")
CREDENTIALS = json.loads(
    _secrets.get_secret_value(SecretId=os.environ["SECRET_ID"])["SecretString"]
)


def lambda_handler(event, context):
    connection = billing_db.connect(
        CREDENTIALS["host"], CREDENTIALS["username"], CREDENTIALS["password"]
    )
    synced = connection.sync_invoices(event.get("since", "today"))
    return {"synced": synced, "db_user": connection.user}
