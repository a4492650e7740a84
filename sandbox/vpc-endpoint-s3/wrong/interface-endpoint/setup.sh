#!/usr/bin/env bash
set -euo pipefail
# "Endpoints are ENIs in the subnets: create one for S3 in both private subnets."
VPC=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab-vpc --query 'Vpcs[0].VpcId' --output text)
subnet() { aws ec2 describe-subnets --filters "Name=tag:Name,Values=$1" \
  --query 'Subnets[0].SubnetId' --output text; }
LAMBDA_SG=$(aws ec2 describe-security-groups --filters Name=group-name,Values=lambda-sg \
  --query 'SecurityGroups[0].GroupId' --output text)
ENDPOINT_SG=$(aws ec2 create-security-group --group-name s3-endpoint-sg \
  --description "HTTPS from lambda-sg" --vpc-id "$VPC" --query GroupId --output text)
aws ec2 authorize-security-group-ingress --group-id "$ENDPOINT_SG" --protocol tcp --port 443 \
  --source-group "$LAMBDA_SG" > /dev/null
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --service-name com.amazonaws.us-east-1.s3 \
  --vpc-endpoint-type Interface --subnet-ids "$(subnet private-a)" "$(subnet private-b)" \
  --security-group-ids "$ENDPOINT_SG" > /dev/null
