"""Lambda control-plane calls the gateway answers itself or completes (design.md §4).

- event invoke configs: put (replaces), update (merges), get, list, delete (R-3.2–R-3.7);
- provisioned concurrency: put/get/list/delete on a version or alias only (R-5.4);
- account settings: limits and unreserved concurrency (R-5.2, R-5.3);
- DeadLetterConfig / EphemeralStorage kept across create, update, publish and read-back;
- reserved concurrency checked against the unreserved minimum of 100 (R-5.3).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from labtui import facts
from labtui.account.lambda_extras import LATEST, ExtrasStore
from labtui.account.lambda_invoke import split_function_name
from labtui.account.wsgi import Request, Response, aws_error, json_response


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def _function_exists(request: Request, name: str, qualifier: str | None) -> str | None:
    """The qualified ARN when the function (and qualifier) exists, else None."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import ServiceException, _RESTError

    backend = lambda_backends[request.account_id][request.region]
    try:
        backend.get_function(name, qualifier)
    except (_RESTError, ServiceException):
        return None
    arn = f"arn:aws:lambda:{request.region}:{request.account_id}:function:{name}"
    return f"{arn}:{qualifier or LATEST}"


def _not_found(request: Request, name: str, qualifier: str | None) -> Response:
    arn = f"arn:aws:lambda:{request.region}:{request.account_id}:function:{name}"
    suffix = f":{qualifier}" if qualifier else ""
    return aws_error(404, "ResourceNotFoundException", f"Function not found: {arn}{suffix}")


def _invalid(message: str) -> Response:
    return aws_error(400, "InvalidParameterValueException", message)


# --- event invoke config (R-3.2, R-3.4, R-3.7) ------------------------------------------


def _validate_event_invoke_config(body: dict[str, Any]) -> str | None:
    retries = body.get("MaximumRetryAttempts")
    if retries is not None and not (
        facts.ASYNC_MAX_RETRIES_MIN <= int(retries) <= facts.ASYNC_MAX_RETRIES_MAX
    ):
        return "MaximumRetryAttempts must be between 0 and 2 (R-3.2)"
    age = body.get("MaximumEventAgeInSeconds")
    if age is not None and not (
        facts.ASYNC_MAX_EVENT_AGE_MIN_S <= int(age) <= facts.ASYNC_MAX_EVENT_AGE_MAX_S
    ):
        return "MaximumEventAgeInSeconds must be between 60 and 21600 (R-3.4)"
    return None


def event_invoke_config(
    request: Request, extras: ExtrasStore, raw_name: str, listing: bool
) -> Response:
    name, qualifier = split_function_name(raw_name, request.query_value("Qualifier"))
    arn = _function_exists(request, name, qualifier)
    if arn is None:
        return _not_found(request, name, qualifier)
    account = extras.account(request.account_id)
    key = (request.region, name, qualifier or LATEST)
    with extras.lock:
        if listing:
            configs = [
                config
                for (region, function, _), config in account.event_invoke_configs.items()
                if region == request.region and function == name
            ]
            return json_response(200, {"FunctionEventInvokeConfigs": configs})
        current = account.event_invoke_configs.get(key)
        if request.method == "GET":
            if current is None:
                return aws_error(
                    404,
                    "ResourceNotFoundException",
                    f"The function {arn} doesn't have an EventInvokeConfig",
                )
            return json_response(200, current)
        if request.method == "DELETE":
            account.event_invoke_configs.pop(key, None)
            return Response(204)
        body = request.json()
        problem = _validate_event_invoke_config(body)
        if problem:
            return _invalid(problem)
        if request.method == "POST" and current is None:
            return aws_error(
                404,
                "ResourceNotFoundException",
                f"The function {arn} doesn't have an EventInvokeConfig",
            )
        # PUT replaces the whole configuration; POST (update) changes only what is given.
        base = dict(current or {}) if request.method == "POST" else {}
        for field in ("MaximumRetryAttempts", "MaximumEventAgeInSeconds", "DestinationConfig"):
            if field in body:
                base[field] = body[field]
        base.setdefault("DestinationConfig", {"OnSuccess": {}, "OnFailure": {}})
        base["FunctionArn"] = arn
        base["LastModified"] = datetime.now(UTC).timestamp()
        account.event_invoke_configs[key] = base
        return json_response(200, base)


