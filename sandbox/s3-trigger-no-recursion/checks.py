"""Checks for s3-trigger-no-recursion: uploads-bucket's notification filter (R-4.14), then
one upload of a generated .jpg under uploads/ (name, folder and bytes from the grading
seed) whose notification chain is followed hop by hop, running
thumbnailer's deployed code for each notification its own writes would fire, up to the
recursion limit (R-4.15); and the resource-policy statement S3 relies on, evaluated for
the right and for foreign buckets/accounts (R-8.3)."""

from __future__ import annotations

from typing import Any

from labtui import facts
from labtui.grading import cases, iam_checks, state
from labtui.grading.context import GradingContext
from labtui.grading.results import CheckResult
from labtui.grading.s3_checks import (
    ChainRun,
    filter_rules,
    follow_upload,
    function_name_of,
    lambda_notifications,
    matches,
)

FUNCTION = "thumbnailer"
BUCKET = "uploads-bucket"
IMAGE_HEADER = b"\xff\xd8\xff\xe0"  # a JPEG's first bytes; the rest is generated


def _upload(ctx: GradingContext) -> tuple[str, bytes]:
    """The uploaded object, generated from the grading seed: a .jpg under uploads/ (maybe in
    a subfolder, maybe with a space, which the S3 event URL-encodes) and its bytes."""
    rng = ctx.cases("upload")
    name = cases.word(rng, rng.randint(3, 8))
    if rng.random() < 0.4:
        name += f" {rng.randint(1, 99)}"
    folder = rng.choice(["", "", f"{rng.randint(2020, 2026)}/", f"{cases.word(rng, 4)}/"])
    image = IMAGE_HEADER + bytes(rng.randrange(256) for _ in range(rng.randint(64, 512)))
    return f"uploads/{folder}{name}.jpg", image


def _mine(ctx: GradingContext) -> list[dict[str, Any]]:
    return [c for c in lambda_notifications(ctx, BUCKET)
            if function_name_of(str(c.get("LambdaFunctionArn", ""))) == FUNCTION]


def _describe(config: dict[str, Any]) -> str:
    rules = filter_rules(config)
    shown = ", ".join(f"{name} {value!r}" for name, value in sorted(rules.items()))
    return f"{', '.join(config.get('Events') or [])} [{shown or 'no filter'}]"


def _chain(ctx: GradingContext) -> ChainRun:
    key, image = _upload(ctx)
    run: ChainRun = ctx.once("chain", lambda: follow_upload(ctx, BUCKET, key, image))
    return run


def c1(ctx: GradingContext) -> CheckResult:
    # notifications can be filtered by key prefix and suffix.
    upload, _image = _upload(ctx)
    expected = f"every notification to {FUNCTION} filters on suffix .jpg and fires for {upload}"
    configs = _mine(ctx)
    if not configs:
        return ctx.result("c1", False, expected=expected,
                          actual=f"{BUCKET} does not notify {FUNCTION}",
                          hint="Keep one notification to thumbnailer, with a filter "
                               "(aws s3api put-bucket-notification-configuration).")
    actual = "; ".join(_describe(c) for c in configs)
    unfiltered = [c for c in configs if filter_rules(c).get("suffix", "") != ".jpg"]
    fires = any(matches(c, "ObjectCreated:Put", upload) for c in configs)
    if unfiltered:
        hint = ("A notification without a .jpg suffix filter fires for every object, the "
                "thumbnails included. Replace the configuration with a filtered one.")
    else:
        hint = f"The filter must still let {upload} through (prefix uploads/, suffix .jpg)."
    return ctx.result("c1", not unfiltered and fires, expected=expected, actual=actual,
                      hint=hint)


def c2(ctx: GradingContext) -> CheckResult:
    # output under the trigger's prefix/suffix re-triggers the function.
    expected = "the first run writes its thumbnail where no notification to thumbnailer fires"
    run = _chain(ctx)
    if not run.hops:
        return ctx.result("c2", False, expected=expected,
                          actual=f"uploading {run.upload[1]} did not invoke {FUNCTION}",
                          hint="The notification must fire for every .jpg under uploads/ "
                               "(check c1).")
    first = run.hops[0]
    if first.error:
        if "NoSuchBucket" in first.error:
            hint = ("thumbnailer writes to a bucket that does not exist in a fresh account: "
                    "create OUTPUT_BUCKET in setup.sh (and let thumbnailer's role put "
                    "objects in it).")
        else:
            hint = (f"thumbnailer failed on the upload {run.upload[1]!r}. S3's event names "
                    "the bucket and the key of the new object (the key URL-encoded: "
                    "urllib.parse.unquote_plus); invoke thumbnailer with an S3 test event "
                    "for that key and read the error.")
        return ctx.result("c2", False, expected=expected,
                          actual=f"{FUNCTION} failed: {first.error[:200]}", hint=hint)
    if not first.outputs:
        return ctx.result("c2", False, expected=expected,
                          actual="the first run wrote no thumbnail",
                          hint="thumbnailer must still write one thumbnail per upload.")
    triggering = []
    for bucket, key in first.outputs:
        configs = (lambda_notifications(ctx, bucket) if bucket != BUCKET else _mine(ctx))
        if any(matches(c, "ObjectCreated:Put", key) for c in configs):
            triggering.append(f"s3://{bucket}/{key}")
    shown = ", ".join(f"s3://{b}/{k}" for b, k in first.outputs)
    if not triggering:
        return ctx.result("c2", True, expected=expected, actual=f"wrote {shown}")
    return ctx.result("c2", False, expected=expected,
                      actual=f"wrote {', '.join(triggering)}, which the filter matches",
                      hint="Does your own write trigger you? The thumbnail's key still ends in "
                           ".jpg, and it lands where the filter looks. thumbnailer's "
                           "environment variables decide where it writes.")


