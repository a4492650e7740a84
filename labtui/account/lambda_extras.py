"""Lambda configuration the gateway keeps because moto drops or lacks it (design.md §4).

Per account: DeadLetterConfig and EphemeralStorage per function version, event invoke
configs (R-3.2, R-3.4, R-3.7) and provisioned concurrency configs (R-5.4) per
qualifier, account settings (R-5.2), and the outcomes of asynchronous invocations run
so far. Everything here is plain data, so a snapshot is a deep copy.
"""

from __future__ import annotations

import copy
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from labtui import facts

LATEST = "$LATEST"
FunctionKey = tuple[str, str, str]  # (region, function name, qualifier)


@dataclass
class AsyncOutcome:
    """One asynchronous invocation as run so far (until lambdasim takes them over)."""

    request_id: str
    function_arn: str
    qualifier: str
    payload: str
    status: str  # "success", "error", "timeout", "throttled"
    response: str
    error_type: str | None
    log: str
    attempts: int
    timestamp: float = field(default_factory=time.time)


@dataclass
class AccountLambdaExtras:
    """The gateway-owned Lambda state of one account."""

    function_config: dict[FunctionKey, dict[str, Any]] = field(default_factory=dict)
    event_invoke_configs: dict[FunctionKey, dict[str, Any]] = field(default_factory=dict)
    provisioned: dict[FunctionKey, dict[str, Any]] = field(default_factory=dict)
    concurrent_executions_limit: int = facts.ACCOUNT_CONCURRENCY_DEFAULT
    async_outcomes: list[AsyncOutcome] = field(default_factory=list)

    def remember_config(self, key: FunctionKey, body: dict[str, Any]) -> None:
        """Keep the fields moto drops from a create/update request body."""
        kept = self.function_config.setdefault(key, {})
        if "DeadLetterConfig" in body:
            target = (body["DeadLetterConfig"] or {}).get("TargetArn")
            if target:
                kept["DeadLetterConfig"] = {"TargetArn": target}
            else:
                kept.pop("DeadLetterConfig", None)  # an empty TargetArn removes it
        if "EphemeralStorage" in body:
            kept["EphemeralStorage"] = dict(body["EphemeralStorage"])

    def publish(self, region: str, name: str, version: str) -> None:
        # a published version freezes the configuration of $LATEST.
        latest = self.function_config.get((region, name, LATEST))
        if latest is not None:
            self.function_config[(region, name, version)] = copy.deepcopy(latest)

    def merged(self, key: FunctionKey, configuration: dict[str, Any]) -> dict[str, Any]:
        """``configuration`` (from moto) with the kept fields put back."""
        kept = self.function_config.get(key)
        if kept:
            configuration = {**configuration, **copy.deepcopy(kept)}
        return configuration

    def forget_function(self, region: str, name: str) -> None:
        for table in (self.function_config, self.event_invoke_configs, self.provisioned):
            for key in [k for k in table if k[0] == region and k[1] == name]:
                del table[key]


class ExtrasStore:
    """Extras for every account, with one lock (requests arrive on server threads).

    moto's state is process-wide, so this is too: every Sandbox in a process uses
    :meth:`shared`, and an account reads the same whichever server it is reached by."""

    _shared: ExtrasStore | None = None
    _shared_lock = threading.Lock()

    @classmethod
    def shared(cls) -> ExtrasStore:
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def __init__(self) -> None:
        self._accounts: dict[str, AccountLambdaExtras] = {}
        self.lock = threading.RLock()

    def account(self, account_id: str) -> AccountLambdaExtras:
        with self.lock:
            return self._accounts.setdefault(account_id, AccountLambdaExtras())

    def capture(self, account_id: str) -> AccountLambdaExtras:
        with self.lock:
            return copy.deepcopy(self.account(account_id))

    def restore(self, account_id: str, extras: AccountLambdaExtras) -> None:
        with self.lock:
            self._accounts[account_id] = copy.deepcopy(extras)

    def wipe(self, account_id: str) -> None:
        with self.lock:
            self._accounts.pop(account_id, None)
