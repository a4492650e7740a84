#!/usr/bin/env bash
set -euo pipefail

# 1. One layer version: the package under python/, which Lambda extracts to /opt/python
#    (on sys.path for Python runtimes).
mkdir -p build/python
cp -r common_utils build/python/
(cd build && zip -qr ../common-utils.zip python)
LAYER_ARN=$(aws lambda publish-layer-version --layer-name common-utils \
  --description "Shared helpers: money formatting" \
  --zip-file fileb://common-utils.zip --compatible-runtimes python3.13 \
  --query LayerVersionArn --output text)

# 2. Each function ships only its handler and uses that same version ARN.
for FUNCTION in orders-api invoice-worker; do
  (cd "$FUNCTION" && zip -q "../$FUNCTION.zip" app.py)
  aws lambda update-function-code --function-name "$FUNCTION" \
    --zip-file "fileb://$FUNCTION.zip" > /dev/null
  aws lambda wait function-updated-v2 --function-name "$FUNCTION"
  aws lambda update-function-configuration --function-name "$FUNCTION" \
    --layers "$LAYER_ARN" > /dev/null
  aws lambda wait function-updated-v2 --function-name "$FUNCTION"
done
