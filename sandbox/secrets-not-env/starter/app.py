"""billing-sync: copy new invoices to the billing database."""

import os

import billing_db


def lambda_handler(event, context):
    connection = billing_db.connect(
        os.environ["DB_HOST"], os.environ["DB_USER"], os.environ["DB_PASSWORD"]
    )
    synced = connection.sync_invoices(event.get("since", "today"))
    return {"synced": synced, "db_user": connection.user}
