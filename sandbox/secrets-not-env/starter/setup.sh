#!/usr/bin/env bash
# Your commands for secrets-not-env. `labtui check secrets-not-env` runs this file against
# a fresh sandbox account (billing-sync exists with DB_HOST, DB_USER and DB_PASSWORD in its
# environment), then checks the function's configuration and runs it.
set -euo pipefail

# 1. Store the database credentials in Secrets Manager as prod/billing/db
#    (read the current values with: aws lambda get-function-configuration --function-name billing-sync)
# aws secretsmanager create-secret --name prod/billing/db --secret-string ...

# 2. Let billing-sync-role read that one secret (secretsmanager:GetSecretValue on its ARN)

# 3. Edit app.py: read the secret named by SECRET_ID once per execution environment, then deploy
zip -q function.zip app.py billing_db.py
aws lambda update-function-code --function-name billing-sync \
  --zip-file fileb://function.zip > /dev/null
aws lambda wait function-updated-v2 --function-name billing-sync

# 4. Replace the environment: SECRET_ID=prod/billing/db, and no password anywhere
