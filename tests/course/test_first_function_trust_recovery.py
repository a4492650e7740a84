"""first-function, step 1 done in the order a learner may do it (found in the workbench,
issue #21): the role created while trust.json still named TODO.amazonaws.com, the function
refused as the README says (R-8.1), then trust.json fixed. create-role again only says the
role exists; the README's update-assume-role-policy command, as written, makes the role one
Lambda can assume, and create-function then succeeds."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from labtui.course.runnable import RunnableBlock

from .block_runner import run_blocks
from .test_runnable_blocks import ROOT, _account, _blocks

README = ROOT / "sandbox" / "first-function" / "README.md"


def _block(blocks: tuple[RunnableBlock, ...], needle: str) -> RunnableBlock:
    found = [block for block in blocks if needle in block.code]
    assert found, f"no block of {README.relative_to(ROOT)} holds {needle}"
    return found[0]


@pytest.mark.sandbox
def test_a_role_created_with_the_placeholder_is_fixed_as_the_readme_says(
    tmp_path: Path,
) -> None:
    blocks = _blocks(README)
    fixed_trust = next(block for block in blocks if block.file == "trust.json")
    create_role = _block(blocks, "iam create-role")
    create_function = _block(blocks, "lambda create-function")
    refused = dataclasses.replace(create_function,
                                  expect_error="InvalidParameterValueException")
    work = tmp_path / "work"
    work.mkdir()
    account = _account(README, work)  # the starter's trust.json: TODO.amazonaws.com
    assert "TODO.amazonaws.com" in (work / "trust.json").read_text()
    # in the text, not a block of its own: the README's blocks are the steps, in order
    said = re.findall(r"`(labtui aws iam update-assume-role-policy [^`]*)`", README.read_text())
    assert said, "the README does not say how to fix the role's trust policy"
    update = RunnableBlock(README, create_role.line, said[0])
    path = [create_role, refused, fixed_trust, update, create_function]
    failures = run_blocks(path, account.env(), work, README.relative_to(ROOT))
    assert not failures, "\n".join(str(f) for f in failures)
