#!/usr/bin/env bash
set -euo pipefail
UUID=$(aws lambda list-event-source-mappings --function-name click-aggregator \
  --query 'EventSourceMappings[0].UUID' --output text)
QUEUE_URL=$(aws sqs get-queue-url --queue-name click-failures --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

# The execution role delivers the on-failure record (R-4.13).
cat > policy.json <<JSON
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "$QUEUE_ARN"}]}
JSON
aws iam put-role-policy --role-name click-aggregator-role \
  --policy-name send-to-click-failures --policy-document file://policy.json

# Bisect isolates the poison record; the limits let the shard move past it (R-4.10, R-4.11).
aws lambda update-event-source-mapping --uuid "$UUID" \
  --bisect-batch-on-function-error \
  --maximum-retry-attempts 2 \
  --maximum-record-age-in-seconds 3600 \
  --destination-config "{\"OnFailure\": {\"Destination\": \"$QUEUE_ARN\"}}" > /dev/null

zip -q function.zip app.py
aws lambda update-function-code --function-name click-aggregator --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name click-aggregator
