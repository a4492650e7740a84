#!/usr/bin/env bash
set -euo pipefail

# 1. No more full access; the logging policy stays.
aws iam detach-role-policy --role-name orders-reader-role \
  --policy-arn arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess

# 2. The two calls the code makes, on the one table it reads.
TABLE_ARN=$(aws dynamodb describe-table --table-name orders --query Table.TableArn --output text)
cat > read-orders.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": ["dynamodb:GetItem", "dynamodb:Query"],
      "Resource": "$TABLE_ARN"
    }
  ]
}
JSON
aws iam put-role-policy --role-name orders-reader-role --policy-name read-orders \
  --policy-document file://read-orders.json
