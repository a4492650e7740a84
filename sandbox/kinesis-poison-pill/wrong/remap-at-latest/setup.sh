#!/usr/bin/env bash
set -euo pipefail
UUID=$(aws lambda list-event-source-mappings --function-name click-aggregator \
  --query 'EventSourceMappings[0].UUID' --output text)
QUEUE_URL=$(aws sqs get-queue-url --queue-name click-failures --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)
STREAM_ARN=$(aws kinesis describe-stream-summary --stream-name clickstream \
  --query StreamDescriptionSummary.StreamARN --output text)
cat > policy.json <<JSON
{"Version": "2012-10-17",
 "Statement": [{"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": "$QUEUE_ARN"}]}
JSON
aws iam put-role-policy --role-name click-aggregator-role \
  --policy-name send-to-click-failures --policy-document file://policy.json
# "Start fresh": delete the stuck mapping and create a new one at LATEST.
aws lambda delete-event-source-mapping --uuid "$UUID" > /dev/null
aws lambda create-event-source-mapping --function-name click-aggregator \
  --event-source-arn "$STREAM_ARN" --starting-position LATEST \
  --bisect-batch-on-function-error --maximum-retry-attempts 2 \
  --maximum-record-age-in-seconds 3600 \
  --destination-config "{\"OnFailure\": {\"Destination\": \"$QUEUE_ARN\"}}" > /dev/null
