"""billing-sync: copy new invoices to the billing database."""

import billing_db

# "Out of the environment": the credentials now live in the code itself.
CREDENTIALS = {"host": "billing-db.internal", "username": "billing_sync",
               "password": "Bl-7mqP2-vX9s-Q4za"}


def lambda_handler(event, context):
    connection = billing_db.connect(
        CREDENTIALS["host"], CREDENTIALS["username"], CREDENTIALS["password"]
    )
    synced = connection.sync_invoices(event.get("since", "today"))
    return {"synced": synced, "db_user": connection.user}
