"""moto keeps every model object it ever makes (queue, function, policy, ...) in a list on
its class, for its dashboard: deleted resources, every snapshot's restored copy and every
new account's 1,600 managed policies were never freed. A grader restoring order-pipeline's
account 100 times grew by 165,000 objects and 122 MB. labtui serves no dashboard
(/moto-api is refused), so models are made without being tracked.
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Make moto's models untracked from now on, and forget those tracked so far."""
    from moto.core.common_models import BaseModel
    from moto.core.model_instances import reset_model_data

    if getattr(BaseModel.__new__, "labtui_untracked", False):
        return

    def untracked(cls: type, *args: Any, **kwargs: Any) -> Any:
        # BaseModel.__new__ without its append to cls.instances_tracked
        return super(BaseModel, cls).__new__(cls)  # type: ignore[misc]

    untracked.labtui_untracked = True  # type: ignore[attr-defined]
    BaseModel.__new__ = staticmethod(untracked)  # type: ignore[method-assign]
    reset_model_data()
