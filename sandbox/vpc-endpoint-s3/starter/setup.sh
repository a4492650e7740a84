#!/usr/bin/env bash
set -euo pipefail
# report-archiver runs in private-a and private-b (route table private-rt: local route only)
# and times out every time it calls S3. Give it a path to S3 that opens nothing else.
#
# Useful values:
# VPC=$(aws ec2 describe-vpcs --filters Name=tag:Name,Values=lab-vpc --query 'Vpcs[0].VpcId' --output text)
# PRIVATE_RT=$(aws ec2 describe-route-tables --filters Name=tag:Name,Values=private-rt --query 'RouteTables[0].RouteTableId' --output text)
#
# Look first:
#   labtui aws ec2 describe-route-tables --route-table-ids "$PRIVATE_RT"
#   labtui aws ec2 describe-vpc-endpoint-services --query ServiceNames
#
# TODO: your command(s) here
