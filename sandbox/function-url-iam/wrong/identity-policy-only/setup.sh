#!/usr/bin/env bash
set -euo pipefail

aws lambda update-function-url-config --function-name status-api --auth-type AWS_IAM > /dev/null

# Permission on the caller's side only: the role's own policy allows the two actions.
FUNCTION_ARN=$(aws lambda get-function --function-name status-api \
  --query Configuration.FunctionArn --output text)
cat > call-status-api.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": ["lambda:InvokeFunctionUrl", "lambda:InvokeFunction"],
     "Resource": "$FUNCTION_ARN"}
  ]
}
JSON
aws iam put-role-policy --role-name ops-dashboard-role --policy-name call-status-api \
  --policy-document file://call-status-api.json
