"""What is specific to the behaviour packs of catalog part B, beyond the pack contract
(tests/grading/test_pack_contract.py covers starter / solution / wrong attempts):

* S3 notification matching (s3-trigger-no-recursion, R-4.14);
* the credential detector of secrets-not-env (R-8.6);
* graded solutions that differ from the shipped attempts in one respect, to show the
  checks react to behaviour and not to the text of a known attempt.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from labtui.grading.pack import load_pack
from labtui.grading.s3_checks import matches
from labtui.grading.service import grade

SANDBOX = load_pack("init-outside-handler").path.parent


def _config(prefix: str | None = None, suffix: str | None = None,
            events: tuple[str, ...] = ("s3:ObjectCreated:*",)) -> dict[str, Any]:
    rules = [{"Name": n, "Value": v} for n, v in (("Prefix", prefix), ("Suffix", suffix)) if v]
    config: dict[str, Any] = {"LambdaFunctionArn": "arn:aws:lambda:us-east-1:1:function:f",
                              "Events": list(events)}
    if rules:
        config["Filter"] = {"Key": {"FilterRules": rules}}
    return config


def test_notification_filters_match_prefix_suffix_and_event() -> None:
    jpeg_uploads = _config("uploads/", ".jpg")
    assert matches(jpeg_uploads, "ObjectCreated:Put", "uploads/cat.jpg")
    assert matches(jpeg_uploads, "ObjectCreated:Copy", "uploads/cat.jpg")
    assert not matches(jpeg_uploads, "ObjectCreated:Put", "thumbnails/cat-thumb.jpg")
    assert not matches(jpeg_uploads, "ObjectCreated:Put", "uploads/cat.png")
    assert not matches(jpeg_uploads, "ObjectRemoved:Delete", "uploads/cat.jpg")
    suffix_only = _config(suffix=".jpg")
    assert matches(suffix_only, "ObjectCreated:Put", "thumbnails/cat-thumb.jpg")
    puts_only = _config(events=("s3:ObjectCreated:Put",))
    assert not matches(puts_only, "ObjectCreated:Copy", "anything")
    assert matches(_config(), "ObjectCreated:Put", "anything")


def _secrets_checks() -> Any:
    import sys

    load_pack("secrets-not-env")
    return sys.modules["labtui_pack_checks_secrets_not_env"]


@pytest.mark.parametrize(("key", "value"), [
    ("DB_PASSWORD", "Bl-7mqP2-vX9s-Q4za"),
    ("SETTINGS", "host=db;password=Bl-7mqP2-vX9s-Q4za"),
    ("DB_PASSWORD_ENCRYPTED", "AQICAHh" + "A" * 60),
    ("BLOB", "AQICAHhk2jv9pZ3tLx0E8mYc1QvR7sW4uN6bF5aD3gH2jK9lM0nP1oQ2rS3tU4vW5xY6zA=="),
    ("API_TOKEN", "abc"),
    ("DATABASE_URL", "postgres://billing_sync:hunter2@billing-db.internal/billing"),
    ("UPSTREAM", "AKIAIOSFODNN7EXAMPLE"),
])
def test_credential_like_environment_values_are_flagged(key: str, value: str) -> None:
    assert _secrets_checks().credential_reason(key, value) is not None


@pytest.mark.parametrize(("key", "value"), [
    ("SECRET_ID", "prod/billing/db"),
    ("SECRET_ARN", "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/billing/db-AbCdEf"),
    ("DB_HOST", "billing-db.internal"),
    ("DB_USER", "billing_sync"),
    ("LOG_LEVEL", "INFO"),
])
def test_references_and_plain_settings_are_not_flagged(key: str, value: str) -> None:
    assert _secrets_checks().credential_reason(key, value) is None


def _variant(tmp_path: Path, pack: str, attempt: str, edits: dict[str, tuple[str, str]]) -> Path:
    """A copy of one shipped attempt with text replacements (file -> (old, new))."""
    target = tmp_path / "attempt"
    shutil.copytree(SANDBOX / pack / attempt, target)
    for name, (old, new) in edits.items():
        path = target / name
        text = path.read_text(encoding="utf-8")
        assert old in text, f"{name} no longer contains {old!r}"
        path.write_text(text.replace(old, new), encoding="utf-8")
    return target


def _failed(pack: str, solution: Path) -> set[str]:
    report = grade(pack, solution_dir=solution)
    assert report.error is None, report.error
    return {result.id for result in report.results if not result.passed}


@pytest.mark.sandbox
@pytest.mark.slow
def test_a_lazy_global_client_built_in_the_first_call_counts_as_once(
    sandbox: Any, tmp_path: Path
) -> None:
    # init-outside-handler c1 measures clients per environment, however the code is shaped.
    old = "CONFIG = load_config()\nDYNAMODB = boto3.client(\"dynamodb\")\n"
    new = ("CONFIG = load_config()\nDYNAMODB = None\n\n\ndef client():\n    global DYNAMODB\n"
           "    if DYNAMODB is None:\n        DYNAMODB = boto3.client(\"dynamodb\")\n"
           "    return DYNAMODB\n")
    solution = _variant(tmp_path, "init-outside-handler", "solution", {
        "app.py": (old, new)})
    text = (solution / "app.py").read_text(encoding="utf-8")
    (solution / "app.py").write_text(text.replace("item = DYNAMODB.get_item(",
                                                  "item = client().get_item("),
                                     encoding="utf-8")
    assert _failed("init-outside-handler", solution) == set()


@pytest.mark.sandbox
def test_idempotent_handler_c1_counts_the_items_it_expects(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A passing c1 said "expected: ... 1 message, 1 item" and "actual: ... 2 item(s)
    # recorded": the count covers both events, so the expected must say so too.
    from labtui.grading.apply import apply_solution
    from labtui.grading.context import GradingContext
    from labtui.grading.sandbox import setup_model

    pack = load_pack("idempotent-async-handler")
    account = sandbox.learner("idempotency-c1-wording")
    account.seed(setup_model(pack.manifest, pack.path), pack.path)
    apply_solution(pack.solution, account.env())
    check = pack.checks["c1"]
    monkeypatch.setitem(check.__globals__, "start_of_next_second", lambda: None)  # (fast)
    ctx = GradingContext(manifest=pack.manifest, pack_dir=pack.path, env=account.env(),
                         account_id=account.account_id, solution_dir=pack.solution,
                         answers={}, account=account, seed=7)
    c1 = check(ctx)
    account.wipe()
    assert c1.passed, c1
    assert "1 item per event" in c1.expected and "2 item(s) for the 2 events" in c1.actual


@pytest.mark.sandbox
@pytest.mark.slow
def test_idempotent_handler_without_the_dynamodb_permission_fails_c1(
    sandbox: Any, tmp_path: Path
) -> None:
    # The sandbox does not enforce IAM; c1 evaluates the role for the calls the code made.
    solution = _variant(tmp_path, "idempotent-async-handler", "solution", {
        "setup.sh": ("aws iam put-role-policy", ": aws iam put-role-policy")})
    assert _failed("idempotent-async-handler", solution) == {"c1"}


@pytest.mark.sandbox
@pytest.mark.slow
def test_idempotent_handler_that_swallows_every_error_fails_c3(
    sandbox: Any, tmp_path: Path
) -> None:
    solution = _variant(tmp_path, "idempotent-async-handler", "solution", {
        "app.py": ("except DYNAMODB.exceptions.ConditionalCheckFailedException:",
                   "except Exception:")})
    assert _failed("idempotent-async-handler", solution) == {"c3"}


def _second_copy_late(monkeypatch: pytest.MonkeyPatch, delay_s: float) -> None:
    """Of the first two deliveries of one event that run at once (c2's pair), the second
    starts ``delay_s`` late: what a loaded machine can do to it."""
    import threading
    import time

    from labtui.grading import idempotency_checks

    deliver, lock = idempotency_checks.deliver, threading.Lock()
    running: list[str] = []
    delayed: list[str] = []

    def late(ctx: Any, function: str, event: Any) -> Any:
        with lock:
            wait = event["eventId"] in running and not delayed
            running.append(event["eventId"])
            if wait:
                delayed.append(event["eventId"])
        try:
            if wait:
                time.sleep(delay_s)
            return deliver(ctx, function, event)
        finally:
            with lock:
                running.remove(event["eventId"])

    monkeypatch.setattr(idempotency_checks, "deliver", late)


@pytest.mark.sandbox
@pytest.mark.slow
def test_get_then_put_fails_c2_when_one_copy_reads_late(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # on a loaded machine one copy of the duplicate event can reach its read well
    # after the other. The reads used to meet only within a time window; past it the
    # waiting copy went on alone, the check-then-act handler sent once, and c2 passed.
    from labtui.grading import idempotency_checks

    _second_copy_late(monkeypatch, 1.5)
    monkeypatch.setattr(idempotency_checks, "RENDEZVOUS_TIMEOUT_S", 0.5)  # the old window
    attempt = SANDBOX / "idempotent-async-handler" / "wrong" / "get-then-put"
    assert _failed("idempotent-async-handler", attempt) == {"c2"}


@pytest.mark.sandbox
@pytest.mark.slow
def test_a_clock_key_split_across_a_second_by_a_slow_machine_still_fails_only_c1(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # c2's copies are meant to run in one second. If a loaded machine runs one of them in
    # the next, a key from the clock differs between them and both send: c2 failed this
    # attempt, whose mistake is c1's alone. c2 now runs such a pair again.
    _second_copy_late(monkeypatch, 1.2)
    attempt = SANDBOX / "idempotent-async-handler" / "wrong" / "key-from-processing-time"
    assert _failed("idempotent-async-handler", attempt) == {"c1"}


@pytest.mark.sandbox
@pytest.mark.slow
def test_thumbnails_in_another_bucket_pass_without_a_prefix(sandbox: Any, tmp_path: Path) -> None:
    # "output to thumbnails/ or another bucket": with the output elsewhere, a suffix-only
    # filter is enough, once the role may write there (R-8.5; without that grant the same
    # setup is wrong/other-bucket-role-cannot-write).
    solution = _variant(tmp_path, "s3-trigger-no-recursion", "wrong/suffix-only-filter", {
        "setup.sh": ("--environment 'Variables={OUTPUT_PREFIX=thumbnails/}'",
                     "--environment 'Variables={OUTPUT_BUCKET=thumbnails-bucket}'")})
    script = solution / "setup.sh"
    grant = ("aws iam put-role-policy --role-name thumbnailer-role --policy-name thumbnails "
             "--policy-document '{\"Version\": \"2012-10-17\", \"Statement\": [{\"Effect\": "
             "\"Allow\", \"Action\": \"s3:PutObject\", \"Resource\": "
             "\"arn:aws:s3:::thumbnails-bucket/*\"}]}'\n")
    script.write_text(script.read_text(encoding="utf-8").replace(
        "# 1. Only", "aws s3api create-bucket --bucket thumbnails-bucket > /dev/null\n"
        + grant + "# 1. Only"), encoding="utf-8")
    assert _failed("s3-trigger-no-recursion", solution) == set()


@pytest.mark.sandbox
@pytest.mark.slow
def test_secret_fetched_lazily_on_the_first_call_is_one_fetch(
    sandbox: Any, tmp_path: Path
) -> None:
    old = ("_secrets = boto3.client(\"secretsmanager\")\nCREDENTIALS = json.loads(\n"
           "    _secrets.get_secret_value(SecretId=os.environ[\"SECRET_ID\"])[\"SecretString\"]\n)\n")
    new = ("_secrets = boto3.client(\"secretsmanager\")\nCREDENTIALS = {}\n\n\n"
           "def credentials():\n    if not CREDENTIALS:\n        CREDENTIALS.update(json.loads(\n"
           "            _secrets.get_secret_value(SecretId=os.environ[\"SECRET_ID\"])"
           "[\"SecretString\"]))\n    return CREDENTIALS\n")
    solution = _variant(tmp_path, "secrets-not-env", "solution", {"app.py": (old, new)})
    app = solution / "app.py"
    app.write_text(app.read_text(encoding="utf-8").replace(
        "CREDENTIALS[\"host\"], CREDENTIALS[\"username\"], CREDENTIALS[\"password\"]",
        "credentials()[\"host\"], credentials()[\"username\"], credentials()[\"password\"]"),
        encoding="utf-8")
    assert _failed("secrets-not-env", solution) == set()


def test_watching_checks_refuse_a_sandbox_in_another_process() -> None:
    # A RemoteAccount (--live against `labtui sandbox serve`) has no in-process sandbox:
    # counting at moto or probing the runner there would grade wrongly, so it is an error.
    from labtui.errors import LabError
    from labtui.grading.context import GradingContext
    from labtui.grading.lifecycle_checks import in_process_sandbox, run_in_one_environment

    pack = load_pack("init-outside-handler")
    ctx = GradingContext(manifest=pack.manifest, pack_dir=pack.path, env={},
                         account_id="123456789012", account=object())
    with pytest.raises(LabError, match="labtui check init-outside-handler"):
        in_process_sandbox(ctx)
    with pytest.raises(LabError):
        run_in_one_environment(ctx, "orders-lookup", [{}])


@pytest.mark.sandbox
@pytest.mark.slow
def test_config_read_per_call_through_pathlib_is_observed_by_c2(
    sandbox: Any, tmp_path: Path
) -> None:
    # init-outside-handler c2 counts configuration reads, whatever API reads the file and
    # however fast it is (no timing): a pathlib read in the handler fails, at Init passes.
    solution = _variant(tmp_path, "init-outside-handler", "solution", {
        "app.py": ("CONFIG = load_config()\n", "")})
    text = (solution / "app.py").read_text(encoding="utf-8")
    text = text.replace("    time.sleep(0.4)\n", "").replace(
        "    with open(os.path.join(os.path.dirname(__file__), \"config.json\")) as source:\n"
        "        return json.load(source)\n",
        "    import pathlib\n"
        "    return json.loads((pathlib.Path(__file__).parent / \"config.json\").read_text())\n")
    per_call = text.replace("    order_id = event[\"orderId\"]\n",
                            "    CONFIG = load_config()\n    order_id = event[\"orderId\"]\n", 1)
    (solution / "app.py").write_text(per_call, encoding="utf-8")
    assert _failed("init-outside-handler", solution) == {"c2"}
    at_init = text.replace("DYNAMODB = boto3.client", "CONFIG = load_config()\nDYNAMODB = boto3.client")
    (solution / "app.py").write_text(at_init, encoding="utf-8")
    assert _failed("init-outside-handler", solution) == set()


@pytest.mark.sandbox
@pytest.mark.slow
def test_thumbnails_to_a_bucket_never_created_get_a_hint_about_the_bucket(
    sandbox: Any, tmp_path: Path
) -> None:
    # The handler's NoSuchBucket is the learner's OUTPUT_BUCKET, not the S3 event's key: the
    # hint says to create the bucket instead of sending the learner to URL-decoding.
    solution = _variant(tmp_path, "s3-trigger-no-recursion", "solution", {
        "setup.sh": ("--environment 'Variables={OUTPUT_PREFIX=thumbnails/}'",
                     "--environment 'Variables={OUTPUT_BUCKET=thumbnails-bucket}'")})
    report = grade("s3-trigger-no-recursion", solution_dir=solution)
    c2 = next(result for result in report.results if result.id == "c2")
    assert not c2.passed
    assert "does not exist" in (c2.hint or "") and "unquote_plus" not in (c2.hint or "")


def _c3_actual(solution: Path) -> str:
    report = grade("least-privilege-role", solution_dir=solution)
    assert report.error is None, report.error
    return next(r.actual for r in report.results if r.id == "c3")


@pytest.mark.sandbox
@pytest.mark.slow
def test_least_privilege_c3_names_only_tables_that_exist(sandbox: Any, tmp_path: Path) -> None:
    # QA: Resource "*" was said to reach "customers, orders-archive, payments", though the
    # account holds only orders and customers.
    star = SANDBOX / "least-privilege-role" / "wrong" / "resource-star"
    assert _c3_actual(star) == "the role may read every table in the account, such as customers"
    pattern = _variant(tmp_path, "least-privilege-role", "wrong/resource-star",
                       {"setup.sh": ('"Resource": "*"', '"Resource": "${TABLE_ARN}*"')})
    assert _c3_actual(pattern) == ("the role may also read other tables its Resource matches, "
                                   "such as orders-archive once one is made")



class _Ec2:
    """describe_* answers for vpc-endpoint-s3's c2: lab-vpc's route tables and subnets."""

    def __init__(self, endpoint: dict[str, Any]) -> None:
        self.endpoint = endpoint

    def describe_vpc_endpoints(self) -> dict[str, Any]:
        return {"VpcEndpoints": [{"ServiceName": "com.amazonaws.us-east-1.s3",
                                  "State": "available", **self.endpoint}]}

    def describe_route_tables(self) -> dict[str, Any]:
        def table(rtb: str, name: str, *subnets: str) -> dict[str, Any]:
            return {"RouteTableId": rtb, "Tags": [{"Key": "Name", "Value": name}],
                    "Associations": [{"SubnetId": s} for s in subnets]}
        return {"RouteTables": [table("rtb-01", "private-rt", "subnet-0a", "subnet-0b"),
                                table("rtb-02", "public-rt", "subnet-1a"),
                                {"RouteTableId": "rtb-03", "Associations": [{"Main": True}]}]}

    def describe_subnets(self) -> dict[str, Any]:
        return {"Subnets": [{"SubnetId": sid, "Tags": [{"Key": "Name", "Value": name}]}
                            for sid, name in (("subnet-0a", "private-a"),
                                              ("subnet-0b", "private-b"),
                                              ("subnet-1a", "public-a"))]}


@pytest.mark.parametrize(("endpoint", "actual"), [
    ({"VpcEndpointType": "Gateway", "RouteTableIds": ["rtb-02"]},
     "the S3 endpoint is on route table public-rt, not on private-rt"),
    ({"VpcEndpointType": "Gateway", "RouteTableIds": ["rtb-02", "rtb-03"]},
     "the S3 endpoint is on route tables public-rt and rtb-03, not on private-rt"),
    ({"VpcEndpointType": "Gateway", "RouteTableIds": []},
     "the S3 endpoint is on no route table"),
    ({"VpcEndpointType": "Interface", "SubnetIds": ["subnet-0a"]},
     "the S3 Interface endpoint is in subnet private-a, not in both private-a and private-b"),
])
def test_vpc_endpoint_c2_says_where_the_endpoint_is_in_words(
        endpoint: dict[str, Any], actual: str) -> None:
    # QA: c2 printed a Python list of route table ids (['rtb-…']) or '-'.
    from labtui.grading.context import GradingContext

    pack = load_pack("vpc-endpoint-s3")
    ec2 = _Ec2(endpoint)

    class Context(GradingContext):
        def aws(self, service: str) -> Any:
            assert service == "ec2"
            return ec2

    ctx = Context(manifest=pack.manifest, pack_dir=pack.path, env={}, account_id="1")
    result = pack.checks["c2"](ctx)
    assert not result.passed and result.actual == actual
