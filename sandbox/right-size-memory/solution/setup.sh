#!/usr/bin/env bash
set -euo pipefail
# Under 300 ms: 1769 MB (240 ms) and 3008 MB (230 ms). GB-s per call: 1.7275 x 0.240 = 0.4146
# against 2.9375 x 0.230 = 0.6756, so 1769 MB is the cheapest that meets the target.
aws lambda update-function-configuration --function-name resize-worker --memory-size 1769 > /dev/null
aws lambda wait function-updated-v2 --function-name resize-worker
