"""orders-api: the total of one order, formatted for the shop's front end."""

import common_utils


def lambda_handler(event, context):
    return {
        "orderId": event["orderId"],
        "total": common_utils.format_cents(event["cents"], "EUR"),
        "utils_version": common_utils.VERSION,
    }
