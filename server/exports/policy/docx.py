"""The Word export (python-docx). Real Heading 1-3 styles, so Word's navigation pane
and screen readers find the structure; the contents and the credits are real
lists; the document's title and language are set."""

from __future__ import annotations

import io
import re

from docx import Document as new_docx
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from server.publishing.document import Document, credit_line, heading_line, names_line

# Characters XML 1.0 cannot hold; stripped defensively (stored text has none).
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _t(text: str) -> str:
    return _NOT_XML.sub("", text)


def _set_language(document, language: str) -> None:
    """Declare the language on the default run style, so every run inherits it."""
    styles = document.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr_default = defaults.find(qn("w:rPrDefault")) if defaults is not None else None
    rpr = rpr_default.find(qn("w:rPr")) if rpr_default is not None else None
    if rpr is None:
        rpr = document.styles["Normal"].element.get_or_add_rPr()
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), language)
    lang.set(qn("w:eastAsia"), language)
    lang.set(qn("w:bidi"), language)


def render_docx(doc: Document) -> bytes:
    out = new_docx()
    out.core_properties.title = _t(doc.title)
    out.core_properties.language = doc.language
    out.core_properties.subject = _t(doc.version_label)
    _set_language(out, doc.language)

    out.add_heading(_t(doc.title), level=1)
    line = heading_line(doc)
    if line:
        out.add_paragraph(_t(line))
    if doc.summary:
        out.add_paragraph(_t(doc.summary))
    if doc.note:
        p = out.add_paragraph()
        p.add_run("About this version: ").bold = True
        p.add_run(_t(doc.note))

    out.add_heading("Contents", level=2)
    for _anchor, title, sections in doc.contents():
        out.add_paragraph(_t(title), style="List Number")
        for _a, sec_title in sections:
            out.add_paragraph(_t(sec_title), style="List Bullet 2")
    if doc.glossary:
        out.add_paragraph("Glossary", style="List Number")
    out.add_paragraph("Who wrote this", style="List Number")

    for part in doc.parts:
        out.add_heading(_t(part.title), level=2)
        if part.intro:
            out.add_paragraph(_t(part.intro))
        for section in part.sections:
            out.add_heading(_t(section.title), level=3)
            if section.sentences:
                out.add_paragraph(_t(" ".join(section.sentences)))

    if doc.glossary:
        out.add_heading("Glossary", level=2)
        for entry in doc.glossary:
            p = out.add_paragraph(style="List Bullet")
            p.add_run(_t(entry.term)).bold = True
            p.add_run(": " + _t(entry.explanation))

    out.add_heading("Who wrote this", level=2)
    out.add_paragraph(_t(credit_line(doc.credits)))
    names = names_line(doc.credits)
    if names:
        out.add_paragraph(_t(names))
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
