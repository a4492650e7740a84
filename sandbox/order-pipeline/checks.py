"""Checks for the capstone order-pipeline (curriculum §7), gated stage by stage through
:mod:`labtui.grading.stages`: a stage counts only once every earlier stage passes.

State is read from the graded account; behaviour runs the learner's deployed handlers
through the sandbox runner inside lambdasim: orders-api synchronously (c1), order-worker
behind lambdasim's SQS poller with its real batchItemFailures (c3, c10), order-notifier
asynchronously with the learner's destinations (c6, c10). order-worker's own
``lambda.invoke(InvocationType=Event)`` calls are captured at the sandbox gateway and
replayed into the same simulation, so the notifier's retries and destination records are
lambdasim's. The final report (stages, trace summary, monthly cost) is written after c10.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

from labtui.grading import iam_checks, state
from labtui.grading.context import GradingContext
from labtui.grading.egress_checks import with_names
from labtui.grading.idempotency_checks import table_item_count
from labtui.grading.network import group_names, subnet_names, vpc_model
from labtui.grading.results import CheckResult
from labtui.grading.sim import AccountHandler, async_config, new_simulation, record_trace
from labtui.grading.stages import StagedChecks


def _sibling(name: str) -> ModuleType:
    """A module next to this file (the pack folder is not on sys.path)."""
    qualified = f"labtui_pack_order_pipeline_{name}"
    spec = importlib.util.spec_from_file_location(qualified, Path(__file__).with_name(f"{name}.py"))
    if spec is None or spec.loader is None:
        raise ImportError(f"{name}.py next to {__file__}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[qualified] = module
    spec.loader.exec_module(module)
    return module


run = _sibling("pipeline_run")
api_orders = _sibling("api_orders")
API, WORKER, NOTIFIER = run.API, run.WORKER, run.NOTIFIER
QUEUE, DLQ, FAILURES, BUS = run.QUEUE, run.DLQ, run.FAILURES, run.BUS
SECRET, DB_SUBNET, DB_PORT = run.SECRET, run.DB_SUBNET, run.DB_PORT
_config, _mapping, _captured, _run = (run.function_config, run.queue_mapping, run.captured,
                                      run.cached_run)
staged = StagedChecks()


def _first_failure(ctx: GradingContext, check_id: str, expected: str,
                   conditions: list[tuple[bool, str, str]], passed_actual: str) -> CheckResult:
    for ok, actual, hint in conditions:
        if not ok:
            return ctx.result(check_id, False, expected=expected, actual=actual, hint=hint)
    return ctx.result(check_id, True, expected=expected, actual=passed_actual)


# --- stage 1: the synchronous API -----------------------------------------------------------


def _api_call(ctx: GradingContext, body: str) -> tuple[Any, int]:
    from labtui.lambdasim import FunctionSpec

    config = _config(ctx, API)
    sim = new_simulation(ctx)
    handler = AccountHandler(ctx.account, API)
    sim.add_function(FunctionSpec(API, memory_mb=int(config.get("MemorySize", 128)),
                                  timeout_s=int(config.get("Timeout", 3)), behaviour=handler))
    call = sim.invoke_sync(API, {"body": body, "requestContext": {"http": {"method": "POST"}}})
    sim.run_until_complete(call)
    record_trace(ctx, sim)
    return call.response, handler.calls


def _status(response: Any) -> tuple[int | None, str]:
    if response.function_error:
        return None, f"FunctionError {response.function_error}"
    try:
        document = json.loads(response.payload) if isinstance(response.payload, (str, bytes)) \
            else response.payload
        return int(document["statusCode"]), f"statusCode {document['statusCode']}"
    except (ValueError, KeyError, TypeError):
        return None, "no statusCode in the response"


@staged.check("c1")
def c1(ctx: GradingContext) -> CheckResult:
    # a sync caller gets the result (or the error) and retries itself; URL auth.
    good, bad = api_orders.generate(ctx, run.run_tag(ctx))
    calls = len(good) + len(bad)
    expected = (f"{len(good)} good orders -> 202, each queued once on orders-queue; "
                f"{len(bad)} bad orders (missing field, wrong type, not JSON) -> 400, nothing "
                "queued, no FunctionError; 1 run per call; URL AuthType AWS_IAM")
    with _captured(ctx) as (_engine, sent):
        good_results = [_api_call(ctx, body) for body in good]
        bad_results = []
        for body, _why in bad:
            before = len(sent)
            response, runs = _api_call(ctx, body)
            bad_results.append((response, runs, len(sent) - before))
    url = _url_auth(ctx)
    conditions: list[tuple[bool, str, str]] = []
    for (body, why), (response, _runs, queued_now) in zip(bad, bad_results, strict=True):
        status, text = _status(response)
        if status != 400:
            hint = ("Raising makes Lambda answer a synchronous caller with 200 and "
                    "FunctionError: Unhandled, and Lambda does not retry a synchronous call: "
                    "the caller would have to. Validate the order and return "
                    "{\"statusCode\": 400, ...} instead." if response.function_error else
                    f"Check every part of an order, not only that the fields exist: this one "
                    f"has {why}. Every qty is a whole number from 1, every sku is text, items "
                    "is a list, and a body that is not JSON is a bad order too.")
            conditions.append((False, f"bad order ({why}) {api_orders.shown(body)} -> {text}", hint))
        elif queued_now:
            conditions.append((False, f"bad order ({why}) answered 400 but {queued_now} "
                               "message(s) were queued",
                               "Validate before sending: a bad order must never reach "
                               "orders-queue."))
    for body, (response, _runs) in zip(good, good_results, strict=True):
        status, text = _status(response)
        conditions.append((status in (200, 201, 202), f"good order {api_orders.shown(body)} -> {text}",
                           "Return statusCode 202 (accepted) after queueing a good order; read "
                           "its fields from the JSON body, whatever the ids and items are."))
    queued = Counter(json.loads(b).get("orderId") for b in sent if api_orders.is_json(b))
    good_ids = [json.loads(b)["orderId"] for b in good]
    once = sum(1 for order_id in good_ids if queued[order_id] == 1)
    conditions.append((once == len(good) and len(sent) == len(good),
                       f"{len(sent)} message(s) queued; {once} of {len(good)} good orders "
                       "queued exactly once",
                       "Send each good order once to orders-queue (sqs send_message with the "
                       "queue URL of QUEUE_NAME), and nothing else."))
    runs = sum(r for _, r in good_results) + sum(r for _, r, _ in bad_results)
    conditions.append((runs == calls, f"{runs} runs for {calls} calls",
                       "A synchronous call runs once; do not loop or re-invoke inside the "
                       "handler."))
    conditions.append((url == "AWS_IAM", f"function URL AuthType: {url or 'no URL'}",
                       "orders-api needs a function URL on alias prod with auth type AWS_IAM "
                       "(signed callers only); aws lambda get-function-url-config shows it."))
    return _first_failure(ctx, "c1", expected, conditions,
                          f"{len(good)} good -> 202 and queued once, {len(bad)} bad -> 400 and "
                          "nothing queued, 1 run per call, URL AWS_IAM")


def _url_auth(ctx: GradingContext) -> str | None:
    from botocore.exceptions import ClientError

    for qualifier in ("prod", None):
        try:
            kwargs = {"FunctionName": API, **({"Qualifier": qualifier} if qualifier else {})}
            return str(ctx.aws("lambda").get_function_url_config(**kwargs)["AuthType"])
        except ClientError:
            continue
    return None


# --- stages 2 and 3: the queue, then the worker behind lambdasim's poller -------------------


@staged.check("c2")
def c2(ctx: GradingContext) -> CheckResult:
    # the queue's redrive policy is the DLQ: visibility >= 6 x timeout.
    timeout = int(_config(ctx, WORKER).get("Timeout", 0))
    expected = (f"RedrivePolicy -> {DLQ}, maxReceiveCount 3; VisibilityTimeout >= {6 * timeout} "
                "s; mapping BatchSize 10")
    attributes = state.queue_attributes(ctx, QUEUE) or {}
    policy = state.redrive_policy(attributes) or {}
    visibility = int(attributes.get("VisibilityTimeout", 0))
    mapping = _mapping(ctx) or {}
    target = str(policy.get("deadLetterTargetArn", "none")).rsplit(":", 1)[-1]
    return _first_failure(ctx, "c2", expected, [
        (policy.get("deadLetterTargetArn") == ctx.arn("sqs", DLQ)
         and str(policy.get("maxReceiveCount")) == "3",
         f"RedrivePolicy: {target}, maxReceiveCount {policy.get('maxReceiveCount', '-')}",
         "Messages from a mapping stay in the source queue, so orders-queue's own "
         "RedrivePolicy (deadLetterTargetArn = orders-dlq's ARN, maxReceiveCount 3) parks "
         "poison; a function DLQ would never see them."),
        (timeout > 0 and visibility >= 6 * timeout, f"VisibilityTimeout {visibility} s",
         f"Set orders-queue's VisibilityTimeout to at least {6 * timeout} s (6 x the "
         "worker's timeout) so a batch retried after a throttle does not reappear mid-run."),
        (int(mapping.get("BatchSize") or 0) == 10, f"BatchSize {mapping.get('BatchSize')}",
         "Keep the mapping from orders-queue to order-worker with BatchSize 10."),
    ], f"RedrivePolicy {DLQ} x3, VisibilityTimeout {visibility} s, BatchSize 10")


@staged.check("c3")
def c3(ctx: GradingContext) -> CheckResult:
    # the mapping deletes what the handler did not name; redrive after 3.
    expected = ("ReportBatchItemFailures; every good order (and each copy of the duplicate) "
                "processed once; each poison message received 3 times, then in orders-dlq")
    mapping = _mapping(ctx) or {}
    if "ReportBatchItemFailures" not in (mapping.get("FunctionResponseTypes") or []):
        return ctx.result("c3", False, expected=expected,
                          actual=f"FunctionResponseTypes: {mapping.get('FunctionResponseTypes')}",
                          hint="The mapping ignores the handler's batchItemFailures until its "
                               "FunctionResponseTypes holds ReportBatchItemFailures; aws lambda "
                               "get-event-source-mapping shows it.")
    outcome = _run(ctx)
    deliveries: Counter[str] = outcome["deliveries"]
    orders = outcome["batch"]
    good = [float(deliveries[body]) for body in orders.valid if body != orders.duplicate]
    good.append(deliveries[orders.duplicate] / 2)  # sent twice, each copy processed once
    once = sum(1 for n in good if n == 1)
    poison = [deliveries[body] for body in orders.poison]
    count = len(orders.valid)
    actual = (f"{once} of {count} good orders processed exactly once (max {max(good):g} "
              f"times); {len(poison)} poison received {poison} times; orders-dlq holds "
              f"{len(outcome['dlq'])}")
    ok = (once == count and all(n == 3 for n in poison)
          and sorted(outcome["dlq"]) == sorted(orders.poison))
    hint = ("The good orders came back with the poison ones, so whole batches failed: the "
            "handler raised, or named the wrong itemIdentifier. Catch the error per record and "
            "name each failed record's messageId in batchItemFailures."
            if once < count else "Only the poison messages may reach orders-dlq, after 3 receives.")
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)


# --- stage 4: the VPC path --------------------------------------------------------------------


@staged.check("c4")
def c4(ctx: GradingContext) -> CheckResult:
    # group references, R-7.5 two AZs, R-7.6 ENI permissions, R-7.7 reachability.
    from labtui.lambdasim.vpc import FunctionVpcConfig, VpcResourceTarget, can_reach

    expected = ("order-worker in private-a + private-b with lambda-sg; db-sg inbound 5432 from "
                "lambda-sg, no CIDR; ENI permissions; orders-db reachable on 5432; Secrets "
                "Manager, Lambda and DynamoDB reachable (endpoints or NAT)")
    vpc = dict(_config(ctx, WORKER).get("VpcConfig") or {})
    subnets, groups = subnet_names(ctx), group_names(ctx)
    by_name = {name: gid for gid, name in groups.items()}
    chosen = sorted(str(subnets.get(s, {}).get("Name", s)) for s in vpc.get("SubnetIds") or [])
    own = sorted(groups.get(g, g) for g in vpc.get("SecurityGroupIds") or [])
    db_sg = by_name.get("db-sg", "")
    group = ctx.aws("ec2").describe_security_groups(GroupIds=[db_sg])["SecurityGroups"][0] \
        if db_sg else {}
    by_reference, cidrs = False, []
    for rule in group.get("IpPermissions", []):
        if rule.get("IpProtocol") not in ("-1", "tcp", "6") or not (
                rule.get("IpProtocol") == "-1"
                or int(rule.get("FromPort", 0)) <= DB_PORT <= int(rule.get("ToPort", 0))):
            continue
        by_reference |= any(p.get("GroupId") == by_name.get("lambda-sg")
                            for p in rule.get("UserIdGroupPairs", []))
        cidrs += [r["CidrIp"] for r in rule.get("IpRanges", []) if r.get("CidrIp")]
    attached = state.attached_policy_names(ctx, "order-worker-role")
    statements = state.role_statements(ctx, "order-worker-role")
    eni = "AWSLambdaVPCAccessExecutionRole" in attached or state.allows(
        statements, "ec2:CreateNetworkInterface", "*")
    db_subnet = next((sid for sid, s in subnets.items() if s.get("Name") == DB_SUBNET), "")
    function = (FunctionVpcConfig(tuple(vpc.get("SubnetIds") or ()),
                                  tuple(vpc.get("SecurityGroupIds") or ()))
                if vpc.get("SubnetIds") else None)
    verdict = can_reach(vpc_model(ctx), function,
                        VpcResourceTarget("orders-db", db_subnet, DB_PORT,
                                          (db_sg,) if db_sg else ()))
    return _first_failure(ctx, "c4", expected, [
        (chosen == ["private-a", "private-b"], f"subnets: {', '.join(chosen) or 'no VPC'}",
         "Attach order-worker to private-a and private-b (two AZs); a VPC function never gets "
         "a public IP, so public-a buys nothing."),
        (own == ["lambda-sg"], f"security groups: {', '.join(own) or 'none'}",
         "Give order-worker lambda-sg only: db-sg will admit members of lambda-sg."),
        (not cidrs, f"db-sg admits 5432 from {', '.join(cidrs)}",
         f"A CIDR rule ({cidrs[0] if cidrs else ''}) admits every address in that range, not "
         "just the worker. Revoke it: the rule's source should be the security group "
         "lambda-sg, not an address range."),
        (by_reference, "db-sg has no 5432 rule from lambda-sg",
         "db-sg must admit TCP 5432 from members of lambda-sg (an inbound rule whose source "
         "is that group); aws ec2 describe-security-groups shows db-sg's rules."),
        (eni, f"order-worker-role: {', '.join(sorted(attached))}",
         "Lambda creates the worker's network interfaces with its role: attach "
         "AWSLambdaVPCAccessExecutionRole to order-worker-role."),
        (verdict.reachable, f"orders-db unreachable: {with_names(ctx, verdict.reason)}",
         f"Follow the reason: the first condition that failed is named ({verdict.rule})."),
        *[(service.reachable,
           f"{name} unreachable from order-worker: {with_names(ctx, service.reason)}",
           f"In private subnets the worker has no internet path, yet it calls {name}. Give the "
           "VPC an endpoint for it (interface endpoints for secretsmanager and lambda whose "
           "security group admits 443 from lambda-sg; a gateway endpoint for dynamodb on "
           "private-rt) or a NAT gateway in public-a.")
          for name, service in _services(ctx, function)],
    ], "private-a + private-b, lambda-sg; db-sg 5432 from lambda-sg; orders-db, Secrets "
       "Manager, Lambda and DynamoDB reachable")


def _services(ctx: GradingContext, function: Any) -> list[tuple[str, Any]]:
    """R-7.7 rules 2-3 for each AWS service the worker's code calls."""
    from labtui.lambdasim.vpc import AwsServiceTarget, can_reach

    model = vpc_model(ctx)
    return [(name, can_reach(model, function, AwsServiceTarget(name)))
            for name in ("secretsmanager", "lambda", "dynamodb")]


