"""S3 bucket names scoped per learner account.

In AWS (and moto) bucket names are global: a second account cannot create a bucket
whose name is taken, and moto even resolves a name to another account's bucket. In a
classroom every learner needs the same names (``uploads-bucket``), and nobody may read
anyone else's bucket, so the sandbox replaces moto's global name index with one that
answers per account: the account of the request being served (set by the gateway).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

_current = threading.local()


def set_current_account(account_id: str | None) -> None:
    """The account whose view of bucket names this thread uses (None: all accounts)."""
    _current.account = account_id


def current_account() -> str | None:
    return getattr(_current, "account", None)


class AccountScopedBucketIndex(dict[str, tuple[str, str]]):
    """Drop-in for ``s3_backends.bucket_accounts``: name -> (partition, account), but a
    name exists only for the account that owns it."""

    def __init__(self) -> None:
        super().__init__()
        self._owners: dict[str, dict[str, str]] = {}  # name -> {account: partition}
        self._lock = threading.Lock()

    def _visible(self, name: object) -> tuple[str, str] | None:
        owners = self._owners.get(str(name), {})
        account = current_account()
        if account is None:
            for owner, partition in owners.items():
                return partition, owner
            return None
        return (owners[account], account) if account in owners else None

    def __setitem__(self, name: str, value: tuple[str, str]) -> None:
        partition, account = value
        with self._lock:
            self._owners.setdefault(name, {})[account] = partition

    def __getitem__(self, name: str) -> tuple[str, str]:
        found = self._visible(name)
        if found is None:
            raise KeyError(name)
        return found

    def __contains__(self, name: object) -> bool:
        return self._visible(name) is not None

    def get(self, name: str, default: Any = None) -> Any:
        found = self._visible(name)
        return default if found is None else found

    def keys(self) -> set[str]:  # type: ignore[override]
        return {name for name in list(self._owners) if name in self}

    def __iter__(self) -> Iterator[str]:
        return iter(self.keys())

    def __len__(self) -> int:
        return len(self.keys())

    def pop(self, name: str, default: Any = None) -> Any:
        found = self._visible(name)
        if found is None:
            return default
        with self._lock:
            owners = self._owners.get(name, {})
            owners.pop(found[1], None)
            if not owners:
                self._owners.pop(name, None)
        return found

    def forget_account(self, account_id: str) -> None:
        with self._lock:
            for name in list(self._owners):
                self._owners[name].pop(account_id, None)
                if not self._owners[name]:
                    del self._owners[name]

    def register_account_buckets(self, account_id: str) -> None:
        """Re-index the buckets an account's (restored) S3 backends hold."""
        from moto.s3.models import s3_backends

        if not dict.__contains__(s3_backends, account_id):
            return
        for partition, backend in list(dict.__getitem__(s3_backends, account_id).items()):
            for name in list(backend.buckets):
                self[name] = (partition, account_id)


def install() -> AccountScopedBucketIndex:
    """Replace moto's global bucket index (once per process); returns the index."""
    from moto.s3.models import s3_backends

    index = s3_backends.bucket_accounts
    if isinstance(index, AccountScopedBucketIndex):
        return index
    scoped = AccountScopedBucketIndex()
    for name, value in dict(index).items():
        scoped[name] = value
    s3_backends.bucket_accounts = scoped
    return scoped
