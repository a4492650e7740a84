"""AWS managed policies for every account, built once per process.

moto gives each account's IAM backend its own copy of AWS's ~1,600 managed policies
(AWSLambdaBasicExecutionRole, ...), built from a 5 MB JSON text: about 90 ms of CPU for
every account a request names, which every learner, grading account and test pays, and
4 MB in every snapshot and saved account. Here they are built once per process and
partition (the template), and:

- a new account's IAM backend gets an unpickled copy of the template (about 15 ms);
- a snapshot or a saved account holds an unchanged policy as its name and attachment
  count only (:func:`reduce`), and gets a copy of the template's back when it is loaded.
  A policy changed in any other way is pickled whole, as before.

Each account still owns its copies (an attachment counts in that account only); a
policy's id is the same in every account, as an AWS managed policy's id is in AWS.
"""

from __future__ import annotations

import copy
import pickle
import threading
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

_LOCK = threading.Lock()
_TEMPLATE_ACCOUNT = "000000000000"


@dataclass(frozen=True)
class _Template:
    policies: bytes  # all of them, pickled: a new account's set
    each: dict[str, Any]  # name -> that policy (never handed out: copied)
    signatures: dict[str, tuple[Any, ...]]  # name -> what a learner could change in it


_TEMPLATES: dict[str, _Template] = {}  # partition -> its template
_BUILD: Any = None  # moto's own IAMBackend._init_aws_policies


def install() -> None:
    """Patch moto's IAMBackend to copy the managed policies instead of rebuilding them."""
    global _BUILD
    from moto.iam.models import IAMBackend

    with _LOCK:
        if _BUILD is not None:
            return
        _BUILD = IAMBackend._init_aws_policies

    def copied(self: Any) -> list[Any]:
        from moto.settings import load_iam_aws_managed_policies

        if not load_iam_aws_managed_policies():
            return []
        policies: list[Any] = pickle.loads(_template(self.partition).policies)
        for policy in policies:
            policy.account_id = self.account_id
        return policies

    IAMBackend._init_aws_policies = copied  # type: ignore[method-assign]


def _template(partition: str) -> _Template:
    with _LOCK:
        if partition not in _TEMPLATES:
            # moto's builder reads only these two attributes; an IAM backend's region is
            # its partition's name
            policies = _BUILD(SimpleNamespace(account_id=_TEMPLATE_ACCOUNT, region_name=partition))
            _TEMPLATES[partition] = _Template(
                pickle.dumps(policies, pickle.HIGHEST_PROTOCOL),
                {p.name: p for p in policies},
                {p.name: _signature(p) for p in policies},
            )
        return _TEMPLATES[partition]


def _signature(policy: Any) -> tuple[Any, ...]:
    versions = tuple((v.version_id, v.document, v.is_default, v.create_date)
                     for v in policy.versions)
    return (policy.id, policy.path, policy.description, policy.default_version_id,
            policy.next_version_num, policy.create_date, policy.update_date,
            sorted(policy.tags.items()), versions, sorted(vars(policy)))


def reduce(policy: Any) -> tuple[Any, ...] | None:
    """How a pickler saves an AWS managed policy that differs from the template only in its
    account and attachment count (a reference), else None (pickled whole)."""
    if _BUILD is None:
        return None
    template = _template(policy.partition)
    if template.signatures.get(policy.name) != _signature(policy):
        return None
    return copy_of, (policy.partition, policy.name, policy.account_id,
                     policy.attachment_count)


def copy_of(partition: str, name: str, account_id: str, attachment_count: int) -> Any:
    """The template's policy ``name``, as one account's (how :func:`reduce`'s are loaded)."""
    install()
    original = _template(partition).each[name]
    policy = copy.copy(original)  # strings and datetimes are shared; what can change is not
    policy.tags = copy.deepcopy(original.tags)
    policy.versions = [copy.copy(version) for version in original.versions]
    policy.account_id = account_id
    policy.attachment_count = attachment_count
    return policy
