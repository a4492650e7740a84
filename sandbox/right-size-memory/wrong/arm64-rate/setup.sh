#!/usr/bin/env bash
set -euo pipefail
aws lambda update-function-configuration --function-name resize-worker --memory-size 1769 > /dev/null
aws lambda wait function-updated-v2 --function-name resize-worker
