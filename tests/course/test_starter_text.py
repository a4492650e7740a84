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
