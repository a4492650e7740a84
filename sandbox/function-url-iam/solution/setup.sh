#!/usr/bin/env bash
set -euo pipefail

# 1. Every call must be signed with SigV4; Lambda then evaluates the signer.
aws lambda update-function-url-config --function-name status-api --auth-type AWS_IAM > /dev/null

# 2. Nobody is let in just for asking.
aws lambda remove-permission --function-name status-api --statement-id FunctionURLAllowPublic
aws lambda remove-permission --function-name status-api --statement-id FunctionURLAllowInvokeAction

# 3. The dashboard's role, and only it, gets both actions a URL call needs (since Oct 2025).
ROLE_ARN=$(aws iam get-role --role-name ops-dashboard-role --query Role.Arn --output text)
aws lambda add-permission --function-name status-api --statement-id ops-dashboard-url \
  --action lambda:InvokeFunctionUrl --principal "$ROLE_ARN" \
  --function-url-auth-type AWS_IAM > /dev/null
aws lambda add-permission --function-name status-api --statement-id ops-dashboard-invoke \
  --action lambda:InvokeFunction --principal "$ROLE_ARN" > /dev/null
