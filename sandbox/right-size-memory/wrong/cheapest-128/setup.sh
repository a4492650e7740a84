#!/usr/bin/env bash
set -euo pipefail
# "The smallest memory has the lowest price per ms, so keep 128 MB."
aws lambda get-function-configuration --function-name resize-worker --query MemorySize