# --- stage 5: the secret and least privilege ------------------------------------------------


def _secret_arn(ctx: GradingContext) -> str:
    return str(ctx.aws("secretsmanager").describe_secret(SecretId=SECRET)["ARN"])


def _only(resources: set[str], allowed: set[str]) -> bool:
    return bool(resources) and resources <= allowed


@staged.check("c5")
def c5(ctx: GradingContext) -> CheckResult:
    # secrets live in Secrets Manager, the environment holds the id; least privilege.
    expected = ("the environment names prod/orders/db and holds no password; order-worker-role: "
                "GetSecretValue on that secret only, DynamoDB and Lambda on the pipeline's ARNs; "
                "orders-api-role: sqs:SendMessage on orders-queue only")
    secret_arn = _secret_arn(ctx)
    password = json.loads(ctx.aws("secretsmanager").get_secret_value(SecretId=SECRET)
                          ["SecretString"]).get("password", "")
    env = dict((_config(ctx, WORKER).get("Environment") or {}).get("Variables") or {})
    leaked = sorted(k for k, v in env.items() if v == password or "PASSWORD" in k.upper())
    statements = iam_checks.role_policy_statements(ctx, "order-worker-role") or []
    secrets = iam_checks.granted_resources(statements, "secretsmanager")
    tables = iam_checks.granted_resources(statements, "dynamodb")
    functions = iam_checks.granted_resources(statements, "lambda")
    table_arns = {ctx.arn("dynamodb", f"table/{t}") for t in ("orders-db", "processed-events")}
    notifier_arn = ctx.arn("lambda", f"function:{NOTIFIER}")
    api_statements = iam_checks.role_policy_statements(ctx, "orders-api-role") or []
    queue_arn = ctx.arn("sqs", QUEUE)
    return _first_failure(ctx, "c5", expected, [
        (not leaked, f"order-worker environment still holds {', '.join(leaked)}",
         "Whoever may call GetFunctionConfiguration (and use its KMS key) reads environment "
         "variables, and nothing rotates them. Keep only SECRET_ID=prod/orders/db there and "
         "fetch the secret at init."),
        (any(value in (SECRET, secret_arn) for value in env.values()),
         "no environment variable names the secret prod/orders/db",
         "Set SECRET_ID=prod/orders/db on order-worker (update-function-configuration "
         "--environment replaces every variable) and read the secret with it at init."),
        (iam_checks.allowed(statements, "secretsmanager:GetSecretValue", secret_arn)
         and _only(secrets, {secret_arn, secret_arn[:-7] + "-*", secret_arn[:-7] + "*"}),
         f"secretsmanager resources: {', '.join(sorted(secrets)) or 'none'}",
         f"Allow secretsmanager:GetSecretValue on {secret_arn} and nothing else."),
        (_only(tables, table_arns) and iam_checks.allowed(
            statements, "dynamodb:PutItem", ctx.arn("dynamodb", "table/processed-events")),
         f"dynamodb resources: {', '.join(sorted(tables)) or 'none'}",
         "Detach AmazonDynamoDBFullAccess; allow dynamodb:PutItem on processed-events (and, in "
         "this lab, on the orders-db stand-in table) and nothing else."),
        (_only(functions, {notifier_arn, notifier_arn + ":*"})
         and iam_checks.allowed(statements, "lambda:InvokeFunction", notifier_arn),
         f"lambda resources: {', '.join(sorted(functions)) or 'none'}",
         f"Allow lambda:InvokeFunction on {notifier_arn} only."),
        (iam_checks.allowed(api_statements, "sqs:SendMessage", queue_arn)
         and _only(iam_checks.granted_resources(api_statements, "sqs"), {queue_arn}),
         "orders-api-role: " + (", ".join(sorted(iam_checks.granted_resources(
             api_statements, "sqs"))) or "no sqs permission"),
         f"orders-api sends to the queue with its own role: allow sqs:SendMessage (and "
         f"sqs:GetQueueUrl if the code looks the URL up) on {queue_arn} only."),
    ], "the secret by name only; each role allows what its code calls, on the pipeline's ARNs")


