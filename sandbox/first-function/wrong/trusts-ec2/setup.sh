#!/usr/bin/env bash
set -euo pipefail

# 1. A role Lambda can assume (trust.json names lambda.amazonaws.com), allowed to write logs
aws iam create-role --role-name lab-lambda-role \
  --assume-role-policy-document file://trust.json > /dev/null
aws iam attach-role-policy --role-name lab-lambda-role \
  --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole
ROLE_ARN=$(aws iam get-role --role-name lab-lambda-role --query Role.Arn --output text)

# 2. Package and create: python3.13, app.lambda_handler, arm64, 128 MB, 5 s
zip -q function.zip app.py
# AWS refuses this function: the role's trust policy names ec2.amazonaws.com, so
# create-function answers InvalidParameterValueException "The role defined for the function
# cannot be assumed by Lambda." (R-8.1). This attempt stops there, as a learner would.
if ! aws lambda create-function --function-name lab-hello \
  --runtime python3.13 --handler app.lambda_handler --architectures arm64 \
  --memory-size 128 --timeout 5 --role "$ROLE_ARN" \
  --zip-file fileb://function.zip > /dev/null; then
  echo "create-function was refused: nothing else can be built" >&2
  exit 0
fi
aws lambda wait function-active-v2 --function-name lab-hello

# 3. Invoke it
aws lambda invoke --function-name lab-hello \
  --cli-binary-format raw-in-base64-out --payload '{"name": "Vinod"}' response.json > /dev/null
cat response.json

# 4. Configure first, wait for the update, then publish and point prod at the new version
aws lambda update-function-configuration --function-name lab-hello \
  --memory-size 512 --timeout 10 > /dev/null
aws lambda wait function-updated-v2 --function-name lab-hello
VER=$(aws lambda publish-version --function-name lab-hello --query Version --output text)
aws lambda create-alias --function-name lab-hello --name prod --function-version "$VER" > /dev/null
