"""lab-hello: greet the caller and report what the Lambda context says."""


def lambda_handler(event, context):
    return {
        "message": "hello, Vinod",  # the answer the README's example invoke expects
        "memory_mb": int(context.memory_limit_in_mb),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