# --- stage 6: destinations and idempotency --------------------------------------------------


def _sqs_event(body: str, message_id: str) -> dict[str, Any]:
    return {"Records": [{"messageId": message_id, "receiptHandle": message_id, "body": body,
                         "eventSource": "aws:sqs",
                         "eventSourceARN": f"arn:aws:sqs:us-east-1:000000000000:{QUEUE}"}]}


@staged.check("c6")
def c6(ctx: GradingContext) -> CheckResult:
    # destinations (the execution role sends), R-12.1 a key from the event.
    bus_arn = f"arn:aws:events:{ctx.region}:{ctx.account_id}:event-bus/{BUS}"
    failures_arn = ctx.arn("sqs", FAILURES)
    expected = (f"on-success {BUS}, on-failure {FAILURES}; a failing notification -> one "
                "RetriesExhausted record there; the role may send to both; the same order "
                "delivered twice -> 1 notification, 1 processed-events item")
    config = async_config(state.event_invoke_config(ctx, NOTIFIER))
    failed = run.failed_notification(ctx)
    statements = iam_checks.role_policy_statements(ctx, "order-notifier-role") or []
    order_id = f"o-dup-{run.run_tag(ctx)}"
    order = run.order(order_id, "c-7", [{"sku": "mug", "qty": 1}])
    items_before = table_item_count(ctx, "processed-events")
    with _captured(ctx) as (engine, _sent):
        first = ctx.account.invoke(WORKER, _sqs_event(order, "m-dup-1"))
        second = ctx.account.invoke(WORKER, _sqs_event(order, "m-dup-2"))
    items = table_item_count(ctx, "processed-events") - items_before
    notified = [p for p in engine.payloads if order_id in json.dumps(p)]
    errors = [r for r in (first, second) if r.function_error]
    return _first_failure(ctx, "c6", expected, [
        (config.on_success == bus_arn, f"on-success: {config.on_success or 'none'}",
         f"order-notifier's on-success destination must be the event bus {BUS} ({bus_arn}), "
         "which has to exist; destinations live in the function's event invoke "
         "configuration."),
        (config.on_failure == failures_arn, f"on-failure: {config.on_failure or 'none'}",
         f"OnFailure must be {failures_arn}: a failed notification keeps its whole record there."),
        (len(failed) == 1 and failed[0].target == failures_arn
         and failed[0].condition == "RetriesExhausted",
         "a notification that always fails left "
         + (", ".join(f"{d.condition} -> {d.target.rsplit(':', 1)[-1]}" for d in failed)
            or "no record"),
         "When every attempt fails, Lambda sends one record (condition RetriesExhausted, with "
         "the request and the error) to the on-failure destination: notify-failures."),
        (iam_checks.allowed(statements, "events:PutEvents", bus_arn)
         and iam_checks.allowed(statements, "sqs:SendMessage", failures_arn),
         "order-notifier-role may not send to both destinations",
         "Lambda delivers destination records with the function's execution role: allow "
         f"events:PutEvents on {bus_arn} and sqs:SendMessage on {failures_arn}."),
        (not errors, "order-worker failed: " + (errors[0].payload[:200].decode(errors="replace")
                                                if errors else ""),
         "Invoke order-worker yourself with an SQS event and read the error."),
        (len(notified) == 1 and items == 1,
         f"{len(notified)} notification(s), {items} processed-events item(s) for 2 deliveries",
         "SQS delivers at least once. Before notifying, record the order in processed-events "
         "(key eventId = its orderId) with a write that fails if the key is already there; "
         "a ConditionalCheckFailedException means the order was already notified."),
    ], "destinations set, the role may send, 1 notification for 2 deliveries")


