#!/usr/bin/env bash
set -euo pipefail

aws secretsmanager create-secret --name prod/billing/db \
  --secret-string '{"host": "billing-db.internal", "username": "billing_sync", "password": "Bl-7mqP2-vX9s-Q4za"}' \
  > /dev/null
SECRET_ARN=$(aws secretsmanager describe-secret --secret-id prod/billing/db --query ARN --output text)
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

# "Encrypted is as good as a secret store": the password goes back into the environment,
# encrypted with a customer managed KMS key, and the code decrypts it at Init.
KEY_ID=$(aws kms create-key --description billing-sync --query KeyMetadata.KeyId --output text)
CIPHERTEXT=$(aws kms encrypt --key-id "$KEY_ID" --plaintext "Bl-7mqP2-vX9s-Q4za" \
  --query CiphertextBlob --output text)

zip -q function.zip app.py billing_db.py
aws lambda update-function-code --function-name billing-sync \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name billing-sync
aws lambda update-function-configuration --function-name billing-sync \
  --environment "Variables={DB_HOST=billing-db.internal,DB_USER=billing_sync,DB_PASSWORD_ENCRYPTED=$CIPHERTEXT}" \
  > /dev/null
aws lambda wait function-updated-v2 --function-name billing-sync
