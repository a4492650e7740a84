"""TUI test fixtures: the tiny fixture course, a private store and fake services."""

from __future__ import annotations

import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from labtui.progress.store import ProgressStore
from labtui.tui.app import LabApp, create_app
from labtui.tui.services import Services

from .fakes import FIXTURE_COURSE, FakeGrading, FakeSandbox, FakeSimulator

AppFactory = Callable[..., LabApp]


@pytest.fixture(autouse=True)
def empty_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A new learner: bash, with an empty home. The workbench shell sources ~/.bashrc, as a
    learner's would: the machine's own (a pyenv init waiting 60 s on a stale lock, here)
    must not decide how a test runs."""
    home = tmp_path / "empty-home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("SHELL", "/bin/bash")


@pytest.fixture
def course_root(tmp_path: Path) -> Path:
    """A private copy of the fixture course (tests may break it)."""
    root = tmp_path / "course"
    shutil.copytree(FIXTURE_COURSE, root)
    return root


@pytest.fixture
def store(labtui_home: Path) -> Iterator[ProgressStore]:
    with ProgressStore(labtui_home / "progress.sqlite3") as opened:
        opened.ensure_learner("me")
        yield opened


@pytest.fixture
def services(course_root: Path) -> Services:
    return Services(grading=FakeGrading(course_root), sandbox=FakeSandbox(),
                    simulator=FakeSimulator())


@pytest.fixture
def make_app(course_root: Path, store: ProgressStore, services: Services) -> AppFactory:
    def make(**kwargs: object) -> LabApp:
        options: dict[str, object] = {"store": store, "services": services,
                                      "background_load": False}
        options.update(kwargs)
        return create_app(course_root, **options)  # type: ignore[arg-type]

    return make
