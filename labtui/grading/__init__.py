"""Grading exercises (design.md §7): apply a solution to a seeded sandbox account, run the
pack's checks on the resulting state and simulated behaviour, report expected vs actual.

Public API: :mod:`labtui.grading.results` (CheckResult, GradeReport, TraceRow) and
:mod:`labtui.grading.service` (grade, workspace_for, reset_workspace, next_hint,
reveal_solution). Importing this package is cheap: boto3/moto load when grading starts.
"""
