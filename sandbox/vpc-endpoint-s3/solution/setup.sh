#!/usr/bin/env bash
set -euo pipefail
VPC=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab-vpc --query 'Vpcs[0].VpcId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)

# S3 has a gateway endpoint: a route in private-rt, free, and no internet path.
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --service-name com.amazonaws.us-east-1.s3 \
  --vpc-endpoint-type Gateway --route-table-ids "$PRIVATE_RT" > /dev/null
aws ec2 describe-route-tables --route-table-ids "$PRIVATE_RT" --query 'RouteTables[0].Routes'
