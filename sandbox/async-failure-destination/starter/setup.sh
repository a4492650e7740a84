#!/usr/bin/env bash
set -euo pipefail
# order-processor is invoked asynchronously (by S3). Today a corrupt order file fails three
# times and then disappears. Keep those events in the queue order-failures.
#
# Useful:
#   QUEUE_URL=$(aws sqs get-queue-url --queue-name order-failures --query QueueUrl --output text)
#   QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn --query Attributes.QueueArn --output text)
#
# TODO: destination, retries (2) and maximum event age (3600 s) for order-processor,
#       and the permission Lambda needs to deliver there.
