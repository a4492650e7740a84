#!/usr/bin/env bash
set -euo pipefail
# "report-writer looks idle; free its 50 so the pool has more room, then give search-indexer 150."
aws lambda delete-function-concurrency --function-name report-writer
aws lambda put-function-concurrency --function-name search-indexer \
  --reserved-concurrent-executions 150 > /dev/null
