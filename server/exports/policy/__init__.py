"""Exports of a policy: one small renderer per format, all from the same document
model (server.publishing.document), so no format has its own idea of what a
policy contains. `render(document, fmt)` returns the whole file as bytes: a
failure raises before anything is written, so nobody gets half a file.
"""

from __future__ import annotations

from server.publishing.document import Document

MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "md": "text/markdown; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "odt": "application/vnd.oasis.opendocument.text",
    "pdf": "application/pdf",
}
LABELS = {
    "html": "Web page (HTML)",
    "md": "Markdown",
    "docx": "Word (.docx)",
    "odt": "OpenDocument (.odt)",
    "pdf": "PDF (tagged, for screen readers)",
}


# Rendering these takes long enough to hold up live editing: made off the hub.
SLOW_FORMATS = frozenset({"pdf", "docx", "odt"})


def render(document: Document, fmt: str) -> bytes:
    if fmt == "html":
        from server.exports.policy.html import render_html

        return render_html(document).encode("utf-8")
    if fmt == "md":
        from server.exports.policy.markdown import render_markdown

        return render_markdown(document).encode("utf-8")
    if fmt == "docx":
        from server.exports.policy.docx import render_docx

        return render_docx(document)
    if fmt == "odt":
        from server.exports.policy.odt import render_odt

        return render_odt(document)
    if fmt == "pdf":
        from server.exports.policy.pdf import render_pdf

        return render_pdf(document)
    raise ValueError(f"unknown format {fmt!r}")
