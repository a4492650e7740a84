"""One account's slice of moto's in-memory state: wipe, capture, restore.

moto keeps every service's state in a ``BackendDict`` keyed by account id, then region.
Resetting one learner means dropping that account's entries (they are recreated empty
on the next request); a snapshot is a deep copy of all of them taken in one pass, so
references between services (a Lambda backend holding its Logs backend) survive.
Locks inside backends cannot be copied, so they are recreated fresh in the copy.
"""

from __future__ import annotations

import copy
import copyreg
import threading
from dataclasses import dataclass
from typing import Any

from labtui.account import s3_namespace

_LOCK_TYPES: tuple[type, ...] = (type(threading.Lock()), type(threading.RLock()))


def _fresh_lock(lock: Any) -> tuple[Any, tuple[()]]:
    return (type(lock), ())


for _lock_type in _LOCK_TYPES:
    copyreg.pickle(_lock_type, _fresh_lock)
# A Condition keeps bound methods of its RLock, which deepcopy shares with the original:
# a copied SQS queue then fails every SendMessage ("cannot notify on un-acquired lock").
copyreg.pickle(threading.Condition, lambda _condition: (threading.Condition, ()))


def _backend_dicts() -> list[Any]:
    from moto.core.base_backend import BackendDict

    return list(BackendDict._instances)  # type: ignore[misc]


@dataclass(frozen=True)
class MotoSnapshot:
    """A frozen copy of one account's moto backends, beside the BackendDict each came from."""

    account_id: str
    backend_dicts: tuple[Any, ...]
    entries: tuple[Any, ...]


def _shared_memo() -> dict[int, Any]:
    # The BackendDicts themselves (and so every other account) are shared, never copied.
    return {id(backend_dict): backend_dict for backend_dict in _backend_dicts()}


def capture(account_id: str) -> MotoSnapshot:
    pairs = [
        (backend_dict, dict.__getitem__(backend_dict, account_id))
        for backend_dict in _backend_dicts()
        if dict.__contains__(backend_dict, account_id)
    ]
    entries = copy.deepcopy([entry for _, entry in pairs], _shared_memo())
    return MotoSnapshot(account_id, tuple(bd for bd, _ in pairs), tuple(entries))


def live_entries(account_id: str) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The account's BackendDicts and its entries in them, not copied: for a caller that
    serialises them at once while holding the gateway's write lock (saved_account.save)."""
    pairs = [
        (backend_dict, dict.__getitem__(backend_dict, account_id))
        for backend_dict in _backend_dicts()
        if dict.__contains__(backend_dict, account_id)
    ]
    return tuple(bd for bd, _ in pairs), tuple(entry for _, entry in pairs)


def wipe(account_id: str) -> None:
    """Forget everything moto holds for ``account_id`` (other accounts untouched)."""
    for backend_dict in _backend_dicts():
        if dict.__contains__(backend_dict, account_id):
            dict.__delitem__(backend_dict, account_id)
    s3_namespace.install().forget_account(account_id)


def restore(snapshot: MotoSnapshot) -> None:
    """Put the account back exactly as captured (the snapshot stays reusable)."""
    from moto.core.base_backend import BackendDict

    entries = copy.deepcopy(list(snapshot.entries), _shared_memo())
    wipe(snapshot.account_id)
    for backend_dict, entry in zip(snapshot.backend_dicts, entries, strict=True):
        dict.__setitem__(backend_dict, snapshot.account_id, entry)
        if backend_dict not in BackendDict._instances:  # type: ignore[misc]
            BackendDict._instances.append(backend_dict)  # type: ignore[misc]
    s3_namespace.install().register_account_buckets(snapshot.account_id)
