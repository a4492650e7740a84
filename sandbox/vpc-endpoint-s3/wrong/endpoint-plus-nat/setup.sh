#!/usr/bin/env bash
set -euo pipefail
# "Add the gateway endpoint, and a NAT gateway too, in case S3 needs the internet."
VPC=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab-vpc --query 'Vpcs[0].VpcId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)
PUBLIC_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=public-a \
  --query 'Subnets[0].SubnetId' --output text)
aws ec2 create-vpc-endpoint --vpc-id "$VPC" --service-name com.amazonaws.us-east-1.s3 \
  --vpc-endpoint-type Gateway --route-table-ids "$PRIVATE_RT" > /dev/null
EIP=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)
NAT=$(aws ec2 create-nat-gateway --subnet-id "$PUBLIC_A" --allocation-id "$EIP" \
  --query NatGateway.NatGatewayId --output text)
aws ec2 create-route --route-table-id "$PRIVATE_RT" --destination-cidr-block 0.0.0.0/0 \
  --nat-gateway-id "$NAT" > /dev/null
