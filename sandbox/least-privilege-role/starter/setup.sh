#!/usr/bin/env bash
# Your commands for least-privilege-role. `labtui check least-privilege-role` runs this file
# against a fresh sandbox account, then reads orders-reader-role's policies and runs
# orders-reader. orders-reader's code (GetItem + Query on the orders table) stays as it is.
set -euo pipefail

# See what the role has today:
#   aws iam list-attached-role-policies --role-name orders-reader-role
#   aws iam list-role-policies --role-name orders-reader-role

# 1. Detach AmazonDynamoDBFullAccess (keep AWSLambdaBasicExecutionRole for the logs)

# 2. Allow exactly the calls the code makes, on the orders table's ARN only
#    (aws dynamodb describe-table --table-name orders --query Table.TableArn)
# aws iam put-role-policy --role-name orders-reader-role --policy-name ... --policy-document file://...
