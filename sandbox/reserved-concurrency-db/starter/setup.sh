#!/usr/bin/env bash
set -euo pipefail
# report-writer opens one connection to orders-db per running environment; the database
# accepts 60 connections and other clients need some. Cap report-writer at 50.
#
# Look first:
#   labtui aws lambda get-function-concurrency --function-name report-writer
#
# TODO: your command(s) here
