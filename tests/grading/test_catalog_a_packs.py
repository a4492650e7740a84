"""What is specific to the catalog-A packs beyond the shared pack contract
(tests/grading/test_pack_contract.py covers starter / solution / wrong attempts for every pack):
the deterministic REPORT lines of report-line-forensics and the figures derived from them,
right-size-memory's profile and cost against the curriculum (R-10), and the sandbox's R-5.3
rejection that account-pool-budget's "asks-for-200" attempt relies on."""

from __future__ import annotations

import importlib.util
import math
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from labtui import facts
from labtui.course.resolver import content_root

SANDBOX = content_root() / "sandbox"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


FORENSICS = SANDBOX / "report-line-forensics"
forensics = _load(FORENSICS / "checks.py", "catalog_a_forensics_checks")
generator = _load(FORENSICS / "make_report_lines.py", "catalog_a_forensics_generator")
right_size = _load(SANDBOX / "right-size-memory" / "checks.py", "catalog_a_right_size_checks")
profile = _load(SANDBOX / "right-size-memory" / "function" / "resize_profile.py",
                "catalog_a_resize_profile")


# --- report-line-forensics ---------------------------------------------------------------


def test_shipped_lines_are_the_generators_output() -> None:
    shipped = (FORENSICS / "starter" / "report-lines.log").read_text(encoding="utf-8")
    assert shipped.splitlines() == generator.generate()
    assert generator.generate() == generator.generate()  # seeded: the same every run


def test_thirty_lines_all_parse_and_cold_starts_have_init() -> None:
    text = (FORENSICS / "starter" / "report-lines.log").read_text(encoding="utf-8")
    reports = forensics.parse(text)
    assert len(reports) == 30 == len(text.splitlines())
    # Billed Duration = Duration (+ Init Duration on a cold start), rounded up to 1 ms.
    for report in reports:
        assert report.billed_ms == math.ceil(round(report.duration_ms + (report.init_ms or 0.0), 2))
    found = forensics.findings(reports)
    assert found.cold_starts == text.count("Init Duration") == 5
    # The exercise only teaches something if the cheapest size overall lacks headroom and
    # the smallest size with headroom is not the cheapest of those.
    cheapest = min(found.gb_s_per_call, key=found.gb_s_per_call.__getitem__)
    assert cheapest not in found.fits
    assert found.right_size_mb != min(found.fits)


_report = st.builds(
    lambda size, used, duration, init: forensics.Report(
        "r", duration, math.ceil(duration + (init or 0.0)), size, min(used, size), init),
    st.sampled_from([128, 256, 512, 1024, 2048]),
    st.integers(min_value=40, max_value=2048),
    st.floats(min_value=1.0, max_value=5000.0),
    st.one_of(st.none(), st.floats(min_value=50.0, max_value=2000.0)),
)


@given(st.lists(_report, min_size=1, max_size=40))
def test_right_size_is_the_cheapest_size_that_keeps_headroom(reports: list[Any]) -> None:
    found = forensics.findings(reports)
    assert found.cold_starts == sum(1 for r in reports if r.init_ms is not None)
    for size in found.fits:
        peak = max(r.max_used_mb for r in reports if r.memory_mb == size)
        assert size - peak >= forensics.HEADROOM_MIN * size
        assert found.gb_s_per_call[found.right_size_mb] <= found.gb_s_per_call[size]
    if found.fits:
        assert found.right_size_mb in found.fits


@given(_report)
def test_a_report_line_round_trips_through_the_parser(report: Any) -> None:
    line = (f"REPORT RequestId: abc\tDuration: {report.duration_ms:.2f} ms\t"
            f"Billed Duration: {report.billed_ms} ms\tMemory Size: {report.memory_mb} MB\t"
            f"Max Memory Used: {report.max_used_mb} MB")
    if report.init_ms is not None:
        line += f"\tInit Duration: {report.init_ms:.2f} ms"
    (parsed,) = forensics.parse(f"START RequestId: abc Version: $LATEST\n{line}\n")
    assert (parsed.memory_mb, parsed.max_used_mb, parsed.billed_ms) == (
        report.memory_mb, report.max_used_mb, report.billed_ms)
    assert (parsed.init_ms is None) == (report.init_ms is None)


def test_the_starters_blank_answers_read_not_answered() -> None:
    # The starter's nulls were shown as Python's None ("cold_starts: None").
    from labtui.grading.service import grade

    report = grade("report-line-forensics", solution_dir=FORENSICS / "starter")
    actual = {result.id: result.actual for result in report.results}
    assert actual["c1"] == "cold_starts: not answered"
    assert actual["c2"] == "headroom_mb: 256: not answered, 512: not answered, 1024: not answered"
    assert actual["c3"] == "right_size_mb: not answered"
    assert forensics._shown(None) == "not answered" and forensics._shown("17.6") == "17.6"


# --- right-size-memory -------------------------------------------------------------------


def test_right_size_matches_the_curriculum_figure() -> None:
    # curriculum §6: 1769 MB x 0.240 s = 0.4146 GB-s x $0.0000166667 x 1M + $0.20 = $7.11.
    memory, cost = right_size.right_size(SANDBOX / "right-size-memory")
    assert memory == 1769
    by_hand = (1769 / 1024 * 0.240 * 1_000_000 * facts.PRICE_GB_S_X86_USD
               + facts.PRICE_REQUEST_PER_MILLION_USD)
    assert cost == pytest.approx(by_hand)
    assert cost == pytest.approx(7.11, rel=0.01)


