#!/usr/bin/env bash
set -euo pipefail
aws lambda put-function-concurrency --function-name report-writer \
  --reserved-concurrent-executions 0 > /dev/null
