"""payments-worker: charge each payment in an SQS batch.

A payment message looks like {"payment_id": "p-1", "amount": "12.50"}. A message whose
amount is not a number is a poison message: charging it raises ValueError.
"""

import json


def charge(payment):
    amount = float(payment["amount"])  # raises ValueError on a poison message
    print(f"charged {payment['payment_id']}: {amount:.2f}")


def lambda_handler(event, context):
    for record in event["Records"]:
        charge(json.loads(record["body"]))


    return {"batchItemFailures": []}
