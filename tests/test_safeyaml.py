"""The one bounded YAML loader, attacked through every kind of file that uses it.

An alias bomb is a few hundred bytes that expands nine-fold per level; before the
shared loader, `labtui content lint` and `labtui simulate` grew 9x in memory per
level (issue 18). Each test feeds one through a different door and checks it is
refused with a line number, and that the door still reads good files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labtui import safeyaml
from labtui.course.lessons import parse_lesson
from labtui.course.lint import lint_course
from labtui.course.yamlsource import YamlLoadError, parse_yaml

MINI = Path(__file__).parent / "course" / "fixtures" / "mini"


def bomb(levels: int = 9, key: str = "x") -> str:
    text = f'{key}0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]\n'
    for level in range(1, levels + 1):
        text += f"{key}{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]\n"
    return text


def test_plain_data_loads() -> None:
    assert safeyaml.load("a: [1, {b: true}]\nc: &x 3\nd: *x\n") == {
        "a": [1, {"b": True}],
        "c": 3,
        "d": 3,
    }


def test_alias_bomb_is_refused_at_the_line_where_it_passes_the_bound() -> None:
    with pytest.raises(safeyaml.YamlProblem) as problem:
        safeyaml.load(bomb())
    # level 5 holds 9**6 = 531,441 values: the first past 100,000 (line 6)
    assert problem.value.line == 6
    assert "past 100,000 values" in problem.value.message


def test_python_tags_are_not_constructed() -> None:
    with pytest.raises(safeyaml.YamlProblem) as problem:
        safeyaml.load("x: !!python/object/apply:os.system ['true']\n")
    assert "could not determine a constructor" in problem.value.message


def test_oversized_documents_and_deep_nesting_are_refused() -> None:
    with pytest.raises(safeyaml.YamlProblem) as big:
        safeyaml.decode(b"#" * (safeyaml.MAX_BYTES + 1))
    assert "must stay under" in big.value.message
    with pytest.raises(safeyaml.YamlProblem) as deep:
        safeyaml.load("[" * 200 + "]" * 200)
    assert "nested" in deep.value.message


def test_course_loader_refuses_a_bomb_in_front_matter_with_the_file_line() -> None:
    # Front matter starts on line 2 of a lesson: lines are offset, not restarted.
    with pytest.raises(YamlLoadError) as error:
        parse_yaml(bomb(), Path("lesson.md"), first_line=2)
    assert error.value.problem.line == 7


def test_content_lint_reports_a_bomb_in_a_quiz_file(tmp_path: Path) -> None:
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    quiz = root / "quizzes" / "basics.yaml"
    quiz.write_text(bomb())
    problems = [p for p in lint_course(root) if p.path == quiz]
    assert [(p.line, "alias bomb" in p.message) for p in problems] == [(6, True)]


def test_a_tryit_block_with_a_bomb_is_a_broken_block(tmp_path: Path) -> None:
    text = "# Lesson\n\n```tryit\n" + bomb() + "```\n"
    lesson = parse_lesson(tmp_path / "01-x.md", text)
    assert lesson.try_its == []
    assert [p.message.split(" (")[0] for p in lesson.problems] == [
        "tryit block must be a YAML mapping"
    ]
