"""billing-sync: copy new invoices to the billing database."""

import base64
import os

import boto3

import billing_db

# The password stays in the environment, but encrypted with our own KMS key.
_kms = boto3.client("kms")
PASSWORD = _kms.decrypt(
    CiphertextBlob=base64.b64decode(os.environ["DB_PASSWORD_ENCRYPTED"])
)["Plaintext"].decode()


def lambda_handler(event, context):
    connection = billing_db.connect(os.environ["DB_HOST"], os.environ["DB_USER"], PASSWORD)
    synced = connection.sync_invoices(event.get("since", "today"))
    return {"synced": synced, "db_user": connection.user}