# --- stages 7 to 9: reserved concurrency, the canary, alarms --------------------------------


@staged.check("c7")
def c7(ctx: GradingContext) -> CheckResult:
    # reserved concurrency both guarantees and caps.
    reserved = state.reserved_concurrency(ctx, WORKER)
    provisioned = state.provisioned_configs(ctx, WORKER)
    return ctx.result(
        "c7", reserved == 50, expected="order-worker reserved concurrency 50",
        actual=f"reserved {reserved if reserved is not None else 'none'}"
               + (f", provisioned {provisioned}" if provisioned else ""),
        hint="Provisioned concurrency warms environments but caps nothing; the cap that keeps "
             "orders-db's connections is reserved concurrency on order-worker (50).")


@staged.check("c8")
def c8(ctx: GradingContext) -> CheckResult:
    # a version freezes $LATEST; primary + one weighted version (0.0-1.0).
    expected = "version 2 = the code you deployed; prod -> 1 with AdditionalVersionWeights {2: 0.1}"
    versions = {str(v["Version"]): v for v in state.published_versions(ctx, API)}
    latest = _config(ctx, API).get("CodeSha256")
    alias = state.alias(ctx, API, "prod") or {}
    weights = state.alias_weights(alias)
    return _first_failure(ctx, "c8", expected, [
        ("2" in versions and versions["2"].get("CodeSha256") == latest,
         "no version 2 with the deployed code" if "2" not in versions else
         "version 2's code differs from $LATEST",
         "Deploy the new API first, then publish it as version 2 (publish-version)."),
        (str(alias.get("FunctionVersion")) == "1",
         f"prod primary version {alias.get('FunctionVersion')}",
         "The split may look the same, but prod's primary must stay on the proven version "
         "1 with version 2 as the weighted one: rolling back is then just dropping the "
         "weight, and promoting is moving the primary."),
        (weights == {"2": 0.1}, f"weights {json.dumps(weights)}",
         "Weights are fractions from 0.0 to 1.0: 10% to version 2 is a weight of 0.1 in "
         "prod's routing configuration."),
    ], "prod -> 1, 10% to version 2")


