#!/usr/bin/env bash
set -euo pipefail
# Try both invocation types by hand first:
#   labtui aws lambda invoke --function-name orders-api \
#     --cli-binary-format raw-in-base64-out --payload '{"order_id": "o-1", "fail": true}' out.json
#   labtui aws lambda invoke --function-name orders-api --invocation-type Event \
#     --cli-binary-format raw-in-base64-out --payload '{"order_id": "o-1", "fail": true}' out.json
#
# TODO: configure orders-api's asynchronous retries (1) and maximum event age (900 s).
