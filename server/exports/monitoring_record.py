"""The monitoring record of a policy as a Word document (python-docx), for the
partners' own reports."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from docx import Document

from server.participation import figures, ladder, monitoring, statements

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@dataclass(frozen=True)
class File:
    body: bytes
    media_type: str
    name: str


def as_file(found: dict, group_name: str, fmt: str) -> File:
    """The monitoring record as the page and the API offer it: "docx" or "csv"."""
    name = f"monitoring-{found['policy'].id}.{fmt}"
    if fmt == "docx":
        return File(docx_bytes(found, group_name), DOCX, name)
    out = io.StringIO()
    csv.writer(out).writerows(monitoring.csv_rows(found))
    return File(out.getvalue().encode("utf-8"), "text/csv", name)


def docx_bytes(found: dict, group_name: str) -> bytes:
    doc = Document()
    policy = found["policy"]
    doc.add_heading(f"Monitoring record: {policy.title}", 0)
    doc.add_paragraph(f"{group_name}. Made on {found['made_at']:%-d %B %Y}.")

    doc.add_heading("Who took part, by role", 1)
    report = found["participation"]
    table = doc.add_table(rows=1, cols=1 + len(figures.METRICS))
    table.style = "Table Grid"
    head = table.rows[0].cells
    head[0].text = "Role"
    for n, label in enumerate(figures.METRICS.values(), start=1):
        head[n].text = label
    for r in [*report.rows, report.totals]:
        cells = table.add_row().cells
        cells[0].text = r.label
        for n, metric in enumerate(figures.METRICS, start=1):
            cells[n].text = str(r.get(metric))
    for flag in report.flags:
        doc.add_paragraph(flag, style="List Bullet")

    doc.add_heading("Sessions and who came", 1)
    if not found["sessions"]:
        doc.add_paragraph("No sessions held yet.")
    for s in found["sessions"]:
        a = s["attendance"]
        doc.add_paragraph(
            f"{s['starts_at']:%-d %B %Y}: {s['title']}. {a['in_person']} in person, "
            f"{a['online']} online, {a['apologies']} sent apologies, {a['absent']} absent.",
            style="List Bullet",
        )

    doc.add_heading("Decisions", 1)
    if not found["decisions"]:
        doc.add_paragraph("No decisions taken yet.")
    for d in found["decisions"]:
        what = "Agree the section" if d["subject"] == "agreement" else "A suggestion for"
        doc.add_paragraph(
            f"{d['closed_at']:%-d %B %Y}: {what} “{d['section']}”: "
            f"{(d['outcome'] or 'open').replace('_', ' ')}.",
            style="List Bullet",
        )

    doc.add_heading("“I statements” check", 1)
    checks = found["checks"]
    texts = {s["id"]: s["text"] for s in checks["statements"]}
    shown = [s for s in checks["sessions"] if s["shown"]]
    if not shown:
        doc.add_paragraph(
            f"No results yet: a session's results show once {statements.MIN_ANSWERS} "
            "members have answered."
        )
    for session in shown:
        doc.add_heading(f"{session['title']} ({session['answered']} answered)", 2)
        for st in session["statements"]:
            if st["shown"]:
                c = st["counts"]
                doc.add_paragraph(
                    f"{texts[st['statement_id']]} Agree {c['agree']}, partly {c['partly']}, "
                    f"disagree {c['disagree']}.",
                    style="List Bullet",
                )

    doc.add_heading("The ladder of co-production", 1)
    lad = found["ladder"]
    for key, name, _words, _plain in reversed(ladder.RUNGS):
        doc.add_paragraph(f"{name}: {lad['now'][key]}", style="List Bullet")
    for point in lad["over_time"]:
        spread = ", ".join(f"{ladder.RUNG_NAMES[k]} {n}" for k, n in point["spread"].items() if n)
        doc.add_paragraph(f"{point['month']}: {spread}")

    doc.add_heading("What we learned", 1)
    doc.add_paragraph(found["learning"] or "Not written yet.")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
