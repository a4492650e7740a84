"""The classroom store, run against SQLite and a real PostgreSQL server (same tests)."""

from __future__ import annotations

import csv
import io
import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from labtui.classroom.gradebook import build_gradebook
from labtui.classroom.store import ClassroomError, ClassroomStore


def test_rooms_are_created_once_with_a_join_code(store: ClassroomStore) -> None:
    first = store.open_room("lab-a")
    again = store.open_room("lab-a")
    assert first.id == again.id and first.code == again.code
    assert len(first.code) == 6 and first.code.isalnum()
    assert store.open_room("lab-b").id != first.id
    with pytest.raises(ClassroomError, match="no classroom room"):
        store.room("nope")
    with pytest.raises(ClassroomError, match="room name"):
        store.open_room("../etc")


def test_instructor_token_is_checked_and_only_the_newest_works(store: ClassroomStore) -> None:
    room = store.open_room("lab")
    assert not store.instructor_token_ok(room.id, "")
    old = store.new_instructor_token(room.id)
    new = store.new_instructor_token(room.id)
    assert store.instructor_token_ok(room.id, new)
    assert not store.instructor_token_ok(room.id, old)
    assert not store.instructor_token_ok(room.id, new[:-1])


def test_students_join_with_unique_names_and_secret_tokens(store: ClassroomStore) -> None:
    room = store.open_room("lab")
    ana, ana_token = store.join(room.id, "  Ana   Lima ")
    bo, bo_token = store.join(room.id, "Bo")
    assert ana.name == "Ana Lima" and ana.id != bo.id and ana_token != bo_token
    assert store.student_by_token(ana_token) == store.student_by_token(ana_token)
    found = store.student_by_token(ana_token)
    assert found is not None and found.id == ana.id
    assert store.student_by_token("forged") is None
    with pytest.raises(ClassroomError, match="already in this room"):
        store.join(room.id, "Ana Lima")
    with pytest.raises(ClassroomError, match="printable"):
        store.join(room.id, "")
    other = store.open_room("other")
    store.join(other.id, "Ana Lima")  # the same name in another room is fine
    assert [s.name for s in store.students(room.id)] == ["Ana Lima", "Bo"]


def test_heartbeats_add_time_to_the_item_being_worked_on(store: ClassroomStore) -> None:
    room = store.open_room("lab")
    student, _ = store.join(room.id, "Ana")
    store.heartbeat(student.id, "exercise:first-function", "2030-01-01T10:00:00.000+00:00")
    store.heartbeat(student.id, "exercise:first-function", "2030-01-01T10:00:20.000+00:00")
    store.heartbeat(student.id, "lesson:m1", "2030-01-01T10:00:30.000+00:00")
    # a long gap (laptop closed) is not counted as time spent
    store.heartbeat(student.id, "lesson:m1", "2030-01-01T11:00:00.000+00:00")
    spent = store.time_spent(room.id)
    assert spent == {(student.id, "exercise:first-function"): pytest.approx(30.0)}


def test_quiz_answers_are_upserted_and_refused_after_the_end(store: ClassroomStore) -> None:
    room = store.open_room("lab")
    student, _ = store.join(room.id, "Ana")
    quiz = store.start_quiz(room.id, "m1", ["q1", "q2"])
    assert store.active_quiz(room.id) == quiz
    store.record_quiz_answer(quiz.id, student.id, "q1", "A", correct=False, points=0.0)
    store.record_quiz_answer(quiz.id, student.id, "q1", "B", correct=True, points=1.0)
    answers = store.quiz_answers(quiz.id)
    assert [(a.question_id, a.answer, a.correct) for a in answers] == [("q1", "B", True)]
    second = store.start_quiz(room.id, "m2", ["q3"])  # ends the first
    assert store.active_quiz(room.id) == second
    with pytest.raises(ClassroomError, match="ended"):
        store.record_quiz_answer(quiz.id, student.id, "q2", "A", correct=True, points=1.0)
    store.end_room(room.id)
    assert store.active_quiz(room.id) is None and store.room("lab").ended_at is not None


