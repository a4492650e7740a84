#!/usr/bin/env bash
set -euo pipefail

# The role may record processed events (and nothing else on the table).
TABLE_ARN=$(aws dynamodb describe-table --table-name processed-events \
  --query Table.TableArn --output text)
cat > record-events.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "$TABLE_ARN"}
  ]
}
JSON
aws iam put-role-policy --role-name notify-customer-role --policy-name record-processed-events \
  --policy-document file://record-events.json

# The handler claims each event id with a conditional put before it sends.
zip -q function.zip app.py
aws lambda update-function-code --function-name notify-customer \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name notify-customer