def test_wrong_attempt_costs_are_right_for_their_sizes() -> None:
    # The 10,240 and 128 MB attempts fail only c1: their cost figures must be correct.
    assert right_size.cost_per_million(10_240, profile.duration_ms(10_240)) == pytest.approx(
        38.53, rel=0.01)
    assert right_size.cost_per_million(128, profile.duration_ms(128)) == pytest.approx(
        6.87, rel=0.01)
    assert right_size.cost_per_million(1769, 240, "arm64") == pytest.approx(5.73, rel=0.01)


@pytest.mark.parametrize(("written", "read"), [
    (7.11, 7.11), ("7.11", 7.11), ("$7.11", 7.11), ("7.11 USD", 7.11), ("US$ 7.11", 7.11),
    ("7,11", 7.11), ("1,234.5", 1234.5), ("12,345", 12345.0), ("seven", None), (True, None),
])
def test_the_cost_figure_is_read_as_the_learner_wrote_it(written: object, read: object) -> None:
    # A decimal comma ("7,11") was read as 711 and answered with a GB-seconds hint.
    assert right_size._number(written) == read


@given(st.integers(min_value=facts.MEMORY_MIN_MB, max_value=facts.MEMORY_MAX_MB - 1))
def test_profile_never_gets_slower_with_more_memory(memory: int) -> None:
    assert profile.duration_ms(memory + 1) <= profile.duration_ms(memory)
    for size, ms in profile.PROFILE_MS.items():
        assert profile.duration_ms(size) == ms


# --- account-pool-budget (sandbox) ---------------------------------------------------------


@pytest.mark.sandbox
@pytest.mark.slow
def test_sandbox_rejects_a_reservation_below_the_unreserved_minimum(sandbox: Any) -> None:
    from botocore.exceptions import ClientError

    from labtui.grading.pack import load_pack
    from labtui.grading.sandbox import fresh_account

    pack = load_pack("account-pool-budget")
    account = fresh_account(pack.manifest, pack.path, "catalog-a")
    lam = account.client("lambda")
    with pytest.raises(ClientError) as refused:  # 400 + 300 + 50 + 200 leaves 50
        lam.put_function_concurrency(FunctionName="search-indexer",
                                     ReservedConcurrentExecutions=200)
    assert refused.value.response["Error"]["Code"] == "InvalidParameterValueException"
    lam.put_function_concurrency(FunctionName="search-indexer", ReservedConcurrentExecutions=150)
    settings = lam.get_account_settings()["AccountLimit"]
    assert settings["UnreservedConcurrentExecutions"] == facts.UNRESERVED_MIN


# --- vpc-nat-egress / vpc-endpoint-s3 helpers (sandbox) ---------------------------------------


@pytest.mark.sandbox
@pytest.mark.slow
def test_egress_verdict_reads_real_ec2_state_and_names_it(sandbox: Any) -> None:
    from labtui.grading.context import GradingContext
    from labtui.grading.egress_checks import reachability, with_names
    from labtui.grading.pack import load_pack
    from labtui.grading.sandbox import fresh_account
    from labtui.lambdasim.vpc import AwsServiceTarget, InternetTarget

    pack = load_pack("vpc-nat-egress")
    account = fresh_account(pack.manifest, pack.path, "catalog-a")
    ctx = GradingContext(manifest=pack.manifest, pack_dir=pack.path, env=account.env(),
                         account_id=account.account_id, account=account)
    # R-7.2 / worked scenario 12: private subnets with only the local route reach nothing.
    verdict = reachability(ctx, "geo-lookup", InternetTarget("ipapi.example.com", 443))
    assert not verdict.reachable and verdict.rule == "R-7.2"
    assert "private-rt" in with_names(ctx, verdict.reason)
    assert not reachability(ctx, "geo-lookup", AwsServiceTarget("s3")).reachable
    # A gateway endpoint on private-rt opens S3 and nothing else.
    ec2 = account.client("ec2")
    table = ec2.describe_route_tables(
        Filters=[{"Name": "tag:Name", "Values": ["private-rt"]}])["RouteTables"][0]
    ec2.create_vpc_endpoint(VpcId=table["VpcId"], ServiceName="com.amazonaws.us-east-1.s3",
                            VpcEndpointType="Gateway", RouteTableIds=[table["RouteTableId"]])
    ctx.cache.clear()
    assert reachability(ctx, "geo-lookup", AwsServiceTarget("s3")).reachable
    assert not reachability(ctx, "geo-lookup", InternetTarget("ipapi.example.com", 443)).reachable


@pytest.mark.sandbox
def test_forensics_shows_answers_as_written_and_the_free_share_with_its_decimal(
    sandbox: Any, tmp_path: Path
) -> None:
    from labtui.grading.service import grade

    attempt = tmp_path / "attempt"
    attempt.mkdir()
    (attempt / "answers.yaml").write_text(
        "cold_starts: 5\nheadroom_mb:\n  256: 17.6\n  512: 312\n  1024: 825\nright_size_mb: 256\n",
        encoding="utf-8")
    report = grade("report-line-forensics", solution_dir=attempt)
    results = {r.id: r for r in report.results}
    assert "256: 17.6" in results["c2"].actual  # as written, not cut to 17
    assert not results["c2"].passed
    # 256 MB peaks at 211 MB: 45 MB free is 17.6 %, shown with its decimal.
    assert "45 MB free (17.6%)" in results["c3"].hint


@pytest.mark.sandbox
def test_alias_canary_shows_its_simulated_calls_in_the_trace(sandbox: Any) -> None:
    # c4 simulates 1,000 calls to checkout:prod; the Trace tab said "No simulated run yet".
    from labtui.grading.service import grade

    report = grade("alias-canary", solution_dir=SANDBOX / "alias-canary" / "solution")
    assert report.passed, report.results
    assert {row.version for row in report.trace} == {"5", "6"}
    assert {row.function for row in report.trace} == {"checkout"}
