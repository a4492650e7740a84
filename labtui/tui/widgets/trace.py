"""The trace timeline of the last simulated run: which invocation ran when, where, how it ended."""

from __future__ import annotations

from rich.text import Text
from textual.widgets import DataTable

from labtui.tui.services import TraceRow

OUTCOME_STYLES = {
    "success": "green", "ok": "green", "error": "red", "timeout": "red", "throttled": "yellow",
    "throttle": "yellow", "retry": "yellow", "dlq": "magenta", "destination": "cyan",
    "dropped": "red",
}


def outcome_style(outcome: str) -> str:
    lowered = outcome.lower()
    return next((style for key, style in OUTCOME_STYLES.items() if key in lowered), "")


class TraceTimeline(DataTable[Text]):
    """One row per event of the trace, in time order."""

    COLUMNS = ("t (s)", "function", "env", "request", "try", "outcome", "ms", "detail")

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, zebra_stripes=True, cursor_type="row")

    def on_mount(self) -> None:
        self.add_columns(*self.COLUMNS)

    def show(self, rows: list[TraceRow]) -> None:
        self.clear()
        for row in sorted(rows, key=lambda r: r.t_s):
            function = f"{row.function}:{row.version}" if row.version else row.function
            self.add_row(
                Text(f"{row.t_s:,.3f}", justify="right"),
                Text(function),
                Text(row.environment[-8:]),
                Text(row.request_id[:8]),
                Text(str(row.attempt), justify="right"),
                Text(row.outcome, style=outcome_style(row.outcome)),
                Text(f"{row.duration_ms:,.0f}", justify="right"),
                Text(row.detail),
            )


def trace_as_text(rows: list[TraceRow]) -> str:
    """The same timeline as plain lines (plain mode and the scenario summary)."""
    lines = []
    for row in sorted(rows, key=lambda r: r.t_s):
        function = f"{row.function}:{row.version}" if row.version else row.function
        lines.append(
            f"t={row.t_s:.3f}s {function} env {row.environment or '-'} request "
            f"{row.request_id or '-'} attempt {row.attempt}: {row.outcome}"
            f"{f' ({row.duration_ms:.0f} ms)' if row.duration_ms else ''}"
            f"{f' - {row.detail}' if row.detail else ''}"
        )
    return "\n".join(lines)
