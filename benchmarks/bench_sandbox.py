"""Sandbox benchmarks (design.md §10): prints times and ratios, asserts nothing.

1. sandbox start to first response vs a plain moto server start (fresh processes);
2. warm ``invoke`` of a trivial handler through the gateway vs calling the handler
   in-process (target: the gateway adds < 20 ms);
3. runner cold start vs warm invoke.

Run: ``python benchmarks/bench_sandbox.py``
"""

from __future__ import annotations

import io
import json
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from _timing import PYTHON, median_seconds, report

# Lambda refuses a role it cannot assume, as AWS does.
LAMBDA_TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"},
    "Action": "sts:AssumeRole"}]})

HANDLER = "def lambda_handler(event, context):\n    return {'ok': True, 'n': event.get('n')}\n"

_FIRST_RESPONSE_SANDBOX = """
import time; started = time.perf_counter()
from labtui.account import Sandbox
sandbox = Sandbox().start()
sandbox.learner("bench").client("sqs").list_queues()
print(time.perf_counter() - started)
sandbox.stop()
"""

_FIRST_RESPONSE_MOTO = """
import time; started = time.perf_counter()
import os; os.environ["MOTO_IAM_LOAD_MANAGED_POLICIES"] = "true"
from moto.server import ThreadedMotoServer
import boto3
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
server.start()
host, port = server.get_host_and_port()
boto3.client("sqs", region_name="us-east-1", endpoint_url=f"http://127.0.0.1:{port}",
             aws_access_key_id="x", aws_secret_access_key="y").list_queues()
print(time.perf_counter() - started)
server.stop()
"""


def _fresh_process_seconds(code: str, repeat: int = 3) -> float:
    samples = []
    for _ in range(repeat):
        output = subprocess.run(
            [PYTHON, "-c", code], check=True, capture_output=True, text=True
        ).stdout
        samples.append(float(output.strip().splitlines()[-1]))
    return statistics.median(samples)


def bench_start() -> None:
    ours = _fresh_process_seconds(_FIRST_RESPONSE_SANDBOX)
    moto = _fresh_process_seconds(_FIRST_RESPONSE_MOTO)
    report("sandbox start to first response", ours, moto, "plain moto server")


def _zipped_handler() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def bench_warm_invoke() -> None:
    from labtui.account import Sandbox

    namespace: dict[str, object] = {}
    exec(HANDLER, namespace)
    handler = namespace["lambda_handler"]
    in_process = median_seconds(lambda: json.dumps(handler({"n": 1}, None)), repeat=200)  # type: ignore[operator]
    with Sandbox() as sandbox:
        learner = sandbox.learner("bench")
        learner.client("iam").create_role(RoleName="r", AssumeRolePolicyDocument=LAMBDA_TRUST)
        client = learner.client("lambda")
        client.create_function(
            FunctionName="trivial",
            Runtime="python3.13",
            Handler="app.lambda_handler",
            Role=f"arn:aws:iam::{learner.account_id}:role/r",
            Code={"ZipFile": _zipped_handler()},
        )

        def invoke() -> object:
            return client.invoke(FunctionName="trivial", Payload=b'{"n": 1}')["Payload"].read()

        through_gateway = median_seconds(invoke, repeat=50, warmup=3)
        direct = median_seconds(lambda: learner.invoke("trivial", {"n": 1}), repeat=50, warmup=3)
    report(
        "warm invoke through the gateway (boto3 round trip)",
        through_gateway,
        in_process,
        "handler called in-process",
    )
    print(
        f"  gateway + runner add {(through_gateway - in_process) * 1000:.1f} ms per warm "
        f"invoke (target < 20 ms); runner alone {direct * 1000:.2f} ms"
    )


def bench_cold_vs_warm() -> None:
    from labtui.runner import ExecutionEnvironment, FunctionConfig

    with tempfile.TemporaryDirectory() as code:
        Path(code, "app.py").write_text(HANDLER)
        config = FunctionConfig(function_name="trivial")

        def cold() -> object:
            environment = ExecutionEnvironment(config, Path(code), {})
            try:
                return environment.invoke({"n": 1})
            finally:
                environment.shutdown()

        cold_s = median_seconds(cold, repeat=9)
        environment = ExecutionEnvironment(config, Path(code), {})
        try:
            warm_s = median_seconds(lambda: environment.invoke({"n": 1}), repeat=200, warmup=3)
        finally:
            environment.shutdown()
    report("runner cold start (new environment + invoke)", cold_s, warm_s, "warm invoke")


def main() -> None:
    started = time.perf_counter()
    bench_start()
    bench_warm_invoke()
    bench_cold_vs_warm()
    print(f"(benchmarks took {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
