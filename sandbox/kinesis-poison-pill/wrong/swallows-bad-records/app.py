import base64
import json


def lambda_handler(event, context):
    counts = {}
    for record in event["Records"]:
        try:
            click = json.loads(base64.b64decode(record["kinesis"]["data"]))
            counts[click["page"]] = counts.get(click["page"], 0) + 1
        except Exception:
            pass  # "never let one bad record block the shard"
    print(json.dumps(counts))
