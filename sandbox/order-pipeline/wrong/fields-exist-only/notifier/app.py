"""order-notifier: tells the customer an order is on its way (invoked asynchronously).

Lambda sends the invocation record to the on-success destination (orders-bus) or, when
every retry failed, to the on-failure destination (notify-failures) (R-3.7).
"""


def lambda_handler(event, context):
    order_id = event["orderId"]  # an event without an order fails and is retried
    print(f"notified customer {event.get('customerId')}: order {order_id} is on its way")
    return {"notified": order_id}
