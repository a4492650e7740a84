"""Every starter and solution file opens in the workbench editor, highlighted (issue #21).

A grammar bug in native code (tree-sitter 0.26.1 with Textual's json.scm) killed the
whole TUI with SIGSEGV. The files are opened in a child process, one after another in
one editor as a learner switches files; when the child dies, the file it was opening is
recorded as a failure and a fresh child carries on with the rest, so a segfault fails
this test with the file's name instead of killing the suite.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from labtui.course.resolver import content_root
from labtui.tui.widgets.workspace import LANGUAGES, why_not_editable

CHILD = r"""
import asyncio, json, sys
from pathlib import Path
from textual.app import App
from labtui.tui.widgets.workspace import WorkspaceEditor

files = [Path(p) for p in json.loads(sys.argv[1])]

class Probe(App[None]):
    def compose(self):
        yield WorkspaceEditor(id="workspace")

async def main() -> None:
    app = Probe()
    async with app.run_test(size=(100, 30)) as pilot:
        widget = app.query_one(WorkspaceEditor)
        for path in files:
            print("OPEN", path, flush=True)
            widget.load(path.parent, path.name)
            widget.open(path.name)
            await pilot.pause()  # render: the highlight query runs on visible lines
            editor = widget.editor
            print("DONE", json.dumps({"path": str(path), "current": widget.current,
                  "language": editor.language, "title": str(editor.border_title),
                  "text": editor.text[:200]}), flush=True)

asyncio.run(main())
"""


def _pack_files() -> list[Path]:
    sandbox = content_root() / "sandbox"
    files = sorted(
        path
        for pack in sandbox.iterdir()
        for part in ("starter", "solution")
        for path in (pack / part).rglob("*")
        if path.is_file() and "__pycache__" not in path.parts
    )
    assert len(files) > 50, f"expected the course's starter and solution files under {sandbox}"
    return files


def _open_all(files: list[Path]) -> tuple[dict[str, dict[str, object]], dict[str, str]]:
    """Open ``files`` in child processes; returns (opened file -> state, crashed file -> why)."""
    opened: dict[str, dict[str, object]] = {}
    crashed: dict[str, str] = {}
    remaining = list(files)
    env = {**os.environ, "PYTHONFAULTHANDLER": "1"}
    for _attempt in range(len(files) + 1):  # bounded: every pass consumes at least one file
        if not remaining:
            break
        child = subprocess.run(
            [sys.executable, "-c", CHILD, json.dumps([str(p) for p in remaining])],
            capture_output=True, text=True, env=env, timeout=600,
        )
        current = None
        for line in child.stdout.splitlines():
            if line.startswith("OPEN "):
                current = line[5:]
            elif line.startswith("DONE "):
                state = json.loads(line[5:])
                opened[state["path"]] = state
                current = None
        done = {Path(p) for p in opened} | {Path(p) for p in crashed}
        if child.returncode == 0:
            remaining = [p for p in remaining if p not in done]
            assert not remaining, f"child exited early: {child.stderr[-2000:]}"
            break
        failed = current or (str(remaining[0]) if remaining else "?")
        crashed[failed] = f"exit {child.returncode}: {child.stderr.strip()[:300]}"
        done.add(Path(failed))
        remaining = [p for p in remaining if p not in done]
    return opened, crashed


@pytest.mark.slow
def test_every_starter_and_solution_file_opens_highlighted() -> None:
    files = _pack_files()
    opened, crashed = _open_all(files)
    assert not crashed, "the editor died opening:\n" + "\n".join(
        f"{path}: {why}" for path, why in crashed.items())
    for path in files:
        state = opened[str(path)]
        if why_not_editable(path) is None:
            assert state["current"] == path.name, state
            assert state["language"] == LANGUAGES.get(path.suffix.lower()), state
        else:
            assert state["current"] is None and "cannot open" in str(state["text"]), state
    json_files = [p for p in files if p.suffix == ".json"]
    assert json_files and all(opened[str(p)]["language"] == "json" for p in json_files)


def test_a_zip_is_listed_not_editable_and_the_title_names_it(tmp_path: Path) -> None:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return 1\n")
    with zipfile.ZipFile(tmp_path / "function.zip", "w") as archive:
        archive.write(tmp_path / "app.py", "app.py")
    assert why_not_editable(tmp_path / "app.py") is None
    assert why_not_editable(tmp_path / "function.zip") == "a binary file"
    opened, crashed = _open_all([tmp_path / "app.py", tmp_path / "function.zip"])
    assert not crashed
    zipped = opened[str(tmp_path / "function.zip")]
    assert zipped["current"] is None
    assert zipped["title"] == "function.zip"  # not app.py's title left over
    assert "function.zip: cannot open (a binary file)" in str(zipped["text"])
