#!/usr/bin/env bash
set -euo pipefail
# Shard 1 of clickstream is stuck behind one malformed record. Unblock it without losing
# the good records behind it.
#
# Useful:
#   UUID=$(aws lambda list-event-source-mappings --function-name click-aggregator --query 'EventSourceMappings[0].UUID' --output text)
#   aws lambda get-event-source-mapping --uuid "$UUID"
#   QUEUE_URL=$(aws sqs get-queue-url --queue-name click-failures --query QueueUrl --output text)
#   QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn --query Attributes.QueueArn --output text)
#
# TODO
