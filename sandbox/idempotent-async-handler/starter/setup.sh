#!/usr/bin/env bash
# Your commands for idempotent-async-handler. `labtui check idempotent-async-handler` runs
# this file against a fresh sandbox account, then delivers duplicate events to
# notify-customer and counts the messages it sends and the items it records.
set -euo pipefail

# 1. Edit app.py: record each event's id in the processed-events table with a conditional
#    write BEFORE sending; a duplicate (the write's condition fails) is already done.
# 2. Let notify-customer-role write to processed-events (dynamodb:PutItem on its ARN):
# TABLE_ARN=$(aws dynamodb describe-table --table-name processed-events \
#   --query Table.TableArn --output text)
# aws iam put-role-policy --role-name notify-customer-role --policy-name ... \
#   --policy-document ...

# 3. Deploy your code:
zip -q function.zip app.py
aws lambda update-function-code --function-name notify-customer \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name notify-customer