# --- provisioned concurrency (R-5.4) ---------------------------------------------------


def provisioned_concurrency(request: Request, extras: ExtrasStore, raw_name: str) -> Response:
    name, qualifier = split_function_name(raw_name, request.query_value("Qualifier"))
    account = extras.account(request.account_id)
    if request.method == "GET" and request.query_value("List") is not None:
        if _function_exists(request, name, None) is None:
            return _not_found(request, name, None)
        configs = [
            {
                **config,
                "FunctionArn": f"arn:aws:lambda:{region}:{request.account_id}"
                f":function:{function}:{qual}",
            }
            for (region, function, qual), config in account.provisioned.items()
            if region == request.region and function == name
        ]
        return json_response(200, {"ProvisionedConcurrencyConfigs": configs})
    if not qualifier or qualifier == LATEST:
        # never on $LATEST, only on a published version or an alias.
        return _invalid(
            "Provisioned Concurrency Configs cannot be applied to unpublished function versions."
        )
    if _function_exists(request, name, qualifier) is None:
        return _not_found(request, name, qualifier)
    key = (request.region, name, qualifier)
    with extras.lock:
        if request.method == "GET":
            config = account.provisioned.get(key)
            if config is None:
                return aws_error(
                    404,
                    "ProvisionedConcurrencyConfigNotFoundException",
                    "No Provisioned Concurrency Config found for this function",
                )
            return json_response(200, {**config, "Status": "READY"})
        if request.method == "DELETE":
            account.provisioned.pop(key, None)
            return Response(204)
        requested = int(request.json().get("ProvisionedConcurrentExecutions", 0))
        if requested < 1:
            return _invalid("ProvisionedConcurrentExecutions must be at least 1")
        reserved = _reserved_of(request, name)
        if reserved is not None and requested > reserved:
            # provisioned counts within reserved concurrency.
            return _invalid(
                f"Requested Provisioned Concurrency ({requested}) exceeds the "
                f"function's reserved concurrency ({reserved})"
            )
        config = {
            "RequestedProvisionedConcurrentExecutions": requested,
            "AvailableProvisionedConcurrentExecutions": requested,
            "AllocatedProvisionedConcurrentExecutions": requested,
            "LastModified": _now_iso(),
        }
        account.provisioned[key] = config
        return json_response(
            202,
            {
                **config,
                "AvailableProvisionedConcurrentExecutions": 0,
                "AllocatedProvisionedConcurrentExecutions": 0,
                "Status": "IN_PROGRESS",
            },
        )


def _reserved_of(request: Request, name: str) -> int | None:
    from moto.awslambda.models import lambda_backends

    function = lambda_backends[request.account_id][request.region].get_function(name)
    reserved = function.reserved_concurrency
    return None if reserved is None else int(reserved)


def _reserved_total(request: Request, excluding: str | None = None) -> int:
    from moto.awslambda.models import lambda_backends

    return sum(
        int(function.reserved_concurrency)
        for function in lambda_backends[request.account_id][request.region].list_functions()
        if function.reserved_concurrency is not None and function.function_name != excluding
    )


# --- account settings (R-5.2, R-5.3) ---------------------------------------------------


def account_settings(request: Request, extras: ExtrasStore) -> Response:
    from moto.awslambda.models import lambda_backends

    limit = extras.account(request.account_id).concurrent_executions_limit
    functions = list(lambda_backends[request.account_id][request.region].list_functions())
    code_size = sum(int(function.code_size or 0) for function in functions)
    return json_response(
        200,
        {
            "AccountLimit": {
                "TotalCodeSize": 80_530_636_800,
                "CodeSizeUnzipped": facts.UNZIPPED_MAX_BYTES,
                "CodeSizeZipped": facts.ZIP_DIRECT_MAX_BYTES,
                "ConcurrentExecutions": limit,
                "UnreservedConcurrentExecutions": limit - _reserved_total(request),
            },
            "AccountUsage": {"TotalCodeSize": code_size, "FunctionCount": len(functions)},
        },
    )


