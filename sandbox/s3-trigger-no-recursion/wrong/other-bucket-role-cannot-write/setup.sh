#!/usr/bin/env bash
set -euo pipefail

FUNCTION_ARN=$(aws lambda get-function --function-name thumbnailer \
  --query Configuration.FunctionArn --output text)
ACCOUNT=$(echo "$FUNCTION_ARN" | cut -d: -f5)

# 1. Only .jpg uploads under uploads/ trigger the function.
sed "s|FUNCTION_ARN|$FUNCTION_ARN|" notification.json > notification.final.json
aws s3api put-bucket-notification-configuration --bucket uploads-bucket \
  --notification-configuration file://notification.final.json

# 2. Thumbnails go to another bucket (but the role may still write only to uploads-bucket).
aws s3api create-bucket --bucket thumbnails-bucket > /dev/null
aws lambda update-function-configuration --function-name thumbnailer \
  --environment 'Variables={OUTPUT_BUCKET=thumbnails-bucket}' > /dev/null
aws lambda wait function-updated-v2 --function-name thumbnailer

# 3. Only uploads-bucket, owned by this account, may invoke thumbnailer.
aws lambda remove-permission --function-name thumbnailer --statement-id s3-invoke
aws lambda add-permission --function-name thumbnailer --statement-id s3-invoke \
  --action lambda:InvokeFunction --principal s3.amazonaws.com \
  --source-arn arn:aws:s3:::uploads-bucket --source-account "$ACCOUNT" > /dev/null
