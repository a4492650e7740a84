#!/usr/bin/env bash
set -euo pipefail
# "Reserve 10 for checkout-api so it always has capacity."
aws lambda put-function-concurrency --function-name checkout-api \
  --reserved-concurrent-executions 10 > /dev/null
