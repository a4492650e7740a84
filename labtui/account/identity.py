"""Who is calling: learner ids, their access keys and secrets, the account each maps to.

Per-learner isolation (design.md §4, §6.1): every learner gets an access key id derived
from the learner id and a random secret key, created once and kept in the learner's
data directory (``$LABTUI_HOME/sandbox/keys/``, mode 0600). The access key maps to one
12-digit account id. The gateway verifies each request's SigV4 signature with the
secret (sigv4.py) and stamps the key's account on the request for moto
(``x-moto-account-id``), overwriting any header a caller sent. Knowing a learner id
(and so the access key) is therefore not enough to reach that learner's account.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
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


def default_keys_dir() -> Path:
    from labtui.paths import labtui_home

    return labtui_home() / "sandbox" / "keys"


def learner_identity(learner_id: str, keys_dir: Path | None = None) -> LearnerIdentity:
    """The learner's access key, secret and account. The secret is random, made on first
    use and kept in ``keys_dir`` (default: the data directory's sandbox/keys)."""
    key = access_key_for(learner_id)
    secret = _stored_secret(keys_dir or default_keys_dir(), learner_id, key)
    return LearnerIdentity(learner_id, key, secret, account_for_key(key))


def _stored_secret(keys_dir: Path, learner_id: str, access_key_id: str) -> str:
    keys_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
    path = keys_dir / f"{access_key_id}.json"
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        return str(json.loads(path.read_text())["secret_access_key"])
    # 40 characters like an AWS secret key; never derived from anything guessable.
    secret = secrets.token_urlsafe(30)[:40]
    document = {"learner_id": learner_id, "access_key_id": access_key_id}
    staging = keys_dir / f".{access_key_id}.{secrets.token_hex(6)}"
    descriptor = os.open(staging, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        json.dump({**document, "secret_access_key": secret}, handle)
    try:
        # link() fails if another process made the file first: both then use its secret.
        os.link(staging, path)
    except FileExistsError:
        pass
    finally:
        staging.unlink(missing_ok=True)
    return str(json.loads(path.read_text())["secret_access_key"])


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
