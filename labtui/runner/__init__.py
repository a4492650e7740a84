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

What the handler may do and what the caller then sees (R-2): an exception →
FunctionError "Unhandled" with errorMessage/errorType/requestId/stackTrace; running
past the timeout → Sandbox.Timedout "Task timed out after N.NN seconds" and a fresh
environment next time; memory above MemorySize, ``sys.exit``, ``os._exit`` →
Runtime.ExitError; syntax error / failed import / missing handler / non-JSON result →
Runtime.UserCodeSyntaxError / ImportModuleError / HandlerNotFound / MarshalError. Fork
bombs hit a cap, endless output is truncated, only loopback is reachable, and an
environment dies with the lab process.

For lambdasim, ``labtui.runner.lambdasim_backend.RunnerHandlerBackend`` implements its
``HandlerBackend`` protocol with real environments.

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
