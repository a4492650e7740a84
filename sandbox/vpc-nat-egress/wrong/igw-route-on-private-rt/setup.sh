#!/usr/bin/env bash
set -euo pipefail
# "The NAT gateway is there, but the internet gateway is the real way out, so route to it."
PUBLIC_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=public-a \
  --query 'Subnets[0].SubnetId' --output text)
PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt \
  --query 'RouteTables[0].RouteTableId' --output text)
IGW=$(aws ec2 describe-internet-gateways --query 'InternetGateways[0].InternetGatewayId' --output text)
EIP=$(aws ec2 allocate-address --domain vpc --query AllocationId --output text)
aws ec2 create-nat-gateway --subnet-id "$PUBLIC_A" --allocation-id "$EIP" > /dev/null
aws ec2 create-route --route-table-id "$PRIVATE_RT" --destination-cidr-block 0.0.0.0/0 \
  --gateway-id "$IGW" > /dev/null
