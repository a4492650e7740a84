"""lab-hello: greet the caller and report what the Lambda context says."""


def lambda_handler(event, context):
    name = event.get("name", "world")
    # TODO: return a dict with three keys:
    #   "message":      "hello, <name>"
    #   "memory_mb":    the memory configured for this function (see the context object)
    #   "remaining_ms": how many milliseconds this invocation has left
    return {"message": f"hello {name}"}
