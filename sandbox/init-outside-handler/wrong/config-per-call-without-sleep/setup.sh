#!/usr/bin/env bash
set -euo pipefail

# app.py now builds the client and loads the configuration at module level (Init),
# once per execution environment; the handler only parses the event and does the lookup.
zip -q function.zip app.py config.json
aws lambda update-function-code --function-name orders-lookup \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name orders-lookup
