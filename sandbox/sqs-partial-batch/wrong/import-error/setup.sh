#!/usr/bin/env bash
set -euo pipefail
zip -q function.zip app.py
aws lambda update-function-code --function-name payments-worker --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name payments-worker

URL=$(aws sqs get-queue-url --queue-name payments --query QueueUrl --output text)
DLQ_URL=$(aws sqs get-queue-url --queue-name payments-dlq --query QueueUrl --output text)
DLQ_ARN=$(aws sqs get-queue-attributes --queue-url "$DLQ_URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

# The DLQ belongs to the source queue (R-4.2); 6 x the 30 s function timeout (R-4.3).
cat > queue-attributes.json <<JSON
{
  "RedrivePolicy": "{\"deadLetterTargetArn\":\"$DLQ_ARN\",\"maxReceiveCount\":\"3\"}",
  "VisibilityTimeout": "180"
}
JSON
aws sqs set-queue-attributes --queue-url "$URL" --attributes file://queue-attributes.json

UUID=$(aws lambda list-event-source-mappings --function-name payments-worker \
  --query 'EventSourceMappings[0].UUID' --output text)
aws lambda update-event-source-mapping --uuid "$UUID" \
  --function-response-types ReportBatchItemFailures > /dev/null
