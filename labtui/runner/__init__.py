"""Run learner handler code in a contained child process, like a Lambda execution
environment (design.md §6).

Public API::

    from labtui.runner import EnvironmentPool, ExecutionEnvironment, FunctionConfig

    config = FunctionConfig(function_name="lab-hello", handler="app.lambda_handler",
                            memory_mb=128, timeout_s=5)
    environment = ExecutionEnvironment(config, code_dir, sandbox_env)
    environment.init()                       # Init: start the runtime, import the module
    result = environment.invoke({"name": "Vinod"})   # -> InvokeResult
    result.payload, result.function_error, result.log  # body, "Unhandled"/None, log text
    environment.shutdown()

    pool = EnvironmentPool(sandbox_env)      # warm reuse per function version + config
    result = pool.invoke(config, code_dir, event)

``sandbox_env`` supplies AWS_ENDPOINT_URL and the (fake) access keys that bind boto3
inside the handler to a learner's sandbox account; nothing else of the parent's
environment reaches the child.
"""

from labtui.runner.environment import ExecutionEnvironment
from labtui.runner.pool import EnvironmentPool, EnvironmentsExhausted
from labtui.runner.protocol import FunctionConfig, InvokeResult

__all__ = [
    "EnvironmentPool",
    "EnvironmentsExhausted",
    "ExecutionEnvironment",
    "FunctionConfig",
    "InvokeResult",
]
