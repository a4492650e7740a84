"""``labtui progress export``: all progress as JSON or CSV (one section per table)."""

from __future__ import annotations

import csv
import io
import json

from labtui.progress.store import EXPORT_TABLES, ProgressStore


def export_progress(store: ProgressStore, fmt: str) -> str:
    tables = {table: store.table_rows(table) for table in EXPORT_TABLES}
    if fmt == "json":
        return json.dumps({"format": "labtui-progress/1", "tables": tables}, indent=2)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["table", "row", "column", "value"])
    for table, rows in tables.items():
        for number, row in enumerate(rows, start=1):
            for column, value in row.items():
                writer.writerow([table, number, column, "" if value is None else value])
    return buffer.getvalue()
