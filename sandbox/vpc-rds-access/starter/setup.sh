#!/usr/bin/env bash
set -euo pipefail
# orders-db (PostgreSQL, port 5432) runs in private-b with security group db-sg.
# orders-db-writer is not in the VPC yet, so it cannot reach the database.
#
# Look up the ids you need, for example:
#   PRIVATE_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=private-a --query 'Subnets[0].SubnetId' --output text)
#   LAMBDA_SG=$(aws ec2 describe-security-groups --filters Name=group-name,Values=lambda-sg --query 'SecurityGroups[0].GroupId' --output text)
#
# TODO: role permissions, the database's inbound rule, and the function's VPC config.
