#!/usr/bin/env bash
set -euo pipefail
PUBLIC_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=public-a \
  --query 'Subnets[0].SubnetId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)

# the NAT gateway goes in a PUBLIC subnet (its route table leads to the IGW) ...
EIP=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)
NAT=$(aws ec2 create-nat-gateway --subnet-id "$PUBLIC_A" --allocation-id "$EIP" \
  --query NatGateway.NatGatewayId --output text)
aws ec2 wait nat-gateway-available --nat-gateway-ids "$NAT"

# ... and the function's subnets send everything non-local to it. The function stays private.
aws ec2 create-route --route-table-id "$PRIVATE_RT" --destination-cidr-block 0.0.0.0/0 \
  --nat-gateway-id "$NAT" > /dev/null
