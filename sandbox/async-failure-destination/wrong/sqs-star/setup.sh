#!/usr/bin/env bash
set -euo pipefail
QUEUE_URL=$(aws sqs get-queue-url --queue-name order-failures --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

# Lambda delivers the record with the execution role: allow exactly that queue.
sed "s|QUEUE_ARN|$QUEUE_ARN|" send-policy.json > policy.json
aws iam put-role-policy --role-name order-processor-role \
  --policy-name send-to-order-failures --policy-document file://policy.json

aws lambda put-function-event-invoke-config --function-name order-processor \
  --maximum-retry-attempts 2 --maximum-event-age-in-seconds 3600 \
  --destination-config "{\"OnFailure\": {\"Destination\": \"$QUEUE_ARN\"}}" > /dev/null
