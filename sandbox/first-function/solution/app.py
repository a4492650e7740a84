"""lab-hello: greet the caller and report what the Lambda context says."""


def lambda_handler(event, context):
    name = event.get("name", "world")
    return {
        "message": f"hello, {name}",
        "memory_mb": int(context.memory_limit_in_mb),
        "remaining_ms": context.get_remaining_time_in_millis(),
    }
