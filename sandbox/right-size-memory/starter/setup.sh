#!/usr/bin/env bash
set -euo pipefail
# Profile resize-worker at several memory sizes (see the README), then set the memory
# size you choose here. Put your cost per million calls in answers.yaml.
#
# Example of one profiling step:
#   labtui aws lambda update-function-configuration --function-name resize-worker --memory-size 512
#   labtui aws lambda wait function-updated-v2 --function-name resize-worker
#   labtui aws lambda invoke --function-name resize-worker --log-type Tail \
#     --query LogResult --output text out.json | base64 -d | grep REPORT
#
# TODO: aws lambda update-function-configuration --function-name resize-worker --memory-size ...
