#!/usr/bin/env bash
# Your commands for function-url-iam. `labtui check function-url-iam` runs this file against
# a fresh sandbox account (status-api has a public URL), then evaluates who may call it.
set -euo pipefail

# Look first:
#   aws lambda get-function-url-config --function-name status-api
#   aws lambda get-policy --function-name status-api

# 1. Require signed calls (auth type AWS_IAM)

# 2. Remove the statements that let anyone (*) in

# 3. Allow ops-dashboard-role lambda:InvokeFunctionUrl and lambda:InvokeFunction
# ROLE_ARN=$(aws iam get-role --role-name ops-dashboard-role --query Role.Arn --output text)
