"""``Invoke`` with the AWS response surface, running learner code through the runner.

RequestResponse → 200 with the handler's result, or 200 + ``X-Amz-Function-Error:
Unhandled`` and the error document (R-2.1, R-2.2, R-2.8); Event → 202 once queued
(R-2.3); DryRun → 204 (R-2.4); payload limits (R-2.5); 429 TooManyRequestsException
with a Reason when throttled (R-2.6); ``--log-type Tail`` returns the last 4 KB of the
log, base64 (R-6.5).
"""

from __future__ import annotations

import base64
import dataclasses
import json
import logging
import random
import threading
import urllib.parse
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from labtui import facts
from labtui.account.cloudwatch_logs import write_invocation_log
from labtui.account.code_store import CodeStore
from labtui.account.engine_port import AsyncEngine, AsyncInvocation
from labtui.account.lambda_extras import LATEST, ExtrasStore
from labtui.account.wsgi import ReadWriteLock, Request, Response, aws_error, strict_json
from labtui.errors import LabError
from labtui.runner.pool import EnvironmentPool, EnvironmentsExhausted
from labtui.runner.protocol import FunctionConfig, InvokeResult

_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ResolvedFunction:
    """A function version ready to run, as an invocation addressed it."""

    config: FunctionConfig
    zip_bytes: bytes
    layer_zips: tuple[bytes, ...]
    invoked_arn: str
    qualifier: str
    reserved_concurrency: int | None
    provisioned: int


def split_function_name(raw: str, qualifier: str | None) -> tuple[str, str | None]:
    """``name``, ``name:qualifier``, or a (partial) ARN → (name, qualifier)."""
    name = urllib.parse.unquote(raw)
    if name.startswith("arn:"):
        parts = name.split(":")
        name = parts[6] if len(parts) > 6 else name
        qualifier = parts[7] if len(parts) > 7 else qualifier
    elif ":" in name:
        name, _, embedded = name.partition(":")
        qualifier = embedded or qualifier
    return name, qualifier


