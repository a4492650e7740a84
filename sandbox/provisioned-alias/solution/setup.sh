#!/usr/bin/env bash
set -euo pipefail
# on the alias, so the warm environments follow live to each new version.
aws lambda put-provisioned-concurrency-config --function-name checkout-api \
  --qualifier live --provisioned-concurrent-executions 10 > /dev/null
aws lambda get-provisioned-concurrency-config --function-name checkout-api --qualifier live \
  --query '[Status,AllocatedProvisionedConcurrentExecutions]' --output text
