import payments_sdk  # not in the deployment package

"""payments-worker: charge each payment in an SQS batch, reporting only the failures.

A payment message looks like {"payment_id": "p-1", "amount": "12.50"}. A message whose
amount is not a number is a poison message: charging it raises ValueError.
"""

import json


def charge(payment):
    amount = float(payment["amount"])  # raises ValueError on a poison message
    print(f"charged {payment['payment_id']}: {amount:.2f}")


def lambda_handler(event, context):
    failures = []
    for record in event["Records"]:
        try:
            charge(json.loads(record["body"]))
        except (ValueError, KeyError) as error:
            print(f"cannot charge message {record['messageId']}: {error}")
            failures.append({"itemIdentifier": record["messageId"]})
    # Only the listed messages go back to the queue; the rest are deleted.
    return {"batchItemFailures": failures}
