#!/usr/bin/env bash
set -euo pipefail

# 1. The credentials move to Secrets Manager (copied from the old environment variables).
aws secretsmanager create-secret --name prod/billing/db \
  --description "billing-sync database login" \
  --secret-string '{"host": "billing-db.internal", "username": "billing_sync", "password": "Bl-7mqP2-vX9s-Q4za"}' \
  > /dev/null
SECRET_ARN=$(aws secretsmanager describe-secret --secret-id prod/billing/db --query ARN --output text)

# 2. The role may read that secret and no other.
cat > read-secret.json <<JSON
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": "$SECRET_ARN"}
  ]
}
JSON
aws iam put-role-policy --role-name billing-sync-role --policy-name read-billing-db-secret \
  --policy-document file://read-secret.json

# 3. The code fetches the secret once, at Init.
zip -q function.zip app.py billing_db.py
aws lambda update-function-code --function-name billing-sync \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name billing-sync

# 4. The environment names the secret; it holds no credential.
aws lambda update-function-configuration --function-name billing-sync \
  --environment 'Variables={SECRET_ID=prod/billing/db}' > /dev/null
aws lambda wait function-updated-v2 --function-name billing-sync
