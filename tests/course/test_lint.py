"""The content linter: every problem reported as file:line, all of them, not the first."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from labtui.cli import main
from labtui.course.lint import evaluate_formula, lint_course
from labtui.course.loader import load_course

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture
def course(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    shutil.copytree(MINI, root)
    return root


def messages(root: Path) -> list[str]:
    return [p.format(root) for p in lint_course(root)]


def test_fixture_course_is_clean(course: Path) -> None:
    assert messages(course) == []


def test_loader_reads_modules_questions_and_anchors(course: Path) -> None:
    loaded = load_course(course)
    assert [m.id for m in loaded.modules] == ["basics", "advanced"]
    assert loaded.modules[0].lesson is not None
    assert {"what", "summary"} <= loaded.modules[0].lesson.anchors
    assert len(loaded.all_questions()) == 4
    assert loaded.exam("dva") is not None and loaded.exam("DVA-C02") is not None


def test_reports_every_problem_with_file_and_line(course: Path) -> None:
    quiz = course / "quizzes" / "basics.yaml"
    text = quiz.read_text()
    text = text.replace("answer: A", "answer: Z").replace("difficulty: 2", "difficulty: 7")
    text = text.replace("unit: executions", "unit: executions\n  colour: red")
    quiz.write_text(text)
    found = messages(course)
    assert any(
        m.startswith("quizzes/basics.yaml:") and "option(s) that do not exist: Z" in m
        for m in found
    )
    assert any("difficulty" in m and "less than or equal to 3" in m for m in found)
    assert any("unknown key 'colour'" in m for m in found)
    # each message carries a real line number
    for message in found:
        assert int(message.split(":")[1]) >= 1, message


def test_yaml_syntax_error_has_line(course: Path) -> None:
    (course / "quizzes" / "advanced.yaml").write_text("- id: q-02-adv-001\n  stem: [unclosed\n")
    found = messages(course)
    assert any(m.startswith("quizzes/advanced.yaml:") and "YAML syntax error" in m for m in found)


def test_dangling_references_and_missing_pieces(course: Path) -> None:
    lesson = course / "lessons" / "02-advanced.md"
    lesson.write_text(
        lesson.read_text()
        .replace("prerequisites: [basics]", "prerequisites: [basics, ghost]")
        .replace("domains: [SAA:2.1, SOA:2.1]", "domains: [SAA:9.9]")
        .replace("Text.", "Uses {{fact:no_such_fact}}.\n\n```tryit\nscenario: missing.yaml\n```\n")
    )
    found = "\n".join(messages(course))
    assert "prerequisite 'ghost' is not a module" in found
    assert "SAA-C03 has no task 9.9" in found
    assert "unknown fact 'no_such_fact'" in found
    assert "no scenario sandbox/scenarios/missing.yaml" in found


def test_prerequisite_cycle(course: Path) -> None:
    basics = course / "lessons" / "01-basics.md"
    basics.write_text(basics.read_text().replace("prerequisites: []", "prerequisites: [advanced]"))
    assert any("prerequisite cycle" in m for m in messages(course))


def test_missing_lesson_and_front_matter(course: Path) -> None:
    (course / "lessons" / "02-advanced.md").unlink()
    (course / "lessons" / "01-basics.md").write_text("# no front matter\n")
    found = "\n".join(messages(course))
    assert "missing lesson for module 'advanced'" in found
    assert "missing YAML front matter" in found


def test_multiple_response_count_must_match_stem(course: Path) -> None:
    quiz = course / "quizzes" / "advanced.yaml"
    quiz.write_text(quiz.read_text().replace("Choose TWO", "Choose THREE"))
    assert any("stem says choose THREE but the answer lists 2" in m for m in messages(course))


def test_numeric_answer_is_recomputed(course: Path) -> None:
    quiz = course / "quizzes" / "basics.yaml"
    quiz.write_text(quiz.read_text().replace("answer: 150", "answer: 2400"))
    assert any("formula gives 150 but the answer is 2400" in m for m in messages(course))


def test_duplicate_ids_and_module_mismatch(course: Path) -> None:
    quiz = course / "quizzes" / "advanced.yaml"
    quiz.write_text(quiz.read_text().replace("q-02-adv-002", "q-02-adv-001"))
    assert any("duplicate question id q-02-adv-001" in m for m in messages(course))


def test_incomplete_exercise_pack(course: Path) -> None:
    pack = course / "sandbox" / "half-done"
    pack.mkdir()
    (pack / "README.md").write_text("# task\n")
    found = "\n".join(messages(course))
    for piece in ("exercise.yaml", "starter", "solution", "checks.py"):
        assert f"exercise pack 'half-done' is missing {piece}" in found


def test_non_utf8_and_huge_files(course: Path) -> None:
    (course / "quizzes" / "basics.yaml").write_bytes(b"- id: q\n  stem: caf\xe9\n")
    huge = course / "quizzes" / "advanced.yaml"
    huge.write_bytes(b"#" * (3 * 1024 * 1024))
    found = "\n".join(messages(course))
    assert "quizzes/basics.yaml:2: not valid UTF-8" in found
    assert "content files must stay under" in found


def test_cli_exit_codes(course: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["content", "lint", str(course)]) == 0
    (course / "lessons" / "course.yaml").write_text("title: x\nmodules: []\n")
    assert main(["content", "lint", str(course)]) == 1
    assert main(["content", "lint", str(course / "nope")]) == 2
    err = capsys.readouterr().err
    assert "no such directory" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("formula", "value"),
    [("600*0.25", 150.0), ("(30e6-1e6)*0.20/1e6", 5.8), ("-2 + 2**3", 6.0), ("1,000 * 2", 2000.0)],
)
def test_formula_arithmetic(formula: str, value: float) -> None:
    assert evaluate_formula(formula) == pytest.approx(value)


@pytest.mark.parametrize("formula", ["__import__('os')", "a + 1", "2 ** 99", "[1]"])
def test_formula_rejects_anything_but_arithmetic(formula: str) -> None:
    with pytest.raises((ValueError, SyntaxError)):
        evaluate_formula(formula)


def test_shipped_course_lints_clean() -> None:
    """The real course: every lesson, question, exam blueprint and pack."""
    root = Path(__file__).resolve().parents[2]
    found = messages(root)
    assert found == [], "\n".join(found[:50])


def test_run_block_info_strings_are_checked(course: Path) -> None:
    lesson = next((course / "lessons").glob("01-*.md"))
    lesson.write_text(lesson.read_text() + (
        "\n```sh run\naws sts get-caller-identity\n```\n"
        "\n```sh run expect-error=ResourceConflictException\naws lambda publish-version\n```\n"
        "\n```python run\nprint(1)\n```\n"
        "\n```bash run expect-eror=X\ntrue\n```\n"
        "\n```sh run expect-error\nfalse\n```\n"
    ))
    found = [m for m in messages(course) if m.startswith(f"lessons/{lesson.name}:")]
    assert any("'run' blocks are shell: write ```sh run, not ```python run" in m for m in found)
    assert any("unknown run option 'expect-eror'" in m for m in found)
    assert any("expect-error needs a value" in m for m in found)
    assert len(found) == 3, found  # the two well-formed blocks are fine


def test_runnable_blocks_are_read_in_order_with_their_options(tmp_path: Path) -> None:
    from labtui.course.runnable import runnable_blocks

    text = ("intro\n\n```sh run\nA=1\n```\n\n```bash\nnot run\n```\n\n"
            "~~~bash run expect-error=NoSuchEntity\naws iam get-role --role-name x\n~~~\n")
    blocks, problems = runnable_blocks(tmp_path / "x.md", text)
    assert problems == []
    assert [(b.line, b.code, b.expect_error) for b in blocks] == [
        (3, "A=1\n", None), (11, "aws iam get-role --role-name x\n", "NoSuchEntity")]


def test_readers_see_the_language_without_the_run_options() -> None:
    from labtui.course.lessons import display_markdown

    shown = display_markdown("```bash run expect-error=X\naws x\n```\n\n```json file=a.json\n{}\n```\n"
                             "\n```python\nrun = 1\n```\n")
    assert shown == "```bash\naws x\n```\n\n```json\n{}\n```\n\n```python\nrun = 1\n```\n"
