#!/usr/bin/env bash
set -euo pipefail
# "The mapping failed because 30 s is shorter than the 60 s timeout, so make them equal."
URL=$(aws sqs get-queue-url --queue-name reports --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)
aws sqs set-queue-attributes --queue-url "$URL" --attributes VisibilityTimeout=60
aws lambda create-event-source-mapping --function-name report-builder \
  --event-source-arn "$QUEUE_ARN" --batch-size 10 > /dev/null
