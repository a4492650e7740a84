#!/usr/bin/env bash
set -euo pipefail
# Provisioned concurrency needs a version or alias, so publish one first.
VER=$(aws lambda publish-version --function-name report-writer --query Version --output text)
aws lambda put-provisioned-concurrency-config --function-name report-writer \
  --qualifier "$VER" --provisioned-concurrent-executions 50 > /dev/null
