#!/usr/bin/env bash
# Your commands for first-function. `labtui check first-function` runs this file from top
# to bottom against a fresh, empty sandbox account, then checks what it built.
# Try each command by hand first with `labtui aws ...`, then copy it here.

# 1. The execution role (trust policy in trust.json) and its logging policy
# aws iam create-role --role-name lab-lambda-role --assume-role-policy-document file://trust.json
# aws iam attach-role-policy --role-name lab-lambda-role --policy-arn ...

# 2. Package app.py and create lab-hello (python3.13, app.lambda_handler, arm64, 128 MB, 5 s)
# zip -q function.zip app.py
# aws lambda create-function --function-name lab-hello ...

# 3. Invoke it with {"name": "Vinod"}

# 4. 512 MB and 10 s, then publish a version and create the alias prod
