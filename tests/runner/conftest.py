from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from labtui.runner import EnvironmentPool, ExecutionEnvironment, FunctionConfig

APP = """
import json, os, sys, socket, time
COUNT = 0
print("init ran")

def lambda_handler(event, context):
    global COUNT
    COUNT += 1
    print("event", json.dumps(event))
    return {
        "message": "hello, " + str(event.get("name")),
        "count": COUNT,
        "memory_mb": context.memory_limit_in_mb,
        "remaining_ms": context.get_remaining_time_in_millis(),
        "function_name": context.function_name,
        "function_version": context.function_version,
        "arn": context.invoked_function_arn,
        "request_id": context.aws_request_id,
        "log_group": context.log_group_name,
        "log_stream": context.log_stream_name,
    }

def echo(event, context):
    return event

def environment(event, context):
    return dict(os.environ)

def tmp_write(event, context):
    path = os.path.join(os.environ["TMPDIR"], "state.txt")
    existed = os.path.exists(path)
    with open(path, "a") as handle:
        handle.write("x")
    return {"existed": existed}

def boom(event, context):
    raise ValueError("bad input: " + str(event.get("name")))

def loop(event, context):
    while True:
        pass

def slow(event, context):
    time.sleep(float(event.get("seconds", 1)))
    return "done"

def memory_bomb(event, context):
    hoard = []
    while True:
        hoard.append(bytearray(10 * 1024 * 1024))

def big_allocation(event, context):
    block = bytearray(400 * 1024 * 1024)
    return len(block)

def fork_bomb(event, context):
    started = 0
    while True:
        try:
            if os.fork() == 0:
                while True:
                    time.sleep(1)
            started += 1
        except OSError as error:
            return {"started": started, "error": error.errno}

def exits(event, context):
    sys.exit(3)

def hard_exit(event, context):
    os._exit(0)

def not_json(event, context):
    return {1, 2, 3}

def network(event, context):
    results = {}
    try:
        socket.create_connection(("10.1.2.3", 443), timeout=1)
        results["connect"] = "connected"
    except OSError as error:
        results["connect"] = str(error)
    try:
        socket.getaddrinfo("example.com", 443)
        results["dns"] = "resolved"
    except OSError as error:
        results["dns"] = str(error)
    return results

def credentials(event, context):
    import boto3
    found = boto3.Session().get_credentials()
    return {"access_key": found.access_key if found else None,
            "home": os.environ.get("HOME")}
"""

SYNTAX_ERROR = "def lambda_handler(event, context)\n    return 1\n"

SANDBOX_ENV = {
    "AWS_ENDPOINT_URL": "http://127.0.0.1:9",
    "AWS_ACCESS_KEY_ID": "AKIALABTESTKEY000001",
    "AWS_SECRET_ACCESS_KEY": "fake",
}


@pytest.fixture(scope="module")
def code_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("code")
    (directory / "app.py").write_text(APP)
    return directory


def make_config(handler: str = "app.lambda_handler", **overrides: object) -> FunctionConfig:
    values: dict[str, object] = {
        "function_name": "lab-hello",
        "handler": handler,
        "memory_mb": 128,
        "timeout_s": 2.0,
    }
    values.update(overrides)
    return FunctionConfig(**values)  # type: ignore[arg-type]


@pytest.fixture
def environment_for(code_dir: Path) -> Iterator[object]:
    started: list[ExecutionEnvironment] = []

    def build(handler: str = "app.lambda_handler", **overrides: object) -> ExecutionEnvironment:
        environment = ExecutionEnvironment(make_config(handler, **overrides), code_dir, SANDBOX_ENV)
        started.append(environment)
        return environment

    yield build
    for environment in started:
        environment.shutdown()


@pytest.fixture
def pool() -> Iterator[EnvironmentPool]:
    environments = EnvironmentPool(SANDBOX_ENV)
    yield environments
    environments.shutdown()


@pytest.fixture
def broken_code_dir(tmp_path: Path) -> Path:
    """A code directory whose app.py does not compile."""
    (tmp_path / "app.py").write_text(SYNTAX_ERROR)
    return tmp_path
