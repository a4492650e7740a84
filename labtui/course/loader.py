"""Load the whole course, collecting every problem instead of stopping at the first.

A bad file never stops the rest: its problems are recorded and the course
loads without it, so the TUI can show a problem panel and keep working.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from labtui.course.exercise_model import PACK_REQUIRED, ExerciseManifest
from labtui.course.lessons import ParsedLesson, fact_problems, parse_lesson
from labtui.course.models import (
    CourseManifest,
    CoverageItem,
    ExamBlueprint,
    ExamsFile,
    LessonFrontMatter,
    Question,
)
from labtui.course.problems import Problem
from labtui.course.validation import ModelT, validate
from labtui.course.yamlsource import (
    YamlDocument,
    YamlLoadError,
    load_yaml_file,
    parse_yaml,
    read_text,
)


@dataclass
class Module:
    id: str
    position: int
    lesson_path: Path
    front: LessonFrontMatter | None = None
    lesson: ParsedLesson | None = None

    @property
    def number(self) -> str:
        return f"{self.position:02d}"

    @property
    def title(self) -> str:
        return self.front.title if self.front else self.id


@dataclass
class ExercisePack:
    id: str
    path: Path
    manifest: ExerciseManifest | None = None


@dataclass
class Course:
    root: Path
    manifest: CourseManifest | None = None
    modules: list[Module] = field(default_factory=list)
    questions: dict[str, list[Question]] = field(default_factory=dict)
    question_lines: dict[str, tuple[Path, int]] = field(default_factory=dict)
    exams: list[ExamBlueprint] = field(default_factory=list)
    exercises: dict[str, ExercisePack] = field(default_factory=dict)
    scenarios: dict[str, Path] = field(default_factory=dict)
    coverage: list[tuple[CoverageItem, int]] = field(default_factory=list)
    coverage_path: Path | None = None
    problems: list[Problem] = field(default_factory=list)

    def module(self, module_id: str) -> Module | None:
        return next((m for m in self.modules if m.id == module_id), None)

    def all_questions(self) -> list[Question]:
        return [q for questions in self.questions.values() for q in questions]

    def exam(self, exam_id: str) -> ExamBlueprint | None:
        wanted = exam_id.upper()
        return next((e for e in self.exams if e.id == wanted or e.tag == wanted), None)


def load_course(root: Path) -> Course:
    course = Course(root=root)
    _load_manifest(course)
    _load_lessons(course)
    _load_quizzes(course)
    _load_exams(course)
    _load_exercises(course)
    _load_coverage(course)
    course.problems.sort()
    return course


def _load_yaml(course: Course, path: Path) -> YamlDocument | None:
    try:
        return load_yaml_file(path)
    except YamlLoadError as error:
        course.problems.append(error.problem)
        return None


def _load_model(
    course: Course, path: Path, model: type[ModelT], missing: str
) -> tuple[ModelT | None, YamlDocument | None]:
    """Read, parse and validate one required YAML file; every problem goes to the course."""
    if not path.is_file():
        course.problems.append(Problem(path, 0, f"missing: {missing}"))
        return None, None
    document = _load_yaml(course, path)
    if document is None:
        return None, None
    value, problems = validate(model, document.data, document, path)
    course.problems.extend(problems)
    return value, document


def _load_manifest(course: Course) -> None:
    path = course.root / "lessons" / "course.yaml"
    manifest, document = _load_model(
        course, path, CourseManifest, "the course manifest lessons/course.yaml"
    )
    course.manifest = manifest
    if manifest is None or document is None:
        return
    seen: set[str] = set()
    for position, module_id in enumerate(manifest.modules, start=1):
        if module_id in seen:
            line = document.line_of(("modules", position - 1))
            course.problems.append(Problem(path, line, f"module '{module_id}' listed twice"))
            continue
        seen.add(module_id)
        lesson_path = course.root / "lessons" / f"{position:02d}-{module_id}.md"
        course.modules.append(Module(module_id, position, lesson_path))


def _load_lessons(course: Course) -> None:
    for module in course.modules:
        path = module.lesson_path
        if not path.is_file():
            course.problems.append(
                Problem(path, 0, f"missing lesson for module '{module.id}' (course.yaml lists it)")
            )
            continue
        try:
            text = read_text(path)
        except YamlLoadError as error:
            course.problems.append(error.problem)
            continue
        lesson = parse_lesson(path, text)
        course.problems.extend(lesson.problems)
        course.problems.extend(fact_problems(path, text))
        module.lesson = lesson
        if lesson.front_matter is None:
            course.problems.append(Problem(path, 1, "missing YAML front matter (--- ... ---)"))
            continue
        try:
            document = parse_yaml(lesson.front_matter, path, first_line=lesson.front_matter_line)
        except YamlLoadError as error:
            course.problems.append(error.problem)
            continue
        front, problems = validate(LessonFrontMatter, document.data, document, path)
        course.problems.extend(problems)
        module.front = front
        if front is not None and front.id != module.id:
            course.problems.append(
                Problem(
                    path,
                    lesson.front_matter_line,
                    f"front matter id '{front.id}' does not match module '{module.id}'",
                )
            )
    known = {m.lesson_path.name for m in course.modules}
    for stray in sorted((course.root / "lessons").glob("*.md")):
        if stray.name not in known and stray.name[:2].isdigit():
            course.problems.append(
                Problem(stray, 0, "lesson file not listed in course.yaml (or numbered wrongly)")
            )


def _load_quizzes(course: Course) -> None:
    quiz_dir = course.root / "quizzes"
    for path in sorted(quiz_dir.glob("*.yaml")):
        if path.name == "exams.yaml":
            continue
        document = _load_yaml(course, path)
        if document is None:
            continue
        module_id = path.stem
        if not isinstance(document.data, list):
            course.problems.append(Problem(path, 1, "a quiz file is a YAML list of questions"))
            continue
        questions: list[Question] = []
        for index, raw in enumerate(document.data):
            question, problems = validate(Question, raw, document, path, base=(index,))
            course.problems.extend(problems)
            if question is None:
                continue
            line = document.line_of((index,))
            if question.module != module_id:
                course.problems.append(
                    Problem(
                        path,
                        line,
                        f"{question.id}: module '{question.module}' "
                        f"does not match the file's module '{module_id}'",
                    )
                )
            if question.id in course.question_lines:
                first = course.question_lines[question.id]
                course.problems.append(
                    Problem(
                        path,
                        line,
                        f"duplicate question id {question.id} (also at {first[0].name}:{first[1]})",
                    )
                )
                continue
            course.question_lines[question.id] = (path, line)
            questions.append(question)
        course.questions[module_id] = questions


def _load_exams(course: Course) -> None:
    path = course.root / "quizzes" / "exams.yaml"
    exams, _ = _load_model(course, path, ExamsFile, "the mock exam blueprints")
    if exams is not None:
        course.exams = list(exams.exams)


def _load_exercises(course: Course) -> None:
    sandbox = course.root / "sandbox"
    for pack_dir in sorted(p for p in sandbox.iterdir() if p.is_dir()) if sandbox.is_dir() else []:
        if pack_dir.name in ("scenarios",) or pack_dir.name.startswith((".", "_")):
            continue
        pack = ExercisePack(pack_dir.name, pack_dir)
        course.exercises[pack.id] = pack
        for required in PACK_REQUIRED:
            if not (pack_dir / required).exists():
                course.problems.append(
                    Problem(
                        pack_dir / required, 0, f"exercise pack '{pack.id}' is missing {required}"
                    )
                )
        manifest_path = pack_dir / "exercise.yaml"
        if not manifest_path.is_file():
            continue
        document = _load_yaml(course, manifest_path)
        if document is None:
            continue
        manifest, problems = validate(ExerciseManifest, document.data, document, manifest_path)
        course.problems.extend(problems)
        pack.manifest = manifest
        if manifest is not None and manifest.id != pack.id:
            course.problems.append(
                Problem(
                    manifest_path,
                    document.line_of(("id",)),
                    f"id '{manifest.id}' does not match the folder name '{pack.id}'",
                )
            )
    scenarios = sandbox / "scenarios"
    if scenarios.is_dir():
        course.scenarios = {p.name: p for p in sorted(scenarios.glob("*.yaml"))}


def _load_coverage(course: Course) -> None:
    path = course.root / "lessons" / "coverage.yaml"
    if not path.is_file():
        return
    course.coverage_path = path
    document = _load_yaml(course, path)
    if document is None:
        return
    if not isinstance(document.data, list):
        course.problems.append(Problem(path, 1, "coverage.yaml is a YAML list of items"))
        return
    for index, raw in enumerate(document.data):
        item, problems = validate(CoverageItem, raw, document, path, base=(index,))
        course.problems.extend(problems)
        if item is not None:
            course.coverage.append((item, document.line_of((index,))))
