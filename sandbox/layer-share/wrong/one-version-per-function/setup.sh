#!/usr/bin/env bash
set -euo pipefail

mkdir -p build/python
cp -r common_utils build/python/
(cd build && zip -qr ../common-utils.zip python)

# Publishing inside the loop: every function gets a layer version of its own.
for FUNCTION in orders-api invoice-worker; do
  LAYER_ARN=$(aws lambda publish-layer-version --layer-name common-utils \
    --zip-file fileb://common-utils.zip --compatible-runtimes python3.13 \
    --query LayerVersionArn --output text)
  (cd "$FUNCTION" && zip -q "../$FUNCTION.zip" app.py)
  aws lambda update-function-code --function-name "$FUNCTION" \
    --zip-file "fileb://$FUNCTION.zip" > /dev/null
  aws lambda wait function-updated-v2 --function-name "$FUNCTION"
  aws lambda update-function-configuration --function-name "$FUNCTION" \
    --layers "$LAYER_ARN" > /dev/null
  aws lambda wait function-updated-v2 --function-name "$FUNCTION"
done
