#!/usr/bin/env bash
set -euo pipefail
zip -q function.zip app.py
aws lambda update-function-code --function-name checkout --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name checkout
VER=$(aws lambda publish-version --function-name checkout --query Version --output text)
# Moves every request to the new release at once: no canary at all.
aws lambda update-alias --function-name checkout --name prod --function-version "$VER" > /dev/null
