#!/usr/bin/env bash
set -euo pipefail
# Limit 1,000; already reserved 400 + 300 + 50 = 750; at least 100 must stay unreserved
# so search-indexer can have at most 1,000 - 100 - 750 = 150.
aws lambda put-function-concurrency --function-name search-indexer \
  --reserved-concurrent-executions 150 > /dev/null
aws lambda get-account-settings --query AccountLimit.UnreservedConcurrentExecutions
