"""What the account boundary costs (design.md §6.1): prints times and ratios, asserts nothing.

Every request to the sandbox is authenticated (SigV4 rebuilt and compared) and checked
for identifiers of other accounts. This compares a warm ``lambda invoke`` round trip
through the gateway with the part of it spent on those checks.
"""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path
from typing import Any

from _timing import median_seconds, report

# Lambda refuses a role it cannot assume, as AWS does.
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})

HANDLER = "def lambda_handler(event, context):\n    return {'ok': True}\n"


def _zipped() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def bench_boundary() -> None:
    from labtui.account import Sandbox, authn, authz, aws_errors

    captured: list[tuple[dict[str, Any], bytes]] = []
    original = authn.authenticate

    def capture(environ: dict[str, Any], body: bytes, *rest: Any, **named: Any) -> Any:
        if "invocations" in str(environ.get("PATH_INFO", "")):
            captured.append((dict(environ), body))
        return original(environ, body, *rest, **named)

    with tempfile.TemporaryDirectory() as keys, Sandbox(keys_dir=Path(keys)) as sandbox:
        learner = sandbox.learner("bench-accounts")
        learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)
        client = learner.client("lambda")
        client.create_function(
            FunctionName="trivial", Runtime="python3.13", Handler="app.lambda_handler",
            Role=f"arn:aws:iam::{learner.account_id}:role/r", Code={"ZipFile": _zipped()},
        )

        def invoke() -> object:
            return client.invoke(FunctionName="trivial", Payload=b"{}")["Payload"].read()

        authn.authenticate = capture  # type: ignore[assignment]
        import labtui.account.gateway as gateway_module

        gateway_module.authenticate = capture  # type: ignore[assignment]
        round_trip = median_seconds(invoke, repeat=50, warmup=3)
        environ, body = captured[-1]
        registry = sandbox.credentials
        # A replay of the captured request is checked as the gateway checks it (the clock
        # is the request's own, so the signature is still fresh).
        checks = median_seconds(
            lambda: (
                authn.authenticate(environ, body, registry, aws_errors.REST_JSON),
                authz.parameters(aws_errors.REST_JSON, environ, body),
            ),
            repeat=200,
            warmup=5,
        )
    report("signature + account checks per request", checks, round_trip,
           "warm invoke round trip", "a small fraction")


if __name__ == "__main__":
    bench_boundary()
