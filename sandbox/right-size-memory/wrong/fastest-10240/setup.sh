#!/usr/bin/env bash
set -euo pipefail
# "More memory is more CPU, so the maximum must be best."
aws lambda update-function-configuration --function-name resize-worker --memory-size 10240 > /dev/null
aws lambda wait function-updated-v2 --function-name resize-worker
