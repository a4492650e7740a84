#!/usr/bin/env bash
set -euo pipefail
# Reserved concurrency is a cap (and a guarantee) for the whole function.
aws lambda put-function-concurrency --function-name report-writer \
  --reserved-concurrent-executions 50 > /dev/null
aws lambda get-function-concurrency --function-name report-writer
