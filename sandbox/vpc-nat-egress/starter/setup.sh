#!/usr/bin/env bash
set -euo pipefail
# geo-lookup runs in private-a and private-b (route table private-rt: local route only) and
# must call a public API on the internet. Give its subnets a way out.
#
# Useful values:
# PUBLIC_A=$(aws ec2 describe-subnets --filters Name=tag:Name,Values=public-a --query 'Subnets[0].SubnetId' --output text)
# PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt --query 'RouteTables[0].RouteTableId' --output text)
#
# Look first:
#   labtui aws ec2 describe-route-tables --query 'RouteTables[].[Tags[0].Value,Routes]'
#
# TODO: your command(s) here
