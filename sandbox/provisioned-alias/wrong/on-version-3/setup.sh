#!/usr/bin/env bash
set -euo pipefail
# "live points at version 3, so warm version 3."
aws lambda put-provisioned-concurrency-config --function-name checkout-api \
  --qualifier 3 --provisioned-concurrent-executions 10 > /dev/null
