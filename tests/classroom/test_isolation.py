"""Two students of one room try to reach each other's sandbox resources and files, and fail."""

from __future__ import annotations

import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from labtui.classroom.hosting import student_environment
from labtui.classroom.paths import student_home
from labtui.classroom.store import ClassroomStore


@pytest.fixture
def two_students(tmp_path: Path) -> Iterator[tuple[object, object]]:
    with ClassroomStore(f"sqlite:///{tmp_path / 'c.sqlite3'}") as store:
        room = store.open_room("iso")
        ana, _ = store.join(room.id, "Ana")
        bo, _ = store.join(room.id, "Bo")
        yield ana, bo


ANA_PROCESS = """
import json, sys
from pathlib import Path
from labtui.account import Sandbox
box = Sandbox(work_dir=Path(sys.argv[1])).start()
ana = box.learner(sys.argv[2])
queue = ana.client("sqs").create_queue(QueueName="ana-orders")["QueueUrl"]
ana.client("s3").create_bucket(Bucket="ana-private-bucket")
ana.client("iam").create_role(RoleName="ana-role", AssumeRolePolicyDocument="{}")
print(json.dumps({"env": ana.env(), "queue": queue}), flush=True)
sys.stdin.read()
box.stop()
"""


@pytest.fixture
def two_sandboxes(
    two_students: tuple[Any, Any], tmp_path: Path
) -> Iterator[tuple[dict[str, Any], Any]]:
    """As in a classroom: each student's labtui is its own process with its own sandbox.

    Ana's runs in a child process (moto keeps its state per process); Bo's in this one.
    """
    from labtui.account import Sandbox

    ana, bo = two_students
    child = subprocess.Popen([sys.executable, "-c", ANA_PROCESS, str(tmp_path / "ana-box"),
                              ana.learner_id], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                             text=True)
    try:
        assert child.stdout is not None
        ana_side = json.loads(child.stdout.readline())
        with Sandbox(work_dir=tmp_path / "bo-box") as bo_box:
            yield ana_side, bo_box.learner(bo.learner_id)
    finally:
        child.communicate("", timeout=60)


def _client(env: dict[str, str], service: str, endpoint: str | None = None) -> Any:
    import boto3

    return boto3.client(service, endpoint_url=endpoint or env["AWS_ENDPOINT_URL"],
                        region_name=env["AWS_REGION"],
                        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
                        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"])


@pytest.mark.sandbox
def test_a_student_cannot_see_or_change_another_students_sandbox_resources(
    two_sandboxes: tuple[dict[str, Any], Any],
) -> None:
    from botocore.exceptions import ClientError

    ana_side, theirs = two_sandboxes
    ana_env, queue_url = ana_side["env"], ana_side["queue"]
    assert ana_env["AWS_ENDPOINT_URL"] != theirs.sandbox.endpoint_url
    sqs, s3, iam = theirs.client("sqs"), theirs.client("s3"), theirs.client("iam")
    assert sqs.list_queues().get("QueueUrls", []) == []
    assert s3.list_buckets()["Buckets"] == []
    with pytest.raises(ClientError):
        iam.get_role(RoleName="ana-role")
    with pytest.raises(ClientError):
        sqs.send_message(QueueUrl=queue_url, MessageBody="from bo")
    with pytest.raises(ClientError):
        sqs.delete_queue(QueueUrl=queue_url)
    with pytest.raises(ClientError):
        s3.get_object(Bucket="ana-private-bucket", Key="anything")
    with contextlib.suppress(ClientError):  # lands in Bo's own sandbox, if anywhere
        s3.put_object(Bucket="ana-private-bucket", Key="x", Body=b"bo was here")
    # Ana's resources are intact and untouched
    assert _client(ana_env, "sqs").list_queues()["QueueUrls"] == [queue_url]
    attributes = _client(ana_env, "sqs").get_queue_attributes(
        QueueUrl=queue_url, AttributeNames=["ApproximateNumberOfMessages"])["Attributes"]
    assert attributes["ApproximateNumberOfMessages"] == "0"
    assert _client(ana_env, "s3").list_objects_v2(Bucket="ana-private-bucket")["KeyCount"] == 0
    _client(ana_env, "iam").get_role(RoleName="ana-role")


@pytest.mark.sandbox
def test_another_students_key_aimed_at_my_sandbox_port_cannot_write(
    two_sandboxes: tuple[dict[str, Any], Any],
) -> None:
    from botocore.exceptions import ClientError

    ana_side, theirs = two_sandboxes
    ana_env = ana_side["env"]
    intruder = _client(theirs.env(), "s3", endpoint=ana_env["AWS_ENDPOINT_URL"])
    with contextlib.suppress(ClientError):
        intruder.put_object(Bucket="ana-private-bucket", Key="x", Body=b"bo was here")
    assert _client(ana_env, "s3").list_objects_v2(Bucket="ana-private-bucket")["KeyCount"] == 0


def test_each_student_process_gets_its_own_home_and_learner(
    two_students: tuple[object, object],
) -> None:
    ana, bo = two_students
    env_ana = student_environment("iso", ana, "token-a", "http://127.0.0.1:1")  # type: ignore[arg-type]
    env_bo = student_environment("iso", bo, "token-b", "http://127.0.0.1:1")  # type: ignore[arg-type]
    home_a, home_b = Path(env_ana["LABTUI_HOME"]), Path(env_bo["LABTUI_HOME"])
    assert home_a != home_b and home_a not in home_b.parents and home_b not in home_a.parents
    assert env_ana["LABTUI_LEARNER"] != env_bo["LABTUI_LEARNER"]
    assert env_ana["LABTUI_CLASSROOM_TOKEN"] == "token-a"
    assert home_a == student_home("iso", ana.id)  # type: ignore[attr-defined]
    with pytest.raises(ValueError):
        student_home("iso", "../st-other")
