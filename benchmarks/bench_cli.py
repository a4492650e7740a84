"""CLI and content benchmarks (issue 3): printed as ratios, never asserted.

    python benchmarks/bench_cli.py
"""

from __future__ import annotations

from pathlib import Path

from _timing import PYTHON, median_seconds, report, run_command

from labtui.course.lint import lint_course

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    bare = median_seconds(run_command([PYTHON, "-c", "pass"]))
    help_time = median_seconds(run_command([PYTHON, "-m", "labtui", "--help"]))
    report("labtui --help", help_time, bare, "python -c pass")

    import_yaml = median_seconds(run_command([PYTHON, "-c", "import yaml, pydantic"]))
    lint_time = median_seconds(lambda: lint_course(ROOT), repeat=5)
    report("content lint (whole course, in-process)", lint_time, import_yaml,
           "python -c 'import yaml, pydantic' (process start)", "< 1 s absolute")
    print(f"content lint absolute: {lint_time:.3f} s")


if __name__ == "__main__":
    main()
