"""Render a signed certificate as a one-page PDF (fpdf2) with embedded Unicode fonts.

Fonts (issue #16: names are never turned into ``?``): DejaVu Sans, shipped inside labtui
(``fonts/``, from Debian's fonts-dejavu-core; free licence in ``LICENSE-DejaVu.txt``). It
covers Latin with every European diacritic, Greek and Cyrillic in 1.4 MB; fpdf2 embeds only
the glyphs used. Chinese, Japanese and Korean names need a CJK font, which is far too big to
ship (Noto Sans CJK is over 15 MB), so the first one installed on the system is used as a
fallback (fonts-droid-fallback, fonts-noto-cjk or fonts-wqy-microhei); without one, a name
that needs it is an error that says which package to install, never a blank or a ``?``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from labtui.certificates.keys import fingerprint
from labtui.errors import LabError

FONTS = Path(__file__).parent / "fonts"
CJK_CANDIDATES = (
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallback.ttf"),
    Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"),
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
)


def _cjk_font() -> Path | None:
    return next((path for path in CJK_CANDIDATES if path.is_file()), None)


def _needs_cjk(text: str) -> bool:
    return any(0x2E80 <= ord(c) <= 0x9FFF or 0xAC00 <= ord(c) <= 0xD7AF or
               0xF900 <= ord(c) <= 0xFAFF or 0xFF00 <= ord(c) <= 0xFFEF for c in text)


def render_pdf(document: dict[str, Any], path: Path) -> Path:
    from fpdf import FPDF

    record = document["certificate"]
    pdf = FPDF(orientation="L", unit="mm", format="A4")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    everything = " ".join(str(v) for v in _texts(record))
    if _needs_cjk(everything):
        cjk = _cjk_font()
        if cjk is None:
            raise LabError("this certificate has Chinese, Japanese or Korean text and no CJK "
                           "font is installed: apt-get install fonts-droid-fallback (or "
                           "fonts-noto-cjk)")
        pdf.add_font("CJK", "", str(cjk))
        pdf.add_font("CJK", "B", str(cjk))
        pdf.set_fallback_fonts(["CJK"])
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_draw_color(40, 40, 40)
    pdf.rect(10, 10, 277, 190)
    complete = record.get("kind", "certificate of completion") == "certificate of completion"
    pdf.set_font("DejaVu", "B", 26)
    pdf.cell(0, 22, "Certificate of completion" if complete else "Progress record",
             align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(0, 8, record["course"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 24)
    pdf.cell(0, 14, record["learner"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 12)
    pdf.ln(4)
    for line in _lines(record, complete):
        pdf.multi_cell(0, 7, line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 8)
    pdf.multi_cell(
        0, 4.5,
        f"Certificate id {record.get('certificate_id', '-')} · Ed25519 key "
        f"{fingerprint(record['public_key'])}. Verify the JSON copy against the issuer's "
        "published public key: labtui certificate verify FILE.json --key ISSUER.pem, or the "
        "issuer's verification page.", align="C")
    path.parent.mkdir(parents=True, exist_ok=True)
    pdf.output(str(path))
    return path


def _lines(record: dict[str, Any], complete: bool) -> list[str]:
    passed = record["exercises_passed"]
    total = record.get("exercises_total")
    lines = [
        f"Modules completed: {len(record['modules_completed'])} of {record['modules_total']}",
        f"Exercises passed: {len(passed)}" + (f" of {total}" if total is not None else "")
        + (f" ({', '.join(passed[:6])}{', …' if len(passed) > 6 else ''})" if passed else ""),
    ]
    best = record.get("best_mock_exam")
    if best:
        verdict = "pass" if best["passed"] else "below the pass mark"
        lines.append(f"Best mock exam: {best['exam']} scaled {best['scaled']} ({verdict}), "
                     f"{best['date']}")
    if not complete and record.get("completion_rule"):
        lines.append(f"Not a completion certificate: completion needs "
                     f"{record['completion_rule']}.")
    session = record.get("session")
    if session:
        lines.append(f"Session {session.get('room')}: {session.get('started', '?')[:10]} to "
                     f"{(session.get('ended') or 'ongoing')[:10]}")
    lines.append(f"Issued on {record['issued_on']} by {record['issuer']}")
    return lines


def _texts(value: Any) -> list[Any]:
    if isinstance(value, dict):
        return [t for v in value.values() for t in _texts(v)]
    if isinstance(value, list):
        return [t for v in value for t in _texts(v)]
    return [value]
