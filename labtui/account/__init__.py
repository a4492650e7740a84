"""The sandbox AWS account: moto behind the labtui gateway (design.md §4).

Importing this package is cheap: moto and boto3 load when a sandbox starts.

Starting a sandbox
------------------
::

    from labtui.account import Sandbox

    with Sandbox() as sandbox:                 # or Sandbox().start(port=0) ... .stop()
        sandbox.endpoint_url                   # http://127.0.0.1:<port> (loopback only)
        learner = sandbox.learner("dana")      # LearnerAccount, isolated per learner id
        learner.env()                          # env vars for a CLI/boto3 child process

One server serves any number of learners. moto keeps its state per process, so all
Sandbox objects of one process see the same accounts; run one per process. Each learner
id maps to an access key, a random secret kept in the data directory, and a
deterministic 12-digit account id (``identity.learner_identity``). The gateway checks
every request's SigV4 signature with the key's secret (authn.py), stamps it with the
key's account and refuses identifiers of other accounts (authz.py), so learners never
reach each other's resources. AWS managed policies (AWSLambdaBasicExecutionRole, ...) exist as in AWS.

A learner's account (:class:`~labtui.account.learner.LearnerAccount`)
--------------------------------------------------------------------
``client(service)``
    a boto3 client bound to the account through the endpoint (no profile, config file
    or real credential is read).
``seed(setup, pack_dir)``
    wipe, create the resources of an exercise's ``setup:`` block
    (:class:`labtui.course.setup_spec.ExerciseSetup`; code paths relative to
    ``pack_dir``), and remember the result as snapshot ``"seed"``.
``reset()``
    back to the seed (or empty). ``wipe()`` empties the account.
``snapshot(name)`` / ``restore(name)`` / ``snapshots()``
    rewind the whole account (moto state and the gateway's Lambda state) to a named
    point; in memory, for the life of the server.
``invoke(function, event, qualifier=None)``
    run a function once without HTTP; returns a :class:`labtui.runner.InvokeResult`
    (payload, function_error, error_type, status, durations, log text).
``view()``
    an :class:`AccountView`.

Reading state for grading (:class:`~labtui.account.view.AccountView`)
--------------------------------------------------------------------
Every reader returns plain dicts/lists as the AWS API shapes them, ``None`` or empty
when the resource does not exist (never an exception):

* Lambda: ``function_names()``, ``function(name, qualifier=None)`` (get-function-
  configuration including DeadLetterConfig and EphemeralStorage, which moto drops),
  ``reserved_concurrency(name)``, ``versions(name)`` (published, oldest first),
  ``aliases(name)`` (name -> alias incl. RoutingConfig),
  ``event_invoke_config(name, qualifier=None)``, ``provisioned_concurrency(name)``
  (qualifier -> count), ``account_settings()``, ``resource_policy(name)`` (decoded),
  ``function_url(name)``, ``event_source_mappings(function=None)``,
  ``async_outcomes(function=None)`` (asynchronous invocations run so far),
  ``code_files(name, qualifier=None)`` (path -> text), ``log_lines(name)`` (CloudWatch
  Logs lines of /aws/lambda/<name>: START/END/REPORT and the handler's output),
  ``invoke(name, event, qualifier=None)``.
* IAM: ``role(name)`` with ``TrustPolicy`` (decoded), ``AttachedPolicies`` (ARNs) and
  ``InlinePolicies`` (name -> document); ``managed_policy_document(arn)``.
* SQS: ``queue_url(name)``, ``queue_attributes(name)`` (RedrivePolicy decoded),
  ``queue_messages(name)`` (peeked in-process: receiving is never simulated, so
  receive counts and visibility are untouched).
* VPC: ``vpcs()``, ``subnets()``, ``route_tables()``, ``internet_gateways()``,
  ``nat_gateways()``, ``vpc_endpoints()``, ``security_groups()`` (each item gains a
  ``Name`` key from its Name tag), ``resource_names()`` (id -> Name).
* S3, Kinesis, DynamoDB, Secrets Manager: ``buckets()``, ``bucket_notifications(b)``,
  ``object_keys(b)``, ``streams()``, ``tables()``, ``table(name)``, ``secrets()``.

From a terminal
---------------
``labtui sandbox serve [--port N] [--exercise ID] [--print-env]`` runs a sandbox and
prints the ``export`` lines; ``labtui aws ...`` runs the bundled CLI against it (v2
syntax accepted); ``labtui sandbox snapshot NAME | restore NAME | reset | snapshots``
rewind the learner's own account (``/labtui-api/<action>`` on the gateway, acting only
on the caller's account); ``labtui sandbox stop`` ends a background sandbox.

What the gateway adds to moto
-----------------------------
Invoke runs the learner's code through ``labtui.runner`` with the AWS response surface
(R-2.1–R-2.8, R-6.5); configuration moto drops or lacks is kept (DeadLetterConfig,
event invoke configs, provisioned concurrency, account settings, the unreserved
minimum, LastUpdateStatus); alias weights route calls (R-9.2); asynchronous
invocations go to an :class:`~labtui.account.engine_port.AsyncEngine` (default
``LiveAsyncEngine``: lambdasim's retries, event age, DLQ and destinations on simulated
time, ``time_scale`` / ``LABTUI_SANDBOX_TIME_SCALE``, default 60; ``RunOnceEngine``: one
attempt); moto's own
triggers (S3 notifications, SQS/stream mappings) run the real handler.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from labtui.account.learner import LearnerAccount
    from labtui.account.sandbox import Sandbox
    from labtui.account.view import AccountView

__all__ = ["AccountView", "LearnerAccount", "Sandbox"]

# The package root stays cheap: `labtui --help` imports labtui.account.commands, which
# must not pay for the sandbox modules (PEP 562 lazy attributes).
_LAZY = {
    "LearnerAccount": "labtui.account.learner",
    "Sandbox": "labtui.account.sandbox",
    "AccountView": "labtui.account.view",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'labtui.account' has no attribute {name!r}")
    return getattr(import_module(module), name)
