"""A file an exercise's solution writes in setup.sh from an ARN it looks up, and which the
README asks the learner for, is said to be written by setup.sh: the check runs setup.sh in a
fresh account with another account id, so the ARN the workbench shell printed, pasted into
the file, fails there (found in the workbench: sqs-partial-batch's README said 'once you
have written queue-attributes.json' next to a set-queue-attributes command for the shell,
and the first check stopped at 'Could not find DLQ'; issue #21)."""

from __future__ import annotations

import re

from labtui.course.resolver import content_root

ROOT = content_root()
_WRITTEN = re.compile(r"(?:cat|sed[^\n>]*)\s*>\s*([\w.-]+\.json)")


def _arn_files(setup: str) -> set[str]:
    """Files setup.sh writes whose text comes from an *ARN variable."""
    found = set()
    for match in _WRITTEN.finditer(setup):
        tail = setup[match.start():match.start() + 600]
        if re.search(r"\$\{?[A-Z_]*ARN\b", tail):
            found.add(match.group(1))
    return found


def test_readmes_say_setup_sh_writes_the_files_that_hold_an_arn() -> None:
    missing = []
    checked = 0
    for setup in sorted(ROOT.glob("sandbox/*/solution/setup.sh")):
        readme = (setup.parent.parent / "README.md").read_text(encoding="utf-8")
        for name in _arn_files(setup.read_text(encoding="utf-8")):
            paragraphs = [p for p in readme.split("\n\n") if f"`{name}`" in p]
            if not paragraphs:
                continue  # the README does not ask for it (policy.json from a template)
            checked += 1
            if not any("setup.sh" in p and "fresh account" in p for p in paragraphs):
                missing.append(f"{setup.parent.parent.name}: {name}")
    assert checked, "no README names a file its solution writes from an ARN"
    assert not missing, missing
