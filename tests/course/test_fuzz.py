"""Loaders fed random bytes and near-valid documents never crash (hypothesis)."""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labtui.course.lint import lint_course

MINI = Path(__file__).parent / "fixtures" / "mini"
FUZZ = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 10**6),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.lists(st.text(max_size=5), max_size=3),
)


def _course(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    if not root.exists():
        shutil.copytree(MINI, root)
    return root


@FUZZ
@given(data=st.binary(max_size=400))
def test_random_bytes_in_a_quiz_file(tmp_path: Path, data: bytes) -> None:
    root = _course(tmp_path, "bytes")
    (root / "quizzes" / "basics.yaml").write_bytes(data)
    for problem in lint_course(root):
        assert problem.line >= 0 and problem.message


@FUZZ
@given(data=st.binary(max_size=300))
def test_random_bytes_as_front_matter(tmp_path: Path, data: bytes) -> None:
    root = _course(tmp_path, "front")
    (root / "lessons" / "01-basics.md").write_bytes(b"---\n" + data + b"\n---\n# body\n")
    lint_course(root)


@FUZZ
@given(
    key=st.sampled_from(
        [
            "id",
            "type",
            "answer",
            "options",
            "domains",
            "refs",
            "explain",
            "difficulty",
            "tolerance",
            "stem",
            "extra",
        ]
    ),
    value=_scalars,
)
def test_near_valid_questions(tmp_path: Path, key: str, value: object) -> None:
    root = _course(tmp_path, "near")
    path = root / "quizzes" / "basics.yaml"
    questions = yaml.safe_load((MINI / "quizzes" / "basics.yaml").read_text())
    questions[0][key] = value
    path.write_text(yaml.safe_dump(questions))
    problems = lint_course(root)
    for problem in problems:
        assert problem.path.name and problem.message
