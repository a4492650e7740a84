#!/usr/bin/env bash
set -euo pipefail
# The search team asks for 250 reserved concurrency for search-indexer.
# Find out what fits, then reserve it.
#
# Look first:
#   labtui aws lambda get-account-settings
#   labtui aws lambda get-function-concurrency --function-name ingest-api
#   (and billing-sync, report-writer, search-indexer)
#
# TODO: your command(s) here
