from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from labtui.course.loader import Course, load_course
from labtui.course.models import ExamBlueprint, Question

ROOT = Path(__file__).resolve().parents[2]
MINI = ROOT / "tests" / "course" / "fixtures" / "mini"


def make_question(
    qid: str, tags: list[str], qtype: str = "single", difficulty: int = 2
) -> Question:
    data: dict[str, object] = {
        "id": qid,
        "module": "basics",
        "domains": tags,
        "difficulty": difficulty,
        "type": qtype,
        "stem": "Which option is right here?",
        "refs": ["basics#what"],
    }
    if qtype == "multi":
        data.update(
            stem="Which are right? Choose TWO.",
            options={k: k for k in "ABCDE"},
            answer=["A", "C"],
            explain={k: "why" for k in "ABCDE"},
        )
    else:
        data.update(options={k: k for k in "ABCD"}, answer="B", explain={k: "why" for k in "ABCD"})
    return Question.model_validate(data)


@pytest.fixture(scope="session")
def blueprints() -> dict[str, ExamBlueprint]:
    raw = yaml.safe_load((ROOT / "quizzes" / "exams.yaml").read_text())
    return {e["tag"]: ExamBlueprint.model_validate(e) for e in raw["exams"]}


@pytest.fixture(scope="session")
def big_bank(blueprints: dict[str, ExamBlueprint]) -> list[Question]:
    """A synthetic bank: 30 questions per DVA domain, mixed types and difficulties."""
    bank = []
    n = 0
    for domain in blueprints["DVA"].domains:
        task = next(iter(domain.tasks))
        for i in range(30):
            n += 1
            qtype = "multi" if i % 4 == 0 else "single"
            bank.append(
                make_question(f"q-01-syn-{n:03d}", [f"DVA:{task}", "SAA:2.1"], qtype, 1 + i % 3)
            )
    return bank


@pytest.fixture
def exam_course(big_bank: list[Question]) -> Course:
    course = load_course(MINI)
    course.questions = {"basics": big_bank}
    return course
