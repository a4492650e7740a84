"""Every access key the sandbox accepts, with its secret and the one account it acts in.

Three kinds of key reach the gateway:

- a learner's key (identity.py): secret kept in the learner's data directory, the
  account derived from the key;
- the temporary credentials a handler runs with (minted here per account, like the
  execution role's credentials Lambda hands a runtime), and those ``GetSessionToken``
  returns: a key, a secret and a session token, bound to one account;
- keys moto issued: IAM user access keys and ``AssumeRole`` credentials, bound to the
  account of the user or role (authz.py decides who may assume which role).

A key that is none of these is unknown, and the gateway refuses it (design.md §6.1).
"""

from __future__ import annotations

import datetime
import secrets
import threading
from dataclasses import dataclass
from typing import Any

from labtui.account.identity import LearnerIdentity


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a verified key speaks for."""

    access_key_id: str
    secret_access_key: str
    account_id: str
    session_token: str | None  # required on the request when set (temporary credentials)
    arn: str  # the caller as IAM would name it (for AccessDenied messages and trust)
    expires: datetime.datetime | None = None


def _random_key(prefix: str) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
    return prefix + "".join(secrets.choice(alphabet) for _ in range(20 - len(prefix)))


class CredentialRegistry:
    """Keys known to this server (learners, handlers, sessions) plus moto's own."""

    def __init__(self) -> None:
        self._known: dict[str, Principal] = {}
        self._execution: dict[str, Principal] = {}
        self._lock = threading.Lock()

    def add_learner(self, identity: LearnerIdentity) -> Principal:
        principal = Principal(
            identity.access_key_id,
            identity.secret_access_key,
            identity.account_id,
            None,
            f"arn:aws:iam::{identity.account_id}:root",
        )
        with self._lock:
            self._known[identity.access_key_id] = principal
        return principal

    def execution_credentials(self, account_id: str) -> Principal:
        """The temporary credentials handlers of ``account_id`` run with (one set per
        account and server: they act in that account only)."""
        with self._lock:
            found = self._execution.get(account_id)
            if found is None:
                found = self._mint(account_id, f"arn:aws:iam::{account_id}:root", None)
                self._execution[account_id] = found
            return found

    def session_credentials(self, caller: Principal, duration_s: int) -> Principal:
        """``GetSessionToken``: temporary credentials for the caller's own account."""
        expires = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=duration_s)
        with self._lock:
            return self._mint(caller.account_id, caller.arn, expires)

    def _mint(
        self, account_id: str, arn: str, expires: datetime.datetime | None
    ) -> Principal:
        principal = Principal(
            _random_key("ASIALAB"),
            secrets.token_urlsafe(30)[:40],
            account_id,
            secrets.token_urlsafe(96),
            arn,
            expires,
        )
        self._known[principal.access_key_id] = principal
        return principal

    def lookup(self, access_key_id: str) -> Principal | None:
        """The principal of ``access_key_id``, or None when no one issued that key."""
        with self._lock:
            found = self._known.get(access_key_id)
        return found if found is not None else moto_principal(access_key_id)


def moto_principal(access_key_id: str) -> Principal | None:
    """A key moto issued: an IAM user's access key or an assumed role's credentials."""
    from moto.iam.models import iam_backends
    from moto.sts.models import sts_backends

    for account_id, account in list(iam_backends.items()):
        for partition, backend in list(account.items()):
            key = backend.access_keys.get(access_key_id)
            if key is None:
                continue
            if getattr(key, "status", "Active") != "Active":
                return None
            for role in list(_assumed_roles(sts_backends, account_id, partition)):
                if role.access_key_id == access_key_id:
                    return Principal(
                        access_key_id,
                        str(role.secret_access_key),
                        str(account_id),
                        str(role.session_token),
                        str(role.arn),
                        _aware(role.expiration),
                    )
            user = getattr(key, "user_name", None)
            return Principal(
                access_key_id,
                str(key.secret_access_key),
                str(account_id),
                None,
                f"arn:aws:iam::{account_id}:user/{user}" if user else
                f"arn:aws:iam::{account_id}:root",
            )
    return None


def _assumed_roles(sts_backends: Any, account_id: str, partition: str) -> list[Any]:
    try:
        backend = sts_backends[account_id][partition]
    except KeyError:
        return []
    return list(backend.assumed_roles)


def _aware(moment: datetime.datetime | None) -> datetime.datetime | None:
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=datetime.UTC)