def test_concurrent_writers_lose_nothing(store: ClassroomStore) -> None:
    room = store.open_room("lab")
    quiz = store.start_quiz(room.id, "m1", [f"q{i}" for i in range(5)])
    students = [store.join(room.id, f"student {n}")[0] for n in range(12)]

    def work(n: int) -> None:
        student = students[n]
        for i in range(5):
            store.record_quiz_answer(quiz.id, student.id, f"q{i}", "A", correct=i % 2 == 0,
                                     points=float(i % 2 == 0))
            store.record_check(student.id, "first-function", passed=i == 4, points=i,
                               max_points=4, results=[])

    with ThreadPoolExecutor(max_workers=6) as pool:
        list(pool.map(work, range(12)))
    assert len(store.quiz_answers(quiz.id)) == 12 * 5
    assert len(store.check_results(room.id)) == 12 * 5


def test_gradebook_has_one_row_per_student_with_points_and_timestamps(
    store: ClassroomStore,
) -> None:
    room = store.open_room("lab")
    ana, _ = store.join(room.id, "Ana")
    bo, _ = store.join(room.id, "Bo")
    store.record_check(ana.id, "first-function", passed=False, points=2, max_points=4,
                       results=[])
    store.record_check(ana.id, "first-function", passed=True, points=4, max_points=4, results=[])
    store.record_check(ana.id, "first-function", passed=False, points=1, max_points=4,
                       results=[])
    quiz = store.start_quiz(room.id, "lambda-fundamentals", ["q1", "q2"])
    store.record_quiz_answer(quiz.id, bo.id, "q1", "A", correct=True, points=1.0)
    store.record_quiz_answer(quiz.id, bo.id, "q2", "C", correct=False, points=0.0)

    book = build_gradebook(store, room, ["sqs-partial-batch", "first-function"])
    rows = list(csv.DictReader(io.StringIO(book.to_csv())))
    assert [r["name"] for r in rows] == ["Ana", "Bo"]
    ana_row, bo_row = rows
    assert ana_row["first-function:points"] == "4"  # best attempt, not the last
    assert ana_row["first-function:max_points"] == "4"
    best_at = [c.created_at for c in store.check_results(room.id)][1]
    assert ana_row["first-function:timestamp"] == best_at
    assert bo_row["first-function:points"] == ""  # not attempted is empty, not zero
    assert bo_row["quiz1-lambda-fundamentals:points"] == "1"
    assert bo_row["quiz1-lambda-fundamentals:max_points"] == "2"
    assert bo_row["quiz1-lambda-fundamentals:timestamp"] != ""
    # exercises and quizzes are totalled apart: 4 of 4 exercise points, 1 of 2 quiz points
    assert (ana_row["exercise_points"], ana_row["exercise_max_points"]) == ("4", "4")
    assert (bo_row["quiz_points"], bo_row["quiz_max_points"]) == ("1", "2")
    assert "total_points" not in book.columns
    assert "sqs-partial-batch:points" not in book.columns  # nobody attempted it


def test_a_bad_database_url_is_one_clear_error() -> None:
    with pytest.raises(ClassroomError, match="cannot"):
        ClassroomStore("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    try:
        ClassroomStore("postgresql+psycopg://nobody:secret@127.0.0.1:1/none")
    except ClassroomError as error:
        assert "secret" not in error.message


@pytest.mark.parametrize("name", ["=HYPERLINK(\"http://x\",\"y\")", "+1+2", "-2+3", "@SUM(A1)",
                                  "=cmd|' /C calc'!A0"])
def test_a_name_a_spreadsheet_would_run_lands_in_the_csv_as_text(store: ClassroomStore,
                                                                  name: str) -> None:
    room = store.open_room("lab")
    student, _ = store.join(room.id, name)
    store.record_check(student.id, "first-function", passed=True, points=100, max_points=100,
                       results=[])
    book = build_gradebook(store, room, ["first-function"], {"first-function": 100})
    row = next(csv.DictReader(io.StringIO(book.to_csv())))
    assert row["name"] == "'" + " ".join(name.split())
    assert row["first-function:points"] == "100"  # numbers stay numbers
    assert json.loads(book.to_json())["rows"][0]["name"] == " ".join(name.split())
