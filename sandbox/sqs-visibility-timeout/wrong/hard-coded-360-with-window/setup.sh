#!/usr/bin/env bash
set -euo pipefail
URL=$(aws sqs get-queue-url --queue-name reports --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)

# at least 6 x the 60 s function timeout. The timeout itself stays: a report takes ~40 s.
aws sqs set-queue-attributes --queue-url "$URL" --attributes VisibilityTimeout=360

aws lambda create-event-source-mapping --function-name report-builder \
  --event-source-arn "$QUEUE_ARN" --batch-size 10 --maximum-batching-window-in-seconds 60 > /dev/null
aws lambda list-event-source-mappings --function-name report-builder \
  --query 'EventSourceMappings[].[State,EventSourceArn]' --output text
