"""AWS managed policies for every new account, built once per process.

moto gives each account's IAM backend its own copy of AWS's ~1,600 managed policies
(AWSLambdaBasicExecutionRole, ...), built from a 5 MB JSON text: about 90 ms of CPU for
every account a request names, which every learner, grading account and test pays. Here
the first backend of a partition builds them as moto does, and every later one gets an
unpickled copy of those (about 15 ms). Each account still owns its copies (an attachment
counts in that account only); a policy's id is the same in every account, as an AWS
managed policy's id is in AWS.
"""

from __future__ import annotations

import pickle
import threading
from typing import Any

_LOCK = threading.Lock()
_BUILT: dict[str, bytes] = {}  # partition -> its policies, pickled


def install() -> None:
    """Patch moto's IAMBackend to copy the managed policies instead of rebuilding them."""
    from moto.iam.models import IAMBackend

    build = IAMBackend._init_aws_policies
    if getattr(build, "labtui_copies", False):
        return

    def copied(self: Any) -> list[Any]:
        from moto.settings import load_iam_aws_managed_policies

        if not load_iam_aws_managed_policies():
            return []
        with _LOCK:
            if self.partition not in _BUILT:
                _BUILT[self.partition] = pickle.dumps(build(self), pickle.HIGHEST_PROTOCOL)
            data = _BUILT[self.partition]
        policies: list[Any] = pickle.loads(data)
        for policy in policies:
            policy.account_id = self.account_id
        return policies

    copied.labtui_copies = True  # type: ignore[attr-defined]
    IAMBackend._init_aws_policies = copied  # type: ignore[method-assign]
