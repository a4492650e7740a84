"""The coverage matrix (lessons/coverage.yaml) covers every source-article item of the
curriculum (curriculum.md §3), and every entry points at things that exist.

The lint rules (anchors exist, exercises exist, questions exist, a question where the
matrix asks for one) run in test_lint.py's shipped-course test; this file adds the
completeness check against the curriculum itself and proves the rules bite.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from labtui.course.lint import lint_course
from labtui.course.loader import load_course

ROOT = Path(__file__).resolve().parents[2]
CURRICULUM = ROOT.parent / "shared" / "curriculum.md"
MINI = Path(__file__).parent / "fixtures" / "mini"
# curriculum.md §3 kept verbatim in the project, so that the completeness test needs nothing
# outside it; where curriculum.md is beside the checkout, a test checks the copy is current.
KEPT_MATRIX = Path(__file__).parent / "curriculum_matrix.md"


def expand_item_cell(cell: str) -> list[str]:
    """'003-LO2, IQ3, QC2' -> [003-LO2, 003-IQ3, 003-QC2]; '003-Lab1..8' -> Lab1..Lab8."""
    items: list[str] = []
    seed = ""
    for part in (p.strip() for p in cell.split(",")):
        match = re.fullmatch(r"(?:(\d{3})-)?([A-Za-z]+)(\d+)(?:\.\.(?:[A-Za-z]*)(\d+))?", part)
        if not match:
            if re.fullmatch(r"\d{3}-[A-Za-z]+", part):  # e.g. 004-code, 004-tables
                items.append(part)
                seed = part[:3]
            continue
        seed = match.group(1) or seed
        prefix, first, last = match.group(2), int(match.group(3)), match.group(4)
        for number in range(first, int(last or first) + 1):
            items.append(f"{seed}-{prefix}{number}")
    return items


def curriculum_items(text: str) -> list[str]:
    section = text.split("## 3. Coverage matrix", 1)[1].split("\n## ", 1)[0]
    items: list[str] = []
    for line in section.splitlines():
        if line.startswith("| ") and not line.startswith(("| item", "|---")):
            items += expand_item_cell(line.split("|")[1])
    return items


def test_item_cell_expansion() -> None:
    assert expand_item_cell("003-LO2, IQ3, QC2") == ["003-LO2", "003-IQ3", "003-QC2"]
    assert expand_item_cell("003-Lab1..8")[-1] == "003-Lab8"
    assert expand_item_cell("000-S1..13")[12] == "000-S13"
    assert expand_item_cell("004-Tip1, S5") == ["004-Tip1", "004-S5"]
    assert expand_item_cell("004-code") == ["004-code"]


def shipped_items() -> list[str]:
    return curriculum_items(KEPT_MATRIX.read_text(encoding="utf-8"))


def test_every_curriculum_item_is_in_the_matrix() -> None:
    expected = shipped_items()
    assert len(expected) > 80
    course = load_course(ROOT)
    covered = {item.item for item, _line in course.coverage}
    missing = [item for item in expected if item not in covered]
    assert missing == [], f"coverage.yaml lacks {missing}"


def test_the_kept_matrix_is_the_curriculum_s() -> None:
    """Every kind of item cell of the matrix is read, and the copy kept in the project is
    curriculum.md's own section where that file is beside the checkout (CI's checkout)."""
    items = shipped_items()
    assert len(items) == len(set(items)) > 80
    assert {"003-LO2", "003-IQ3", "003-QC2", "003-Lab8", "000-S13", "004-code"} <= set(items)
    if CURRICULUM.is_file():
        section = CURRICULUM.read_text(encoding="utf-8").split("## 3. Coverage matrix", 1)[1]
        kept = KEPT_MATRIX.read_text(encoding="utf-8").split("## 3. Coverage matrix", 1)[1]
        assert kept.rstrip() == section.split("\n## ", 1)[0].rstrip(), (
            "curriculum.md §3 changed: copy it into tests/course/curriculum_matrix.md")


def test_every_entry_has_a_lesson_anchor_that_exists() -> None:
    course = load_course(ROOT)
    assert course.coverage, "lessons/coverage.yaml is missing or empty"
    problems = [p for p in lint_course(ROOT) if p.path.name == "coverage.yaml"]
    assert problems == []


def test_the_rules_bite(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    (root / "lessons" / "coverage.yaml").write_text(
        "- item: 001-K1\n  summary: ok\n  lessons: [basics#what]\n  questions: [q-01-basics-001]\n"
        "- item: 001-K2\n  summary: bad anchor\n  lessons: [basics#nowhere]\n  questions: [q-01-basics-001]\n"
        "- item: 001-K3\n  summary: no question\n  lessons: [basics#what]\n"
        "- item: 001-K4\n  summary: ghost pack\n  lessons: [basics#what]\n  exercises: [ghost]\n"
        "  needs_question: false\n"
    )
    found = "\n".join(p.message for p in lint_course(root))
    assert "001-K1" not in found
    assert "001-K2: lesson anchor basics#nowhere does not exist" in found
    assert "001-K3: needs at least one quiz question" in found
    assert "001-K4: exercise 'ghost' does not exist" in found
