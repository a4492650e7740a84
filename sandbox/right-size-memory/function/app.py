"""resize-worker: makes a thumbnail of an uploaded photo (CPU-bound)."""

import time

from resize_profile import duration_ms


def lambda_handler(event, context):
    memory = int(context.memory_limit_in_mb)
    # Stand-in for the resize: as long as the measured profile says it takes at this size.
    time.sleep(duration_ms(memory) / 1000.0)
    return {"resized": event.get("key", "photos/cat.jpg"), "memory_mb": memory}
