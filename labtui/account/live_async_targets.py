"""Writing what Lambda sends after an asynchronous invocation into the learner's account.

lambdasim decides *what* is sent and *when* (R-3.6 DLQ messages, R-3.8 invocation
records); this module puts it where the learner can see it: an SQS message, an SNS
publish, an asynchronous invoke of a Lambda function, an EventBridge event. Everything
goes through the sandbox endpoint with the credentials of the account the function
lives in, so the gateway's account isolation holds: a target ARN of another account
is refused, never written to a queue of the same name in the caller's account.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import Any

_log = logging.getLogger(__name__)

# lambdasim would invoke a Lambda destination inside its own world; the live engine
# hands it a token instead and invokes the real function through the gateway.
LAMBDA_TOKEN_PREFIX = "arn:aws:labtui-lambda:"


def lambda_token(target: str) -> str:
    return LAMBDA_TOKEN_PREFIX + target


def real_target(target: str) -> str:
    return target[len(LAMBDA_TOKEN_PREFIX) :] if target.startswith(LAMBDA_TOKEN_PREFIX) else target


def arn_parts(arn: str) -> tuple[str, str, str, str]:
    """(service, region, account, resource) of an ARN; empty strings where absent."""
    parts = arn.split(":", 5)
    parts += [""] * (6 - len(parts))
    return parts[2], parts[3], parts[4], parts[5]


def sqs_attributes(attributes: dict[str, str]) -> dict[str, dict[str, str]]:
    """R-3.6 attributes in SQS/SNS form; ErrorCode is a number. SQS refuses empty values,
    so an empty ErrorMessage (an exception raised without a message) is left out."""
    shaped: dict[str, dict[str, str]] = {}
    for name, value in attributes.items():
        if value == "":
            continue
        data_type = "Number" if name == "ErrorCode" else "String"
        shaped[name] = {"DataType": data_type, "StringValue": value}
    return shaped


class TargetWriter:
    """Sends DLQ messages and destination records with one account's credentials."""

    def __init__(self, credentials_for: Callable[[str], dict[str, str]]) -> None:
        self._credentials_for = credentials_for  # account id -> AWS_ENDPOINT_URL + keys
        self._clients: dict[tuple[str, str, str], Any] = {}
        self._lock = threading.Lock()

    def client(self, account_id: str, region: str, service: str) -> Any:
        key = (account_id, region, service)
        with self._lock:
            if key not in self._clients:
                import dataclasses

                from labtui.account.aws_access import SandboxTarget, sdk_client

                target = SandboxTarget.from_env(self._credentials_for(account_id))
                self._clients[key] = sdk_client(
                    service, dataclasses.replace(target, region=region),
                    retries={"max_attempts": 1},
                )
            return self._clients[key]

    def send_dead_letter(
        self, account_id: str, region: str, target: str, body: str, attributes: dict[str, str]
    ) -> None:
        """R-3.6: the original event as the body, RequestID/ErrorCode/ErrorMessage attached."""
        service, target_region, _ = self._checked(account_id, region, target)
        shaped = sqs_attributes(attributes)
        if service == "sqs":
            self._send_sqs(account_id, target_region, target, body, shaped)
        elif service == "sns":
            sns = self.client(account_id, target_region, "sns")
            sns.publish(TopicArn=target, Message=body, MessageAttributes=shaped)
        else:
            raise ValueError(f"a dead-letter target must be an SQS queue or SNS topic: {target}")

    def send_record(
        self,
        account_id: str,
        region: str,
        target: str,
        record: dict[str, Any],
        condition: str,
    ) -> None:
        """R-3.7/R-3.8: the invocation record to an SQS, SNS, Lambda or EventBridge target."""
        target = real_target(target)
        service, target_region, _ = self._checked(account_id, region, target)
        body = json.dumps(record)
        if service == "sqs":
            self._send_sqs(account_id, target_region, target, body, {})
        elif service == "sns":
            self.client(account_id, target_region, "sns").publish(TopicArn=target, Message=body)
        elif service == "lambda":
            self.client(account_id, target_region, "lambda").invoke(
                FunctionName=target, InvocationType="Event", Payload=body.encode()
            )
        elif service == "events":
            outcome = "Success" if condition == "Success" else "Failure"
            function_arn = str(record.get("requestContext", {}).get("functionArn", ""))
            self.client(account_id, target_region, "events").put_events(
                Entries=[
                    {
                        "Source": "lambda",
                        "DetailType": f"Lambda Function Invocation Result - {outcome}",
                        "Detail": body,
                        "EventBusName": target,
                        "Resources": [function_arn] if function_arn else [],
                    }
                ]
            )
        else:
            raise ValueError(f"the live sandbox does not deliver to {service} targets: {target}")

    # --- internals -----------------------------------------------------------------------

    @staticmethod
    def _checked(account_id: str, region: str, target: str) -> tuple[str, str, str]:
        if not target.startswith("arn:"):
            return "sqs", region, account_id  # a bare queue name: the caller's own queue
        service, target_region, owner, _ = arn_parts(target)
        if owner and owner != account_id:
            # Isolation: learners never write into each other's accounts.
            raise ValueError(f"target {target} is in another account")
        return service, target_region or region, owner or account_id

    def _send_sqs(
        self,
        account_id: str,
        region: str,
        target: str,
        body: str,
        attributes: dict[str, dict[str, str]],
    ) -> None:
        name = arn_parts(target)[3] if target.startswith("arn:") else target
        sqs = self.client(account_id, region, "sqs")
        url = sqs.get_queue_url(QueueName=name)["QueueUrl"]
        arguments: dict[str, Any] = {"QueueUrl": url, "MessageBody": body}
        if attributes:
            arguments["MessageAttributes"] = attributes
        sqs.send_message(**arguments)
