#!/usr/bin/env bash
set -euo pipefail

# The URL stays NONE; the public statements are replaced by statements for the role.
aws lambda remove-permission --function-name status-api --statement-id FunctionURLAllowPublic
aws lambda remove-permission --function-name status-api --statement-id FunctionURLAllowInvokeAction
ROLE_ARN=$(aws iam get-role --role-name ops-dashboard-role --query Role.Arn --output text)
aws lambda add-permission --function-name status-api --statement-id ops-dashboard-url \
  --action lambda:InvokeFunctionUrl --principal "$ROLE_ARN" \
  --function-url-auth-type NONE > /dev/null
aws lambda add-permission --function-name status-api --statement-id ops-dashboard-invoke \
  --action lambda:InvokeFunction --principal "$ROLE_ARN" > /dev/null
