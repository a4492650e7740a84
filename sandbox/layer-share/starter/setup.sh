#!/usr/bin/env bash
# Your commands for layer-share. `labtui check layer-share` runs this file against a fresh
# sandbox account (orders-api and invoice-worker each bundle an old copy of common_utils),
# then looks at the layer and both functions, and invokes both.
set -euo pipefail

# 1. Build the layer zip from ./common_utils so that Python finds it under /opt/python,
#    and publish it ONCE as the layer common-utils:
# LAYER_ARN=$(aws lambda publish-layer-version --layer-name common-utils \
#   --zip-file fileb://common-utils.zip --compatible-runtimes python3.13 \
#   --query LayerVersionArn --output text)

# 2. For orders-api and invoice-worker: deploy the handler without its bundled
#    common_utils copy, and attach that one layer version:
# (cd orders-api && zip -q ../orders-api.zip app.py)
# aws lambda update-function-code --function-name orders-api --zip-file fileb://orders-api.zip
# aws lambda update-function-configuration --function-name orders-api --layers "$LAYER_ARN"
