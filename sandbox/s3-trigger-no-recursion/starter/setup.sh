#!/usr/bin/env bash
# Your commands for s3-trigger-no-recursion. `labtui check s3-trigger-no-recursion` runs this
# file against a fresh sandbox account, then uploads a new .jpg under uploads/ and follows
# every invocation and write that one upload causes.
set -euo pipefail

# Look first:
#   aws s3api get-bucket-notification-configuration --bucket uploads-bucket
#   aws lambda get-function-configuration --function-name thumbnailer --query Environment
#   aws lambda get-policy --function-name thumbnailer

# 1. Notify thumbnailer only for .jpg objects under uploads/
#    (aws s3api put-bucket-notification-configuration --bucket uploads-bucket
#     --notification-configuration file://notification.json)

# 2. Make the thumbnails land where they cannot trigger the function again
#    (thumbnailer reads OUTPUT_PREFIX and OUTPUT_BUCKET from its environment)

# 3. Let only uploads-bucket in this account invoke thumbnailer
#    (aws lambda remove-permission / add-permission --source-arn ... --source-account ...)
