#!/usr/bin/env bash
set -euo pipefail
# Deploy your handler (keep these two lines: they upload app.py as it is now).
zip -q function.zip app.py
aws lambda update-function-code --function-name payments-worker --zip-file fileb://function.zip > /dev/null

# Useful values:
# URL=$(aws sqs get-queue-url --queue-name payments --query QueueUrl --output text)
# DLQ_ARN=$(aws sqs get-queue-attributes --queue-url "$(aws sqs get-queue-url --queue-name payments-dlq --query QueueUrl --output text)" --attribute-names QueueArn --query Attributes.QueueArn --output text)
# UUID=$(aws lambda list-event-source-mappings --function-name payments-worker --query 'EventSourceMappings[0].UUID' --output text)

# TODO: the queue's redrive policy and visibility timeout, and the mapping's response types.
