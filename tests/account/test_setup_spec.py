"""The ``setup:`` block models: strict, and every cross-reference checked."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from labtui.course.setup_spec import ExerciseSetup

RICH_SETUP = Path(__file__).with_name("rich_setup.yaml")


def test_rich_setup_is_valid() -> None:
    setup = ExerciseSetup.model_validate(yaml.safe_load(RICH_SETUP.read_text()))
    function = setup.functions[0]
    assert len(function.versions) == 3  # `versions: 3` shorthand
    assert function.aliases[0].version == "3" and function.aliases[0].weights == {"2": 0.1}
    assert setup.subnet_names() == {"public-a", "private-a", "private-b"}


def test_empty_setup_is_valid() -> None:
    assert ExerciseSetup.model_validate({}).functions == []


@pytest.mark.parametrize(
    ("document", "message"),
    [
        ({"functions": [{"name": "f", "role": "missing", "code": "x"}]}, "unknown role 'missing'"),
        (
            {
                "queues": [
                    {"name": "q", "redrive": {"dead_letter_queue": "dlq", "max_receive_count": 3}}
                ]
            },
            "unknown queue 'dlq'",
        ),
        ({"queues": [{"name": "q"}, {"name": "q"}]}, "queue 'q' is defined twice"),
        ({"queues": [{"name": "orders", "fifo": True}]}, "end in .fifo"),
        (
            {
                "roles": [{"name": "r"}],
                "functions": [{"name": "f", "role": "r", "code": "x", "files": {"a.py": ""}}],
            },
            "exactly one of 'code' or 'files'",
        ),
        (
            {
                "roles": [{"name": "r"}],
                "functions": [
                    {
                        "name": "f",
                        "role": "r",
                        "code": "x",
                        "aliases": [{"name": "live", "version": 1}],
                    }
                ],
            },
            "unknown published version '1'",
        ),
        (
            {
                "roles": [{"name": "r"}],
                "functions": [{"name": "f", "role": "r", "code": "x", "memory": 64}],
            },
            "greater than or equal to 128",
        ),
        (
            {
                "vpcs": [
                    {
                        "name": "v",
                        "route_tables": [{"name": "rt", "routes": [{"target": "nat:nat-a"}]}],
                    }
                ]
            },
            "unknown nat gateway 'nat-a'",
        ),
        (
            {
                "vpcs": [
                    {
                        "name": "v",
                        "security_groups": [
                            {"name": "db", "ingress": [{"port": 5432, "group": "lambda-sg"}]}
                        ],
                    }
                ]
            },
            "unknown security group 'lambda-sg'",
        ),
        (
            {"event_source_mappings": [{"function": "f", "source": "q", "source_type": "sqs"}]},
            "unknown function 'f'",
        ),
        ({"queues": [{"name": "q", "visibility": 30}]}, "Extra inputs are not permitted"),
        ({"queues": [{"name": "q", "visibility_timeout": "30"}]}, "valid integer"),
    ],
)
def test_problems_are_reported(document: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ExerciseSetup.model_validate(document)


def test_all_dangling_references_are_reported_together() -> None:
    with pytest.raises(ValidationError) as caught:
        ExerciseSetup.model_validate(
            {
                "functions": [
                    {
                        "name": "f",
                        "role": "r1",
                        "code": "x",
                        "vpc": {"subnets": ["s1"], "security_groups": ["g1"]},
                    }
                ]
            }
        )
    text = str(caught.value)
    assert "unknown role 'r1'" in text and "unknown subnet 's1'" in text
    assert "unknown security group 'g1'" in text


@given(
    st.dictionaries(
        st.sampled_from(["roles", "queues", "functions", "vpcs", "bogus"]),
        st.lists(st.dictionaries(st.text(max_size=5), st.integers()), max_size=2),
        max_size=3,
    )
)
def test_random_input_fails_with_a_validation_error_only(document: dict[str, Any]) -> None:
    with contextlib.suppress(ValidationError):
        ExerciseSetup.model_validate(document)
