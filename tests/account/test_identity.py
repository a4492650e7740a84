"""Learner ids -> fake keys -> account ids; parsing function names (properties)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from labtui.account.identity import (
    account_for_key,
    credential_scope,
    learner_identity,
)
from labtui.account.lambda_invoke import split_function_name

learner_ids = st.text(min_size=1, max_size=30)


@given(learner_ids)
def test_identity_is_deterministic_and_well_formed(learner_id: str) -> None:
    identity = learner_identity(learner_id)
    assert identity == learner_identity(learner_id)
    assert identity.account_id.isdigit() and len(identity.account_id) == 12
    assert identity.account_id != "123456789012"  # never moto's shared default account
    assert len(identity.access_key_id) == 20 and identity.access_key_id.startswith("AKIALAB")
    assert account_for_key(identity.access_key_id) == identity.account_id


@given(st.lists(learner_ids, min_size=2, max_size=30, unique=True))
def test_different_learners_get_different_accounts(ids: list[str]) -> None:
    accounts = {learner_identity(learner_id).account_id for learner_id in ids}
    assert len(accounts) == len(ids)


def test_credential_scope_reads_sigv4_header_and_presigned_query() -> None:
    header = (
        "AWS4-HMAC-SHA256 Credential=AKIALABEXAMPLE0000001/20261125/eu-west-1/lambda/"
        "aws4_request, SignedHeaders=host, Signature=abc"
    )
    assert credential_scope({"HTTP_AUTHORIZATION": header}) == (
        "AKIALABEXAMPLE0000001",
        "eu-west-1",
        "lambda",
    )
    query = "X-Amz-Credential=AKIALABEXAMPLE0000001%2F20261125%2Fus-east-1%2Fs3%2Faws4_request"
    assert credential_scope({"QUERY_STRING": query})[:2] == ("AKIALABEXAMPLE0000001", "us-east-1")
    assert credential_scope({}) == (None, None, None)


@given(
    name=st.from_regex(r"[A-Za-z0-9_-]{1,20}", fullmatch=True),
    qualifier=st.one_of(st.none(), st.from_regex(r"[A-Za-z0-9$_-]{1,10}", fullmatch=True)),
)
def test_function_name_forms_agree(name: str, qualifier: str | None) -> None:
    arn = f"arn:aws:lambda:us-east-1:123456789012:function:{name}"
    if qualifier is None:
        assert split_function_name(name, None) == (name, None)
        assert split_function_name(arn, None) == (name, None)
    else:
        assert split_function_name(f"{name}:{qualifier}", None) == (name, qualifier)
        assert split_function_name(f"{arn}:{qualifier}", None) == (name, qualifier)
        assert split_function_name(name, qualifier) == (name, qualifier)
        assert split_function_name(arn.replace(":", "%3A"), qualifier) == (name, qualifier)
