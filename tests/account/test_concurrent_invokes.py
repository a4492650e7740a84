"""Fifty concurrent invokes, ten rounds, all 200 and all the handler's own answer.

Issue 23: under 30-50 concurrent invokes, ExecutionEnvironment.shutdown() closed its
request pipe twice; the reused fd number belonged to another thread by then and healthy
handlers came back as ServiceException or Runtime.ExitError."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

from botocore.config import Config

from labtui.account.learner import LearnerAccount
from tests.account.conftest import TRUST, zipped

CALLERS = 50
ROUNDS = 10
# No boto3 import: the environments' cold starts stay cheap (most of the 50 callers of each
# round start one, since only a few idle environments are kept between rounds).
GREETER = "def handler(event, context):\n    return {'message': 'hello, ' + event['name']}\n"


def test_fifty_concurrent_invokes_ten_times_all_succeed(learner: LearnerAccount) -> None:
    learner.client("iam").create_role(RoleName="greeter-role", AssumeRolePolicyDocument=TRUST)
    learner.client("lambda").create_function(
        FunctionName="lab-hello",
        Role=f"arn:aws:iam::{learner.account_id}:role/greeter-role",
        Runtime="python3.13",
        Handler="app.handler",
        Code={"ZipFile": zipped({"app.py": GREETER})},
        Timeout=30,
    )
    client = learner.client(
        "lambda", config=Config(max_pool_connections=CALLERS, retries={"total_max_attempts": 1})
    )

    def call(number: int) -> tuple[int, str | None, str]:
        response = client.invoke(
            FunctionName="lab-hello", Payload=json.dumps({"name": str(number)}).encode()
        )
        body = response["Payload"].read().decode()
        return response["StatusCode"], response.get("FunctionError"), body

    with ThreadPoolExecutor(CALLERS) as callers:
        for round_number in range(ROUNDS):
            numbers = range(round_number * CALLERS, (round_number + 1) * CALLERS)
            for number, (status, error, body) in zip(numbers, callers.map(call, numbers),
                                                     strict=True):
                assert (status, error) == (200, None), (round_number, body)
                assert json.loads(body)["message"] == f"hello, {number}"
