"""S3 filter rule names as AWS accepts them (``Prefix``/``Suffix``) reach moto lower-cased
(labtui/account/s3_requests.py): a correct setup.py passes, an invalid name gets S3's 400,
and no moto traceback reaches the learner's screen either way."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from labtui.account.s3_requests import normalise_filter_rules
from labtui.grading.pack import load_pack
from labtui.grading.service import grade

_RULES = b"<FilterRule><Name>%s</Name><Value>uploads/</Value></FilterRule>"


@pytest.mark.parametrize("name", [b"Prefix", b"PREFIX", b"prefix", b" Suffix "])
def test_rule_names_are_lower_cased(name: bytes) -> None:
    fixed, invalid = normalise_filter_rules(_RULES % name)
    assert invalid is None
    assert fixed == _RULES % name.strip().lower()


def test_a_name_that_is_neither_prefix_nor_suffix_is_reported() -> None:
    body = (_RULES % b"Prefix") + (_RULES % b"Contains")
    fixed, invalid = normalise_filter_rules(body)
    assert invalid == b"Contains"
    assert fixed.startswith(_RULES % b"prefix")


_SETUP_PY = '''
import json
import boto3

lam = boto3.client("lambda")
s3 = boto3.client("s3")
arn = lam.get_function(FunctionName="thumbnailer")["Configuration"]["FunctionArn"]
account = arn.split(":")[4]
s3.put_bucket_notification_configuration(
    Bucket="uploads-bucket",
    NotificationConfiguration={"LambdaFunctionConfigurations": [{
        "LambdaFunctionArn": arn, "Events": ["s3:ObjectCreated:*"],
        "Filter": {"Key": {"FilterRules": [
            {"Name": "%s", "Value": "uploads/"}, {"Name": "%s", "Value": ".jpg"}]}},
    }]},
)
lam.update_function_configuration(FunctionName="thumbnailer",
                                  Environment={"Variables": {"OUTPUT_PREFIX": "thumbnails/"}})
lam.get_waiter("function_updated_v2").wait(FunctionName="thumbnailer")
lam.remove_permission(FunctionName="thumbnailer", StatementId="s3-invoke")
lam.add_permission(FunctionName="thumbnailer", StatementId="s3-invoke",
                   Action="lambda:InvokeFunction", Principal="s3.amazonaws.com",
                   SourceArn="arn:aws:s3:::uploads-bucket", SourceAccount=account)
'''


def _attempt(tmp_path: Path, first: str, second: str) -> Path:
    folder = tmp_path / "attempt"
    shutil.copytree(load_pack("s3-trigger-no-recursion").solution, folder)
    (folder / "setup.sh").unlink()
    (folder / "setup.py").write_text(_SETUP_PY % (first, second), encoding="utf-8")
    return folder


@pytest.mark.sandbox
def test_capitalised_filter_rule_names_pass_without_a_traceback(
    sandbox: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    report = grade("s3-trigger-no-recursion", solution_dir=_attempt(tmp_path, "Prefix", "Suffix"))
    printed = capfd.readouterr()
    assert report.error is None, report.error
    assert report.passed, [(r.id, r.actual) for r in report.failed()]
    assert "Traceback" not in printed.err + printed.out


@pytest.mark.sandbox
def test_an_invalid_filter_rule_name_is_s3s_400_without_a_traceback(
    sandbox: Any, tmp_path: Path, capfd: pytest.CaptureFixture[str]
) -> None:
    report = grade("s3-trigger-no-recursion", solution_dir=_attempt(tmp_path, "Prefix", "Contains"))
    printed = capfd.readouterr()
    assert report.error is not None
    assert "filter rule name must be either prefix or suffix" in report.error
    assert "Traceback" not in printed.err + printed.out + report.error


@pytest.mark.sandbox
@pytest.mark.slow
def test_a_request_moto_fails_on_prints_no_traceback(tmp_path: Path) -> None:
    # moto asserts that a rule's Value is not empty. Run as the learner does (a real
    # `labtui check` process, no pytest log capture in between): whatever moto answers,
    # the learner sees one line from their script, never moto's or werkzeug's traceback.
    import os
    import subprocess
    import sys

    folder = _attempt(tmp_path, "Prefix", "Suffix")
    text = (folder / "setup.py").read_text(encoding="utf-8")
    (folder / "setup.py").write_text(text.replace('"Value": ".jpg"', '"Value": ""'),
                                     encoding="utf-8")
    home = tmp_path / "home"
    home.mkdir()
    done = subprocess.run(
        [sys.executable, "-m", "labtui", "check", "s3-trigger-no-recursion",
         "--solution", str(folder)],
        capture_output=True, text=True, timeout=240,
        env={**os.environ, "LABTUI_HOME": str(home)},
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "PutBucketNotificationConfiguration" in done.stdout + done.stderr
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
