"""invoice-worker: the formatted lines of one invoice."""

import common_utils


def lambda_handler(event, context):
    return {
        "invoiceId": event["invoiceId"],
        "lines": [common_utils.format_cents(cents, "EUR") for cents in event["lines"]],
        "utils_version": common_utils.VERSION,
    }
