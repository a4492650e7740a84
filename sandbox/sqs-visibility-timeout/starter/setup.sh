#!/usr/bin/env bash
set -euo pipefail
# report-builder (timeout 60 s) should consume the queue reports, but creating the event
# source mapping failed: the queue's visibility timeout is only 30 s.
#
# Look first:
#   labtui aws sqs get-queue-attributes --queue-url "$URL" --attribute-names VisibilityTimeout
#   labtui aws lambda get-function-configuration --function-name report-builder --query Timeout
#
# Useful values:
# URL=$(aws sqs get-queue-url --queue-name reports --query QueueUrl --output text)
# QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$URL" --attribute-names QueueArn --query Attributes.QueueArn --output text)
#
# TODO: size the queue, then create the mapping (batch size 10).
