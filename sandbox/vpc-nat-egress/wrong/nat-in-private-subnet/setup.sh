#!/usr/bin/env bash
set -euo pipefail
# "The NAT gateway serves the private subnets, so it goes in a private subnet."
PRIVATE_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=private-a \
  --query 'Subnets[0].SubnetId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)
EIP=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)
NAT=$(aws ec2 create-nat-gateway --subnet-id "$PRIVATE_A" --allocation-id "$EIP" \
  --query NatGateway.NatGatewayId --output text)
aws ec2 create-route --route-table-id "$PRIVATE_RT" --destination-cidr-block 0.0.0.0/0 \
  --nat-gateway-id "$NAT" > /dev/null