def _alarm_for(alarms: list[dict[str, Any]], namespace: str, metric: str, dimension: str,
               value: str) -> bool:
    return any(a.get("Namespace") == namespace and a.get("MetricName") == metric
               and {"Name": dimension, "Value": value} in (a.get("Dimensions") or [])
               for a in alarms)


@staged.check("c9")
def c9(ctx: GradingContext) -> CheckResult:
    # a canary rolls back on alarms; these are the ones that matter for the pipeline.
    alarms = ctx.aws("cloudwatch").describe_alarms().get("MetricAlarms", [])
    wanted = {
        "Errors on order-worker": ("AWS/Lambda", "Errors", "FunctionName", WORKER),
        "Throttles on order-worker": ("AWS/Lambda", "Throttles", "FunctionName", WORKER),
        "orders-dlq depth": ("AWS/SQS", "ApproximateNumberOfMessagesVisible", "QueueName", DLQ),
    }
    missing = [name for name, spec in wanted.items() if not _alarm_for(alarms, *spec)]
    return ctx.result(
        "c9", not missing, expected="alarms: " + ", ".join(wanted),
        actual=f"missing: {', '.join(missing)}" if missing else "all three alarms exist",
        hint="Each alarm watches one metric: AWS/Lambda Errors and Throttles for FunctionName "
             "order-worker, AWS/SQS ApproximateNumberOfMessagesVisible for QueueName "
             "orders-dlq; aws cloudwatch describe-alarms lists the ones you have.")


# --- the end-to-end run and the report ------------------------------------------------------


@staged.check("c10")
def c10(ctx: GradingContext) -> CheckResult:
    # R-4.4 + R-4.2 + R-3.7 + R-12.1 together, on the learner's real handlers.
    outcome = _run(ctx)
    orders = outcome["batch"]
    valid, poison = len(orders.valid), len(orders.poison)
    expected = (f"{valid} rows, {valid} success records on orders-bus, {poison} in orders-dlq, "
                "1 duplicate suppressed, no failed notification")
    actual = (f"{outcome['rows']} rows, {outcome['successes']} success records, "
              f"{len(outcome['dlq'])} in orders-dlq, {outcome['suppressed']} duplicate(s) "
              f"suppressed, {outcome['failures']} failed notification(s)")
    ok = (outcome["rows"], outcome["successes"], len(outcome["dlq"]), outcome["suppressed"],
          outcome["failures"]) == (valid, valid, poison, 1, 0)
    return ctx.result("c10", ok, expected=expected, actual=actual,
                      hint="Read the report's trace: which orders were notified twice, or "
                           "never, and which messages reached orders-dlq?")


staged.report_sections(_sibling("report_parts").sections)
