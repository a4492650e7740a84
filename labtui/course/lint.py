"""``labtui content lint``: every cross-file rule the course must satisfy.

The loader already reports syntax and schema problems per file; this module
adds the rules that span files: references, prerequisites, domains, packs,
try-it blocks, coverage, and recomputed numeric answers.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from pathlib import Path

from labtui import safeyaml
from labtui.course.loader import Course, load_course
from labtui.course.models import Question
from labtui.course.problems import Problem

_BINARY: dict[type[ast.operator], Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
    ast.Pow: operator.pow,
}


def evaluate_formula(formula: str) -> float:
    """Evaluate plain arithmetic (numbers, + - * / **, parentheses) without eval()."""

    def walk(node: ast.AST) -> float:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
            return float(node.value)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
            return -walk(node.operand)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            right = walk(node.right)
            if isinstance(node.op, ast.Pow) and abs(right) > 10:
                raise ValueError("exponent too large")
            return _BINARY[type(node.op)](walk(node.left), right)
        raise ValueError("only numbers, + - * / ** and parentheses are allowed")

    return walk(ast.parse(formula.replace(",", ""), mode="eval"))


def lint_course(root: Path) -> list[Problem]:
    course = load_course(root)
    problems = list(course.problems)
    problems += _lesson_problems(course)
    problems += _question_problems(course)
    problems += _exercise_problems(course)
    problems += _coverage_problems(course)
    problems += _runnable_problems(course)
    return sorted(set(problems))


def _runnable_problems(course: Course) -> list[Problem]:
    """Malformed ``sh run`` info strings in lessons and exercise READMEs (runnable.py)."""
    from labtui.course.runnable import runnable_blocks

    paths = [m.lesson_path for m in course.modules]
    paths += [pack.path / "README.md" for pack in course.exercises.values()]
    problems: list[Problem] = []
    for path in paths:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue  # the loader reports unreadable files
        problems += runnable_blocks(path, text)[1]
    return problems


def _known_exercises(course: Course) -> set[str]:
    planned = set(course.manifest.planned_exercises) if course.manifest else set()
    return set(course.exercises) | planned


def _domain_problem(course: Course, tag: str) -> str | None:
    exam_tag, task = tag.split(":")
    exam = next((e for e in course.exams if e.tag == exam_tag), None)
    if exam is None:
        return None if not course.exams else f"domain {tag}: no exam with tag {exam_tag}"
    if exam.domain_of_task(task) is None:
        return f"domain {tag}: {exam.id} has no task {task}"
    return None


def _anchor_exists(course: Course, ref: str) -> bool:
    module_id, anchor = ref.split("#", 1)
    module = course.module(module_id)
    return bool(module and module.lesson and anchor in module.lesson.anchors)


def _lesson_problems(course: Course) -> list[Problem]:
    problems: list[Problem] = []
    order = {m.id: m.position for m in course.modules}
    known_exercises = _known_exercises(course)
    graph: dict[str, list[str]] = {}
    for module in course.modules:
        front, lesson = module.front, module.lesson
        if front is None or lesson is None:
            continue
        path, line = module.lesson_path, lesson.front_matter_line
        graph[module.id] = list(front.prerequisites)
        for prerequisite in front.prerequisites:
            if prerequisite not in order:
                problems.append(
                    Problem(path, line, f"prerequisite '{prerequisite}' is not a module")
                )
        for exercise in front.exercises:
            if exercise not in known_exercises:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"exercise '{exercise}' has no pack in sandbox/ (nor is it planned in course.yaml)",
                    )
                )
        if front.quiz and front.quiz not in course.questions:
            problems.append(
                Problem(path, line, f"quiz '{front.quiz}' has no quizzes/{front.quiz}.yaml")
            )
        for tag in front.domains:
            message = _domain_problem(course, tag)
            if message:
                problems.append(Problem(path, line, message))
        for try_it in lesson.try_its:
            problems += _try_it_problems(course, path, try_it.line, try_it.spec)
    problems += _cycle_problems(course, graph)
    return problems


def _try_it_problems(
    course: Course, path: Path, line: int, spec: dict[str, object]
) -> list[Problem]:
    allowed = {"scenario", "exercise", "caption"}
    unknown = sorted(set(spec) - allowed)
    if unknown:
        return [Problem(path, line, f"tryit: unknown key(s) {', '.join(unknown)}")]
    scenario, exercise = spec.get("scenario"), spec.get("exercise")
    if (scenario is None) == (exercise is None):
        return [Problem(path, line, "tryit needs exactly one of 'scenario' or 'exercise'")]
    if scenario is not None and scenario not in course.scenarios:
        return [Problem(path, line, f"tryit: no scenario sandbox/scenarios/{scenario}")]
    if exercise is not None and exercise not in _known_exercises(course):
        return [Problem(path, line, f"tryit: no exercise '{exercise}'")]
    return []


def _cycle_problems(course: Course, graph: dict[str, list[str]]) -> list[Problem]:
    problems: list[Problem] = []
    state: dict[str, int] = {}  # 1 visiting, 2 done

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph.get(node, []):
            if state.get(nxt) == 1:
                cycle = " -> ".join([*trail[trail.index(nxt) :], nxt]) if nxt in trail else nxt
                module = course.module(node)
                path = module.lesson_path if module else course.root
                problems.append(Problem(path, 1, f"prerequisite cycle: {cycle}"))
            elif state.get(nxt) is None:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in graph:
        if node not in state:
            visit(node, [node])
    return problems


def _question_problems(course: Course) -> list[Problem]:
    problems: list[Problem] = []
    module_ids = {m.id for m in course.modules}
    for module_id in course.questions:
        if module_id not in module_ids:
            path = course.root / "quizzes" / f"{module_id}.yaml"
            problems.append(Problem(path, 1, f"quiz file for '{module_id}', which is not a module"))
    for question in course.all_questions():
        path, line = course.question_lines[question.id]
        problems += [
            Problem(path, line, f"{question.id}: {m}") for m in _one_question(course, question)
        ]
    return problems


def _one_question(course: Course, question: Question) -> list[str]:
    messages = []
    for tag in question.domains:
        message = _domain_problem(course, tag)
        if message:
            messages.append(message)
    for ref in question.refs:
        if not _anchor_exists(course, ref):
            messages.append(f"ref {ref} does not match a lesson heading anchor")
    if question.formula is not None and isinstance(question.answer, (int, float)):
        try:
            value = evaluate_formula(question.formula)
        except (ValueError, SyntaxError, ZeroDivisionError, OverflowError) as error:
            messages.append(f"formula cannot be computed: {error}")
        else:
            if abs(value - question.answer) > (question.tolerance or 0) + 1e-9:
                messages.append(
                    f"formula gives {value:g} but the answer is {question.answer:g} "
                    f"(tolerance {question.tolerance:g})"
                )
    return messages


def _exercise_problems(course: Course) -> list[Problem]:
    problems: list[Problem] = []
    module_ids = {m.id for m in course.modules}
    planned = set(course.manifest.planned_exercises) if course.manifest else set()
    for pack in course.exercises.values():
        manifest = pack.manifest
        if pack.id in planned and course.manifest is not None:
            problems.append(
                Problem(
                    course.root / "lessons" / "course.yaml",
                    1,
                    f"'{pack.id}' has a pack now; remove it from planned_exercises",
                )
            )
        if manifest is None:
            continue
        path = pack.path / "exercise.yaml"
        if manifest.module not in module_ids:
            problems.append(Problem(path, 1, f"module '{manifest.module}' is not in the course"))
        ids = [check.id for check in manifest.checks]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            problems.append(Problem(path, 1, f"duplicate check id(s): {', '.join(duplicates)}"))
        problems += _wrong_attempt_problems(pack.path, set(ids))
    return problems


def _wrong_attempt_problems(pack_dir: Path, check_ids: set[str]) -> list[Problem]:
    problems: list[Problem] = []
    wrong = pack_dir / "wrong"
    for attempt in sorted(p for p in wrong.iterdir() if p.is_dir()) if wrong.is_dir() else []:
        expected = attempt / "expected.yaml"
        if not expected.is_file():
            problems.append(
                Problem(expected, 0, "wrong attempt needs expected.yaml (fails: [c1, ...])")
            )
            continue
        try:
            data = safeyaml.load_file(expected)
        except safeyaml.YamlProblem as problem:
            problems.append(Problem(expected, problem.line, problem.message))
            continue
        except OSError as error:
            problems.append(Problem(expected, 0, f"cannot read file: {error.strerror}"))
            continue
        fails = data.get("fails") if isinstance(data, dict) else None
        if not isinstance(fails, list) or not fails:
            problems.append(Problem(expected, 1, "expected.yaml needs a non-empty 'fails' list"))
            continue
        unknown = sorted(str(f) for f in fails if f not in check_ids)
        if unknown:
            problems.append(Problem(expected, 1, f"unknown check id(s): {', '.join(unknown)}"))
    return problems


def _coverage_problems(course: Course) -> list[Problem]:
    problems: list[Problem] = []
    path = course.coverage_path
    if path is None:
        return problems
    known_exercises = _known_exercises(course)
    seen: set[str] = set()
    for item, line in course.coverage:
        if item.item in seen:
            problems.append(Problem(path, line, f"{item.item}: listed twice"))
        seen.add(item.item)
        for ref in item.lessons:
            if not _anchor_exists(course, ref):
                problems.append(
                    Problem(path, line, f"{item.item}: lesson anchor {ref} does not exist")
                )
        for exercise in item.exercises:
            if exercise not in known_exercises:
                problems.append(
                    Problem(path, line, f"{item.item}: exercise '{exercise}' does not exist")
                )
        for question_id in item.questions:
            if question_id not in course.question_lines:
                problems.append(
                    Problem(path, line, f"{item.item}: question {question_id} does not exist")
                )
        if item.needs_question and not item.questions:
            problems.append(Problem(path, line, f"{item.item}: needs at least one quiz question"))
    return problems
