#!/usr/bin/env bash
set -euo pipefail
PAYLOAD='{"order_id": "o-1", "fail": true}'
aws lambda invoke --function-name orders-api --cli-binary-format raw-in-base64-out \
  --payload "$PAYLOAD" sync.json
aws lambda invoke --function-name orders-api --invocation-type Event \
  --cli-binary-format raw-in-base64-out --payload "$PAYLOAD" async.json

# One retry (two runs in all), and give up on events older than 15 minutes.
aws lambda put-function-event-invoke-config --function-name orders-api \
  --maximum-retry-attempts 2 --maximum-event-age-in-seconds 900 > /dev/null
