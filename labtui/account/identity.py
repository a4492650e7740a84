"""Who is calling: learner ids, fake access keys and the moto account each maps to.

Per-learner isolation (design.md §4): every learner gets a fake access key id derived
from the learner id, and every access key maps to one 12-digit account id. The gateway
stamps that account on each request for moto (``x-moto-account-id``), overwriting any
header a caller sent, so no learner can reach another learner's account. Keys that
moto itself issued (IAM access keys, STS assumed-role credentials) keep the account
that issued them.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from typing import Any

DEFAULT_LEARNER = "local"
DEFAULT_REGION = "us-east-1"
_CREDENTIAL = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/([^/]+)/")
_QUERY_CREDENTIAL = re.compile(r"(?:^|&)X-Amz-Credential=([^%&/]+)(?:%2F|/)\d{8}(?:%2F|/)([^%&/]+)")


@dataclass(frozen=True, slots=True)
class LearnerIdentity:
    """The fake credentials of one learner and the account they map to."""

    learner_id: str
    access_key_id: str
    secret_access_key: str
    account_id: str


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).digest()


def access_key_for(learner_id: str) -> str:
    # 20 characters like a real key id; "LAB" marks it as a labtui key.
    token = base64.b32encode(_digest(f"labtui-learner:{learner_id}")).decode()[:13]
    return f"AKIALAB{token}"


def account_for_key(access_key_id: str) -> str:
    """The 12-digit account id for an access key: deterministic, never the moto default."""
    number = int.from_bytes(_digest(f"labtui-account:{access_key_id}")[:8], "big")
    return f"{100_000_000_000 + number % 800_000_000_000:012d}"


def learner_identity(learner_id: str) -> LearnerIdentity:
    key = access_key_for(learner_id)
    secret = base64.b64encode(_digest(f"labtui-secret:{learner_id}")).decode()[:40]
    return LearnerIdentity(learner_id, key, secret, account_for_key(key))


def credential_scope(environ: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(access key id, region, service) from a SigV4 Authorization header or presigned
    query string; Nones when the request is unsigned."""
    header = str(environ.get("HTTP_AUTHORIZATION", ""))
    match = _CREDENTIAL.search(header)
    if match:
        return match.group(1), match.group(2), match.group(3)
    match = _QUERY_CREDENTIAL.search(str(environ.get("QUERY_STRING", "")))
    if match:
        return match.group(1), match.group(2), None
    return None, None, None


def moto_issued_account(access_key_id: str) -> str | None:
    """The account of a key moto issued (IAM user keys, STS credentials), if any."""
    from moto.iam.models import iam_backends

    for account_id, account in list(iam_backends.items()):
        for partition_backend in list(account.values()):
            if access_key_id in partition_backend.access_keys:
                return str(account_id)
    return None