def check_reserved_concurrency(
    request: Request, extras: ExtrasStore, raw_name: str
) -> Response | None:
    """R-5.3: the account keeps at least 100 unreserved; AWS rejects a reservation that
    would go below. None when the request may go on to moto."""
    if request.method != "PUT":
        return None
    name, _ = split_function_name(raw_name, None)
    try:
        wanted = int(request.json().get("ReservedConcurrentExecutions", 0))
    except (ValueError, AttributeError):
        return None
    limit = extras.account(request.account_id).concurrent_executions_limit
    if limit - _reserved_total(request, excluding=name) - wanted < facts.UNRESERVED_MIN:
        return _invalid(
            f"Specified ReservedConcurrentExecutions for function decreases account's "
            f"UnreservedConcurrentExecution below its minimum value of [{facts.UNRESERVED_MIN}]."
        )
    return None


# --- fields moto drops -----------------------------------------------------------------


def merge_configuration(
    response: Response,
    extras: ExtrasStore,
    request: Request,
    name: str,
    qualifier: str | None,
    *,
    nested: bool,
    transition: str | None = None,
) -> Response:
    """Put DeadLetterConfig/EphemeralStorage back into a moto function description."""
    if response.status >= 300 or not response.body:
        return response
    document = json.loads(response.body)
    account = extras.account(request.account_id)
    holder = document.get("Configuration", {}) if nested else document
    version = str(holder.get("Version") or qualifier or LATEST)
    merged = account.merged((request.region, name, version), holder)
    # moto leaves LastUpdateStatus empty, which would hang the CLI's
    # function-updated waiters. A read shows the finished state; the create and update
    # responses show the transition, as in AWS.
    merged.setdefault("State", "Active")
    _vpc_id_of_subnets(request, merged)
    merged["LastUpdateStatus"] = merged.get("LastUpdateStatus") or "Successful"
    if transition == "create":
        merged.update(
            State="Pending",
            StateReason="The function is being created.",
            StateReasonCode="Creating",
        )
    elif transition == "update":
        merged.update(
            LastUpdateStatus="InProgress",
            LastUpdateStatusReason="The function is being updated.",
            LastUpdateStatusReasonCode="InProgress",
        )
    if nested:
        document["Configuration"] = merged
    else:
        document = merged
    return Response(response.status, json.dumps(document).encode(), response.headers)


def _vpc_id_of_subnets(request: Request, configuration: dict[str, Any]) -> None:
    """VpcConfig.VpcId is the VPC of the function's subnets (moto answered a constant,
    ``vpc-123abc``, which matched no VPC of the account)."""
    from labtui.account import moto_lookup

    vpc = configuration.get("VpcConfig")
    if not isinstance(vpc, dict) or not vpc.get("SubnetIds"):
        return
    subnets = vpc["SubnetIds"]
    found = moto_lookup.subnet_vpc(request.account_id, request.region, str(subnets[0]))
    if found is not None:
        vpc["VpcId"] = found


def check_configuration(request: Request) -> Response | None:
    """Limits AWS enforces on create/update that moto does not: environment variables
    4 KB in total (R-1.4) and timeout up to 900 s (R-1.2). None when acceptable."""
    try:
        body = request.json()
    except ValueError:
        return None
    if not isinstance(body, dict):
        return None
    variables = (body.get("Environment") or {}).get("Variables") or {}
    measured = json.dumps(variables, separators=(",", ":"))
    if len(measured.encode()) > facts.ENV_VARS_MAX_BYTES:
        return _invalid(
            "Lambda was unable to configure your environment variables because the "
            "environment variables you have provided exceeded the 4KB limit. "
            f"String measured: {measured}"
        )
    timeout = body.get("Timeout")
    if isinstance(timeout, int) and not facts.TIMEOUT_MIN_S <= timeout <= facts.TIMEOUT_MAX_S:
        return _invalid(
            f"Timeout must be between {facts.TIMEOUT_MIN_S} and "
            f"{facts.TIMEOUT_MAX_S} seconds (R-1.2)"
        )
    return None
