"""SQS attribute values SQS refuses are refused with its error code, not moto's HTML 500
(labtui/account/sqs_requests.py). The sqs-visibility-timeout README's command typed with
its placeholder (``VisibilityTimeout=...``) used to get a 500 page after four retries."""

from __future__ import annotations

import io
import json
import urllib.parse
from typing import Any

import pytest
from botocore.exceptions import ClientError

from labtui.account import Sandbox
from labtui.account.sqs_requests import SqsRequestChecks, attribute_problem


@pytest.mark.parametrize("value", ["...", "abc", "360.5", "", "-1", "43201", "٣٦٠"])
def test_visibility_timeout_outside_sqs_range_is_refused(value: str) -> None:
    assert attribute_problem({"VisibilityTimeout": value}) == (
        "InvalidAttributeValue", "Invalid value for the parameter VisibilityTimeout.")


@pytest.mark.parametrize("attributes", [
    {"VisibilityTimeout": "0"}, {"VisibilityTimeout": "360"}, {"VisibilityTimeout": 43200},
    {"DelaySeconds": "900"}, {"ReceiveMessageWaitTimeSeconds": "20"},
    {"RedrivePolicy": '{"deadLetterTargetArn": "arn:x", "maxReceiveCount": "3"}'},
    {"Policy": "{}"}, {"FifoQueue": "true"},
])
def test_values_sqs_accepts_pass(attributes: dict[str, Any]) -> None:
    assert attribute_problem(attributes) is None


def test_max_receive_count_outside_1_to_1000_is_sqs_invalid_parameter() -> None:
    problem = attribute_problem(
        {"RedrivePolicy": '{"deadLetterTargetArn": "arn:x", "maxReceiveCount": "abc"}'})
    assert problem is not None and problem[0] == "InvalidParameterValue"
    assert "valid values are from 1 to 1000" in problem[1]


def test_through_the_sandbox_the_cli_shape_gets_sqs_error_at_once(sandbox: Sandbox) -> None:
    sqs = sandbox.learner("sqs-attrs").client("sqs")
    url = sqs.create_queue(QueueName="reports")["QueueUrl"]
    for value in ("...", "99999"):
        with pytest.raises(ClientError) as refused:
            sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": value})
        error = refused.value.response
        assert error["Error"]["Code"] == "InvalidAttributeValue"
        assert error["ResponseMetadata"]["HTTPStatusCode"] == 400
        assert error["ResponseMetadata"]["RetryAttempts"] == 0  # a 500 was retried 4 times
    sqs.set_queue_attributes(QueueUrl=url, Attributes={"VisibilityTimeout": "360"})
    shown = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["VisibilityTimeout"])
    assert shown["Attributes"]["VisibilityTimeout"] == "360"
    with pytest.raises(ClientError, match="InvalidAttributeValue"):
        sqs.create_queue(QueueName="too-slow", Attributes={"DelaySeconds": "901"})
    with pytest.raises(ClientError, match="InvalidParameterValue"):
        sqs.set_queue_attributes(QueueUrl=url, Attributes={"RedrivePolicy": json.dumps(
            {"deadLetterTargetArn": "arn:aws:sqs:us-east-1:1:dlq", "maxReceiveCount": "x"})})


def _form_call(fields: dict[str, str], service: str = "sqs") -> tuple[str, bytes, list[bytes]]:
    seen: list[bytes] = []

    def moto(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        seen.append(environ["wsgi.input"].read(int(environ["CONTENT_LENGTH"])))
        start_response("200 OK", [])
        return [b"ok"]

    body = urllib.parse.urlencode(fields).encode()
    environ = {"REQUEST_METHOD": "POST", "CONTENT_TYPE": "application/x-www-form-urlencoded",
               "CONTENT_LENGTH": str(len(body)), "wsgi.input": io.BytesIO(body),
               "HTTP_AUTHORIZATION": "AWS4-HMAC-SHA256 Credential=AKIALABTEST/20260101/"
               f"us-east-1/{service}/aws4_request, SignedHeaders=host, Signature=0"}
    status: list[str] = []
    answer = b"".join(SqsRequestChecks(moto)(environ, lambda s, h: status.append(s)))
    return status[0], answer, seen


def test_query_protocol_is_checked_too_and_moto_still_reads_the_body() -> None:
    fields = {"Action": "SetQueueAttributes", "QueueUrl": "http://x/1/reports",
              "Attribute.1.Name": "VisibilityTimeout", "Attribute.1.Value": "..."}
    status, answer, seen = _form_call(fields)
    assert status.startswith("400") and b"<Code>InvalidAttributeValue</Code>" in answer
    assert seen == []
    fields["Attribute.1.Value"] = "360"
    status, answer, seen = _form_call(fields)
    assert status.startswith("200") and seen == [urllib.parse.urlencode(fields).encode()]
    # another service's query call with the same field names is not SQS's business
    fields["Attribute.1.Value"] = "..."
    assert _form_call(fields, service="sns")[0].startswith("200")
