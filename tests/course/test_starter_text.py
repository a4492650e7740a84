"""What a starter file tells the learner to replace is what the file holds (#21: the
sync-vs-async answers.yaml said "Replace every ?" over TODO placeholders)."""

from __future__ import annotations

import re

from labtui.course.resolver import content_root

REPLACE = re.compile(r"[Rr]eplace every (\S+) with")


def test_every_placeholder_a_starter_names_is_in_it() -> None:
    named = 0
    for path in sorted((content_root() / "sandbox").glob("*/starter/**/*")):
        if not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for placeholder in REPLACE.findall(text):
            named += 1
            body = text.replace(f"Replace every {placeholder} with", "")
            assert placeholder in body, f"{path}: says 'Replace every {placeholder}' but has none"
    assert named, "no starter names its placeholders: the test found nothing to check"


SCRIPT_NAME = re.compile(r"`([\w./-]+\.(?:py|sh))`")


def test_every_script_a_readme_names_is_in_the_workspace() -> None:
    """A README sends the learner only to files they have: the starter workspace (QA: the
    right-size-memory README named resize_profile.py, which only the pack holds)."""
    named = 0
    for readme in sorted((content_root() / "sandbox").glob("*/README.md")):
        starter = readme.parent / "starter"
        have = {p.name for p in starter.rglob("*") if p.is_file()}
        for name in SCRIPT_NAME.findall(readme.read_text(encoding="utf-8")):
            named += 1
            assert name.rsplit("/", 1)[-1] in have, f"{readme}: names `{name}`, not in {starter}"
    assert named, "no README names a script: the test found nothing to check"