class InvokeService:
    """Runs invocations for every account; counts what is in flight for throttling."""

    def __init__(
        self,
        pool: EnvironmentPool,
        code_store: CodeStore,
        extras: ExtrasStore,
        engine: AsyncEngine,
        child_env_for: Callable[[str], dict[str, str]],
    ) -> None:
        self.pool = pool
        self.code_store = code_store
        self.extras = extras
        self.engine = engine
        self.child_env_for = child_env_for  # account id -> AWS_ENDPOINT_URL + keys
        self._in_flight: dict[tuple[str, str], int] = {}
        self.state_lock: ReadWriteLock | None = None  # the gateway's, set by the Sandbox
        self._lock = threading.Lock()

    # --- the HTTP surface ------------------------------------------------------------

    def handle(self, request: Request, raw_name: str) -> Response:
        name, qualifier = split_function_name(raw_name, request.query_value("Qualifier"))
        invocation_type = request.header("X-Amz-Invocation-Type") or "RequestResponse"
        try:
            function = self.resolve(request.account_id, request.region, name, qualifier)
        except LookupError as missing:
            return aws_error(404, "ResourceNotFoundException", f"Function not found: {missing}")
        if invocation_type == "DryRun":
            return Response(204)  # parameters and permission only
        limit = (
            facts.SYNC_PAYLOAD_MAX_BYTES
            if invocation_type == "RequestResponse"
            else facts.ASYNC_PAYLOAD_MAX_BYTES
        )
        if len(request.body) > limit:
            return aws_error(
                413,
                "RequestEntityTooLargeException",
                f"{len(request.body)} byte payload is too large for the "
                f"{invocation_type} invocation type (limit {limit} bytes)",
            )
        payload = request.body or b"{}"
        try:
            strict_json(payload, finite=False)  # NaN is not JSON (Lambda refuses it)
        except ValueError as error:
            return aws_error(
                400,
                "InvalidRequestContentException",
                f"Could not parse request body into json: {error}",
            )
        if invocation_type == "Event":
            return self._accept_async(request, function, payload)
        if invocation_type != "RequestResponse":
            return aws_error(
                400,
                "InvalidParameterValueException",
                f"Unsupported invocation type {invocation_type}",
            )
        throttled = self._admit(request.account_id, request.region, function)
        if throttled is not None:
            return throttled
        try:
            result = self._run(request.account_id, function, payload)
        except EnvironmentsExhausted:
            return _throttle("ConcurrentInvocationLimitExceeded")
        finally:
            self._leave(request.account_id, function)
        return self._sync_response(result, tail=request.header("X-Amz-Log-Type") == "Tail")

    # --- resolving a function version ------------------------------------------------

    def resolve(
        self, account_id: str, region: str, name: str, qualifier: str | None
    ) -> ResolvedFunction:
        from moto.awslambda.models import lambda_backends
        from moto.core.exceptions import ServiceException, _RESTError

        backend = lambda_backends[account_id][region]
        try:
            latest = backend.get_function(name)
            target_qualifier = qualifier or LATEST
            version_qualifier = self._route_alias(backend, name, target_qualifier)
            function = backend.get_function(name, version_qualifier)
        except (_RESTError, ServiceException) as error:
            base = f"arn:aws:lambda:{region}:{account_id}:function:{name}"
            raise LookupError(f"{base}:{qualifier}" if qualifier else base) from error
        extras = self.extras.account(account_id)
        version = str(function.version)
        provisioned = extras.provisioned.get((region, name, target_qualifier), {})
        config = FunctionConfig(
            function_name=name,
            handler=str(function.handler),
            runtime=str(function.run_time),
            memory_mb=int(function.memory_size),
            timeout_s=float(function.timeout),
            version=version,
            region=region,
            account_id=account_id,
            architecture=(function.architectures or ["x86_64"])[0],
            ephemeral_storage_mb=int(function.ephemeral_storage or 512),
            environment=dict(function.environment_vars or {}),
            code_sha256=str(function.code_sha_256),
        )
        base_arn = config.function_arn
        invoked_arn = f"{base_arn}:{qualifier}" if qualifier else base_arn
        layer_zips = []
        for layer in function.layers or []:
            layer_version = backend.layers_versions_by_arn(layer["Arn"])
            if layer_version is not None:
                layer_zips.append(bytes(layer_version.code_bytes or b""))
        return ResolvedFunction(
            config=config,
            zip_bytes=bytes(function.code_bytes or b""),
            layer_zips=tuple(layer_zips),
            invoked_arn=invoked_arn,
            qualifier=target_qualifier,
            reserved_concurrency=latest.reserved_concurrency,
            provisioned=int(provisioned.get("RequestedProvisionedConcurrentExecutions", 0)),
        )

    @staticmethod
    def _route_alias(backend: Any, name: str, qualifier: str) -> str:
        # moto ignores alias weights; Lambda sends each call to one version by weight.
        alias = next((a for a in backend.list_aliases(name) if a.name == qualifier), None)
        if alias is None:
            return qualifier
        weights = (alias.routing_config or {}).get("AdditionalVersionWeights") or {}
        draw = random.random()
        for version, weight in weights.items():
            if draw < float(weight):
                return str(version)
            draw -= float(weight)
        return str(alias.function_version)

    # --- concurrency (R-2.6, R-5.3) --------------------------------------------------

    def _admit(self, account_id: str, region: str, function: ResolvedFunction) -> Response | None:
        name = function.config.function_name
        reserved_total = self._reserved_total(account_id, region)
        account_limit = self.extras.account(account_id).concurrent_executions_limit
        with self._lock:
            mine = self._in_flight.get((account_id, name), 0)
            if function.reserved_concurrency is not None:
                if mine >= function.reserved_concurrency:
                    return _throttle("ReservedFunctionConcurrentInvocationLimitExceeded")
            else:
                unreserved_in_flight = sum(
                    count
                    for (account, _), count in self._in_flight.items()
                    if account == account_id
                ) - self._reserved_in_flight(account_id, region)
                if unreserved_in_flight >= account_limit - reserved_total:
                    return _throttle("ConcurrentInvocationLimitExceeded")
            self._in_flight[(account_id, name)] = mine + 1
        return None

    def _leave(self, account_id: str, function: ResolvedFunction) -> None:
        with self._lock:
            key = (account_id, function.config.function_name)
            self._in_flight[key] = max(0, self._in_flight.get(key, 1) - 1)

    def _reserved_by_function(self, account_id: str, region: str) -> dict[str, int]:
        from moto.awslambda.models import lambda_backends

        backend = lambda_backends[account_id][region]
        return {
            function.function_name: int(function.reserved_concurrency)
            for function in backend.list_functions()
            if function.reserved_concurrency is not None
        }

    def _reserved_total(self, account_id: str, region: str) -> int:
        return sum(self._reserved_by_function(account_id, region).values())

    def _reserved_in_flight(self, account_id: str, region: str) -> int:
        reserved = self._reserved_by_function(account_id, region)
        return sum(
            count
            for (account, name), count in self._in_flight.items()
            if account == account_id and name in reserved
        )

    # --- running -----------------------------------------------------------------------

    def _run(
        self,
        account_id: str,
        function: ResolvedFunction,
        payload: bytes,
        request_id: str | None = None,
    ) -> InvokeResult:
        runtime = function.config.runtime
        if not runtime.startswith("python"):
            message = (
                f"labtui runs Python handlers only: a {runtime} function can be "
                "configured and graded, but not run in this sandbox"
            )
            return _code_problem(function, request_id, message, "Runtime.Unsupported")
        try:
            code_dir = self.code_store.directory(function.zip_bytes, account_id)
            layers = tuple(
                str(self.code_store.directory(z, account_id)) for z in function.layer_zips
            )
        except LabError as error:
            return _code_problem(function, request_id, error.message)
        if layers:
            function = dataclasses.replace(
                function, config=dataclasses.replace(function.config, layer_dirs=layers)
            )
        provisioned = function.provisioned > 0 and self._busy(function) < function.provisioned
        result = self.pool.invoke(
            function.config,
            code_dir,
            payload,
            request_id or str(uuid.uuid4()),
            invoked_function_arn=function.invoked_arn,
            sandbox_env=self.child_env_for(account_id),
            provisioned=provisioned,
        )
        self._write_logs(account_id, function, result)
        return result

    def _write_logs(
        self, account_id: str, function: ResolvedFunction, result: InvokeResult
    ) -> None:
        lock = self.state_lock
        if lock is not None:
            lock.acquire_read()
        try:
            write_invocation_log(
                account_id, function.config.region, function.config.function_name, result
            )
        except Exception:
            _log.exception("could not write the invocation log")
        finally:
            if lock is not None:
                lock.release_read()

    def _busy(self, function: ResolvedFunction) -> int:
        return self.pool.busy_count(function.config.function_arn)

    def invoke_direct(
        self,
        account_id: str,
        region: str,
        name: str,
        payload: Any,
        qualifier: str | None = None,
        *,
        request_id: str | None = None,
    ) -> InvokeResult:
        """Run a function once without HTTP (grading, the TUI console, moto triggers,
        event source mapping batches)."""
        function = self.resolve(account_id, region, name, qualifier)
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return self._run(account_id, function, body, request_id)

    def _accept_async(
        self, request: Request, function: ResolvedFunction, payload: bytes
    ) -> Response:
        request_id = self.submit_event(request.account_id, request.region, function, payload)
        return Response(202, b"", [("x-amzn-RequestId", request_id)])

    def submit_event(
        self,
        account_id: str,
        region: str,
        function: ResolvedFunction,
        payload: bytes,
        chain: int = 0,
    ) -> str:
        """Queue one asynchronous invocation (an Event invoke, an S3 or SNS notification);
        returns its request id. ``chain``: invocations before it in the same loop (R-4.15)."""
        request_id = str(uuid.uuid4())
        extras = self.extras.account(account_id)
        key = (region, function.config.function_name, function.qualifier)
        config_key = (region, function.config.function_name, function.config.version)
        dead_letter = extras.function_config.get(config_key, {}).get("DeadLetterConfig", {})

        def run() -> InvokeResult:
            return self._run(account_id, function, payload, request_id)

        self.engine.submit(
            AsyncInvocation(
                account_id=account_id,
                region=region,
                function_name=function.config.function_name,
                function_arn=function.invoked_arn,
                qualifier=function.qualifier,
                payload=payload,
                request_id=request_id,
                reserved_concurrency=function.reserved_concurrency,
                event_invoke_config=extras.event_invoke_configs.get(key),
                dead_letter_target=dead_letter.get("TargetArn"),
                run=run,
                chain=chain,
            )
        )
        return request_id

    @staticmethod
    def _sync_response(result: InvokeResult, *, tail: bool) -> Response:
        payload = result.payload
        function_error = result.function_error
        if len(payload) > facts.SYNC_PAYLOAD_MAX_BYTES:  # 6 MB response
            payload = json.dumps(
                {
                    "errorMessage": "Response payload size exceeded maximum allowed payload size "
                    f"({facts.SYNC_PAYLOAD_MAX_BYTES} bytes).",
                    "errorType": "Function.ResponseSizeTooLarge",
                }
            ).encode()
            function_error = "Unhandled"
        headers = [
            ("x-amzn-RequestId", result.request_id),
            ("X-Amz-Executed-Version", result.executed_version),
        ]
        if function_error:
            headers.append(("X-Amz-Function-Error", function_error))
        if tail:
            encoded = base64.b64encode(result.log_tail().encode()).decode()
            headers.append(("X-Amz-Log-Result", encoded))
        return Response(200, payload, headers)


def _throttle(reason: str) -> Response:
    # 429 TooManyRequestsException with the Reason.
    return aws_error(429, "TooManyRequestsException", "Rate Exceeded.", Reason=reason)


def _code_problem(
    function: ResolvedFunction,
    request_id: str | None,
    message: str,
    error_type: str = "Runtime.InvalidEntrypoint",
) -> InvokeResult:
    request_id = request_id or str(uuid.uuid4())
    document = {"errorMessage": message, "errorType": error_type}
    return InvokeResult(
        request_id=request_id,
        payload=json.dumps(document).encode(),
        function_error="Unhandled",
        error_type=error_type,
        status="error",
        duration_ms=0.0,
        billed_duration_ms=0,
        init_duration_ms=None,
        memory_size_mb=function.config.memory_mb,
        max_memory_used_mb=0,
        log=f"START RequestId: {request_id}\n{message}\nEND RequestId: {request_id}\n",
        environment_id="",
        executed_version=function.config.version,
    )
