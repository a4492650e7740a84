#!/usr/bin/env bash
# Your commands for init-outside-handler. `labtui check init-outside-handler` runs this
# file against a fresh sandbox account (orders-lookup already exists, running the code you
# see in app.py), then calls orders-lookup a dozen or more times in one execution environment.
set -euo pipefail

# 1. Edit app.py: build the DynamoDB client and load the configuration once per
#    execution environment, not on every call.
# 2. Deploy your code:
zip -q function.zip app.py config.json
aws lambda update-function-code --function-name orders-lookup \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name orders-lookup
