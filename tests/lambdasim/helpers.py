"""Small builders shared by the lambdasim tests."""

from __future__ import annotations

from labtui.lambdasim import BehaviourModel, Duration, FailureRule, FunctionSpec


def model(
    duration_ms: float = 100.0,
    init_ms: float = 200.0,
    *,
    fail: str = "never",
    needle: str = "",
    effect: str = "raise",
    probability: float = 0.0,
    response: object = None,
    memory_used: int = 64,
) -> BehaviourModel:
    return BehaviourModel(
        duration=Duration("fixed", duration_ms),
        init_duration=Duration("fixed", init_ms, minimum=0.0),
        failure=FailureRule(fail, probability, needle, effect),  # type: ignore[arg-type]
        max_memory_mb=memory_used,
        response=response,
    )


def function(name: str = "fn", **kwargs: object) -> FunctionSpec:
    behaviour = kwargs.pop("behaviour", None) or model()
    return FunctionSpec(name, behaviour=behaviour, **kwargs)  # type: ignore[arg-type]