def c3(ctx: GradingContext) -> CheckResult:
    # loop detection stops a chain only after ~16 invocations.
    upload, _image = _upload(ctx)
    expected = f"uploading {upload}: 1 invocation of {FUNCTION}, 1 object written"
    run = _chain(ctx)
    outputs = run.outputs
    actual = (f"{run.invocations} invocation(s), {len(outputs)} object(s) written"
              + (f", {sum(len(h.rewritten) for h in run.hops)} rewrite(s)"
                 if any(h.rewritten for h in run.hops) else ""))
    if run.stopped_by_loop_detection:
        actual += f"; stopped by recursive loop detection after {facts.RECURSION_LIMIT}"
    errors = [h for h in run.hops if h.error]
    if errors:
        actual += f"; {len(errors)} run(s) failed"
    refused = _refused_writes(ctx, outputs)
    if refused:
        more = f" and {len(refused) - 1} more" if len(refused) > 1 else ""
        actual += f"; the execution role may not s3:PutObject {refused[0]}{more}"
    ok = run.invocations == 1 and len(outputs) == 1 and not errors and not refused
    if refused and run.invocations == 1:
        # The sandbox lets handlers act as the account's administrator; AWS evaluates the
        # execution role, so this write would be AccessDenied there.
        hint = (f"In AWS this write fails with AccessDenied: {FUNCTION}'s role does not "
                "allow s3:PutObject there (the seeded role allows it in uploads-bucket only). "
                "Write the thumbnail where the role may, or allow s3:PutObject on the new "
                "bucket's objects (aws iam put-role-policy).")
    elif run.invocations > 1:
        looped = run.hops[1]
        hint = (f"The function's own write to s3://{looped.bucket}/{looped.key} triggered it "
                f"again. Recursive loop detection is no safety net: it stops the chain only "
                f"after about {facts.RECURSION_LIMIT} invocations, each billed and each "
                "writing again. Make sure nothing the function writes (new objects, copies, "
                "rewrites of the original) matches the notification.")
    elif run.invocations == 0:
        hint = "The upload must trigger thumbnailer once (check c1)."
    else:
        hint = "One upload should produce exactly one thumbnail."
    return ctx.result("c3", ok, expected=expected, actual=actual, hint=hint)


def _refused_writes(ctx: GradingContext, outputs: list[tuple[str, str]]) -> list[str]:
    """The objects written whose PutObject the function's execution role does not allow."""
    config = state.function_config(ctx, FUNCTION) or {}
    role = str(config.get("Role") or "").rsplit("/", 1)[-1]
    statements = iam_checks.role_policy_statements(ctx, role) if role else None
    return [f"arn:aws:s3:::{bucket}/{key}" for bucket, key in outputs
            if not iam_checks.allowed(statements or [], "s3:PutObject",
                                      f"arn:aws:s3:::{bucket}/{key}")]


def c4(ctx: GradingContext) -> CheckResult:
    # scope a service principal with SourceArn + SourceAccount (confused deputy).
    expected = ("s3.amazonaws.com may invoke for arn:aws:s3:::uploads-bucket in this account "
                "only")
    statements = iam_checks.function_resource_policy(ctx, FUNCTION)
    arn = ctx.arn("lambda", f"function:{FUNCTION}")

    def allows(bucket: str, account: str) -> bool:
        context = {"AWS:SourceArn": f"arn:aws:s3:::{bucket}", "AWS:SourceAccount": account}
        return iam_checks.evaluate(statements, "lambda:InvokeFunction", arn,
                                   principal="s3.amazonaws.com", context=context) == "allow"

    own = allows(BUCKET, ctx.account_id)
    other_bucket = allows("someone-elses-bucket", ctx.account_id)
    other_account = allows(BUCKET, "111122223333")
    actual = (f"uploads-bucket here: {'allowed' if own else 'refused'}; another bucket: "
              f"{'allowed' if other_bucket else 'refused'}; uploads-bucket owned by another "
              f"account: {'allowed' if other_account else 'refused'}")
    ok = own and not other_bucket and not other_account
    if not own:
        hint = ("S3 may no longer invoke thumbnailer: its resource policy needs a statement "
                "for s3.amazonaws.com, scoped to uploads-bucket in your account; aws lambda "
                "get-policy shows what is there.")
    else:
        hint = ("Bucket names are global and can be re-created by anyone after deletion, so "
                "the statement must name both the bucket's ARN and your account id (R-8.3); "
                "aws lambda get-policy shows its conditions.")
    return ctx.result("c4", ok, expected=expected, actual=actual, hint=hint)
