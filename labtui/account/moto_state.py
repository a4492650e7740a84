"""One account's slice of moto's in-memory state: wipe, capture, restore.

moto keeps every service's state in a ``BackendDict`` keyed by account id, then region.
Resetting one learner means dropping that account's entries (they are recreated empty
on the next request); a snapshot pickles all of them in one pass, so references between
services (a Lambda backend holding its Logs backend) survive, and restoring unpickles a
fresh copy. Pickling is how saved_account.py writes an account to disk too; in memory it
is also 2-3x cheaper than the deep copy it replaced (bench_snapshot.py). moto's registries
(BackendDicts), which hold every other account, are never copied: they are pickled by
reference. Locks inside backends are recreated fresh in the copy.
"""

from __future__ import annotations

import copyreg
import io
import pickle
import threading
import weakref
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from labtui.account import managed_policies, s3_namespace

_LOCK_TYPES: tuple[type, ...] = (type(threading.Lock()), type(threading.RLock()))


def _fresh_lock(lock: Any) -> tuple[Any, tuple[()]]:
    return (type(lock), ())


for _lock_type in _LOCK_TYPES:
    copyreg.pickle(_lock_type, _fresh_lock)
# A Condition is made fresh too: it keeps bound methods of its lock, which a copy would
# share with the original (a copied SQS queue then failed every SendMessage).
copyreg.pickle(threading.Condition, lambda _condition: (threading.Condition, ()))


def _backend_dicts() -> list[Any]:
    from moto.core.base_backend import BackendDict

    return list(BackendDict._instances)  # type: ignore[misc]


class StatePickler(pickle.Pickler):
    """Pickles moto state. ``registries`` maps the id of each BackendDict to how the
    matching unpickler finds it again: BackendDicts are never pickled as objects."""

    def __init__(self, buffer: io.BytesIO, registries: Mapping[int, Any]) -> None:
        from moto.iam.models import AWSManagedPolicy

        super().__init__(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        self._registries = registries
        self._aws_policy = AWSManagedPolicy

    def persistent_id(self, obj: Any) -> Any:
        return self._registries.get(id(obj))

    def reducer_override(self, obj: Any) -> Any:
        if type(obj) is self._aws_policy:
            # an unchanged AWS managed policy: its name, not its 2.5 kB document
            return managed_policies.reduce(obj) or NotImplemented
        # moto caches some objects in weak dictionaries (their callbacks are local
        # functions): pickled as the plain mapping they hold now
        if isinstance(obj, weakref.WeakValueDictionary | weakref.WeakKeyDictionary):
            return type(obj), (dict(obj),)
        if isinstance(obj, defaultdict) and getattr(obj.default_factory, "__name__",
                                                    "") == "<lambda>":
            # defaultdict(lambda: {}): the same as defaultdict(dict) when it makes an
            # empty builtin container
            made = obj.default_factory()  # type: ignore[misc]
            if type(made) in (dict, list, set, int) and not made:
                return defaultdict, (type(made),), None, None, iter(obj.items())
        return NotImplemented


@dataclass(frozen=True)
class MotoSnapshot:
    """One account's moto backends, pickled, beside the BackendDict each came from."""

    account_id: str
    backend_dicts: tuple[Any, ...]  # those holding an entry for the account, in order
    registries: tuple[Any, ...]  # every BackendDict: the entries' references to them
    data: bytes  # the entries, pickled; a BackendDict as its position in registries


def capture(account_id: str) -> MotoSnapshot:
    backend_dicts, entries = live_entries(account_id)
    registries = tuple(_backend_dicts())
    positions = {id(registry): n for n, registry in enumerate(registries)}
    buffer = io.BytesIO()
    StatePickler(buffer, positions).dump(list(entries))
    return MotoSnapshot(account_id, backend_dicts, registries, buffer.getvalue())


def _load(snapshot: MotoSnapshot) -> list[Any]:
    registries = snapshot.registries

    class Loader(pickle.Unpickler):
        def persistent_load(self, pid: Any) -> Any:
            return registries[pid]

    entries: list[Any] = Loader(io.BytesIO(snapshot.data)).load()
    return entries


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
    install(snapshot.account_id, snapshot.backend_dicts, tuple(_load(snapshot)))


def install(account_id: str, backend_dicts: tuple[Any, ...], entries: tuple[Any, ...]) -> None:
    """Make ``entries`` (one per BackendDict, owned by the account from now on, not copied)
    the account's whole moto state."""
    from moto.core.base_backend import BackendDict

    wipe(account_id)
    for backend_dict, entry in zip(backend_dicts, entries, strict=True):
        dict.__setitem__(backend_dict, account_id, entry)
        if backend_dict not in BackendDict._instances:  # type: ignore[misc]
            BackendDict._instances.append(backend_dict)  # type: ignore[misc]
    s3_namespace.install().register_account_buckets(account_id)
