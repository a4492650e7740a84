#!/usr/bin/env bash
set -euo pipefail
subnet() { aws ec2 describe-subnets --filters "Name=tag:Name,Values=$1" \
  --query 'Subnets[0].SubnetId' --output text; }
group() { aws ec2 describe-security-groups --filters "Name=group-name,Values=$1" \
  --query 'SecurityGroups[0].GroupId' --output text; }
PRIVATE_A=$(subnet private-a)
PRIVATE_B=$(subnet private-b)
LAMBDA_SG=$(group lambda-sg)
DB_SG=$(group db-sg)

# Lambda creates Hyperplane ENIs in the subnets with the execution role.
aws iam attach-role-policy --role-name orders-db-writer-role \
  --policy-arn arn:aws:iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole

# The database admits PostgreSQL from members of lambda-sg, whatever their address.
aws ec2 authorize-security-group-ingress --group-id "$DB_SG" \
  --protocol tcp --port 5432 --cidr 0.0.0.0/0 > /dev/null

# Two private subnets in two AZs, the function's own group.
aws lambda update-function-configuration --function-name orders-db-writer \
  --vpc-config "SubnetIds=$PRIVATE_A,$PRIVATE_B,SecurityGroupIds=$LAMBDA_SG" > /dev/null
aws lambda wait function-updated-v2 --function-name orders-db-writer
