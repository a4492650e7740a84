#!/usr/bin/env bash
set -euo pipefail
# orders-db accepts 60 connections, so reserve 60.
aws lambda put-function-concurrency --function-name report-writer \
  --reserved-concurrent-executions 60 > /dev/null
aws lambda get-function-concurrency --function-name report-writer
