"""A classroom student's sandbox account survives their labtui quitting (a closed tab) and a
restart: saved into their home on stop, restored when the next process's sandbox starts.
Two real processes, each with its own sandbox (moto state is per process)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

STUDENT = """
import io, json, sys, zipfile
from pathlib import Path
from labtui.classroom.live_account import PersistentSandbox
from labtui.tui.services import RealSandbox
learner = "classroom-st-0123456789"
box = PersistentSandbox(RealSandbox(), learner, Path(sys.argv[2]))
box.start(learner)
account = box._server().learner(learner)
s3, sqs, lam, iam = (account.client(x) for x in ("s3", "sqs", "lambda", "iam"))
if sys.argv[1] == "build":
    s3.create_bucket(Bucket="ana-bucket")
    s3.put_object(Bucket="ana-bucket", Key="notes.txt", Body=b"half done")
    sqs.create_queue(QueueName="ana-orders")
    trust = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
             "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = iam.create_role(RoleName="lab-role", AssumeRolePolicyDocument=json.dumps(trust))
    code = io.BytesIO()
    with zipfile.ZipFile(code, "w") as archive:
        archive.writestr("app.py", "def handler(event, context):\\n    return {'got': event}\\n")
    lam.create_function(FunctionName="lab-fn", Runtime="python3.13", Handler="app.handler",
                        Role=role["Role"]["Arn"], Code={"ZipFile": code.getvalue()},
                        MemorySize=256)
    box.stop()  # the tab closes: the lab quits
    print(json.dumps({}))
else:
    print(json.dumps({
        "buckets": [b["Name"] for b in s3.list_buckets()["Buckets"]],
        "note": s3.get_object(Bucket="ana-bucket", Key="notes.txt")["Body"].read().decode(),
        "queues": [u.rsplit("/", 1)[1] for u in sqs.list_queues().get("QueueUrls", [])],
        "memory": lam.get_function_configuration(FunctionName="lab-fn")["MemorySize"],
        "answer": json.loads(lam.invoke(FunctionName="lab-fn", Payload=b'{"n": 7}')["Payload"].read()),
    }))
    box.stop()
"""


def _run(step: str, home: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", STUDENT, step, str(home / "account.pickle")],
                          env={**os.environ, "LABTUI_HOME": str(home)}, capture_output=True,
                          text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


@pytest.mark.slow
@pytest.mark.sandbox
def test_the_account_comes_back_in_a_new_process(tmp_path: Path) -> None:
    _run("build", tmp_path)
    assert (tmp_path / "account.pickle").stat().st_size > 0
    again = _run("check", tmp_path)
    assert again == {"buckets": ["ana-bucket"], "note": "half done", "queues": ["ana-orders"],
                     "memory": 256, "answer": {"got": {"n": 7}}}


@pytest.mark.slow
@pytest.mark.sandbox
def test_a_damaged_file_starts_an_empty_account_instead_of_crashing(tmp_path: Path) -> None:
    (tmp_path / "account.pickle").write_bytes(b"\x80\x05not a pickle")
    build = _run("build", tmp_path)  # starts empty, works, and saves a good file over it
    assert build == {}
    assert _run("check", tmp_path)["buckets"] == ["ana-bucket"]
