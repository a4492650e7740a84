"""Render a signed certificate as a one-page PDF (fpdf2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labtui.certificates.keys import fingerprint


def _latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1; replace what they cannot draw."""
    replaced = text.replace("–", "-").replace("—", "-").replace("→", "->").replace("λ", "lambda")
    return replaced.encode("latin-1", "replace").decode("latin-1")


def render_pdf(document: dict[str, Any], path: Path) -> Path:
    from fpdf import FPDF

    record = document["certificate"]
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_draw_color(40, 40, 40)
    pdf.rect(10, 10, 277, 190)
    pdf.set_font("Helvetica", "B", 28)
    pdf.cell(0, 25, _latin1("Certificate of completion"), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 14)
    pdf.cell(0, 8, _latin1(record["course"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("Helvetica", "B", 24)
    pdf.cell(0, 14, _latin1(record["learner"]), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", "", 12)
    lines = [
        f"Modules completed: {len(record['modules_completed'])} of {record['modules_total']}",
        f"Exercises passed: {len(record['exercises_passed'])}"
        + (
            f" ({', '.join(record['exercises_passed'][:8])}"
            + (", ..." if len(record["exercises_passed"]) > 8 else "")
            + ")"
            if record["exercises_passed"]
            else ""
        ),
    ]
    best = record.get("best_mock_exam")
    if best:
        verdict = "pass" if best["passed"] else "below the pass mark"
        lines.append(
            f"Best mock exam: {best['exam']} scaled {best['scaled']} ({verdict}), {best['date']}"
        )
    lines += [f"Issued on {record['issued_on']} by {record['issuer']}"]
    pdf.ln(6)
    for line in lines:
        pdf.multi_cell(0, 8, _latin1(line), align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)
    pdf.set_font("Courier", "", 9)
    pdf.multi_cell(
        0,
        5,
        _latin1(
            f"Ed25519 key {fingerprint(record['public_key'])}. Verify the JSON copy with: "
            "labtui certificate verify FILE.json"
        ),
        align="C",
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path
