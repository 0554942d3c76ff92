"""The Word export (python-docx). Real Heading 1-3 styles, so Word's navigation pane
and screen readers find the structure; the contents and the credits are real
lists, and each entry of the contents links to its heading (a bookmark); the
document's title and language are set."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

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


def _set_properties(props, doc: Document) -> None:
    """The file's own properties (File > Info): the group as its author and the day
    it was published, not python-docx's template ("python-docx", 2013). Made from
    the document only, so a release's file is the same every time it is made."""
    props.author = props.last_modified_by = _t(doc.group_name) or "Codraft"
    props.comments = ""
    try:
        day = datetime.strptime(doc.date, "%d %B %Y").replace(tzinfo=UTC)
    except ValueError:
        return
    props.created = props.modified = day


def _bookmark(paragraph, name: str, number: int) -> None:
    """Make the whole paragraph the bookmark `name` (a heading the contents link to)."""
    start, end = OxmlElement("w:bookmarkStart"), OxmlElement("w:bookmarkEnd")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end.set(qn("w:id"), str(number))
    paragraph._p.insert(1 if paragraph._p.pPr is not None else 0, start)
    paragraph._p.append(end)


def _link(paragraph, text: str, name: str) -> None:
    """A link to the bookmark `name`, underlined and coloured as links are."""
    link = OxmlElement("w:hyperlink")
    link.set(qn("w:anchor"), name)
    link.set(qn("w:history"), "1")
    run, props = OxmlElement("w:r"), OxmlElement("w:rPr")
    colour, underline = OxmlElement("w:color"), OxmlElement("w:u")
    colour.set(qn("w:val"), "1D4F91")
    underline.set(qn("w:val"), "single")
    props.append(colour)
    props.append(underline)
    run.append(props)
    words = OxmlElement("w:t")
    words.text = _t(text)
    words.set(qn("xml:space"), "preserve")
    run.append(words)
    link.append(run)
    paragraph._p.append(link)


def _name(anchor: str) -> str:
    """A bookmark name from a contents anchor ("section-1-2" -> "section_1_2"): Word
    allows letters, digits and underscores only."""
    return anchor.replace("-", "_")


STYLES = ("Heading 1", "Heading 2", "Heading 3", "List Number", "List Bullet", "List Bullet 2")


def render_docx(doc: Document) -> bytes:
    out = new_docx()
    out.core_properties.title = _t(doc.title)
    out.core_properties.language = doc.language
    out.core_properties.subject = _t(doc.version_label)
    _set_properties(out.core_properties, doc)
    _set_language(out, doc.language)
    # Look each style up once: python-docx resolves a style name on every paragraph
    # otherwise, which made a 300-sentence policy take half a second.
    ids = {name: out.styles[name].style_id for name in STYLES}

    def para(text: str = "", style: str | None = None):
        p = out.add_paragraph(_t(text))
        if style is not None:
            p._p.style = ids[style]  # the paragraph's w:pStyle
        return p

    def heading(text: str, level: int, anchor: str | None = None):
        p = para(text, f"Heading {level}")
        if anchor is not None:
            _bookmark(p, _name(anchor), len(marks))
            marks.append(anchor)
        return p

    def entry(text: str, anchor: str, style: str):
        _link(para(style=style), text, _name(anchor))

    marks: list[str] = []

    heading(doc.title, 1)
    line = heading_line(doc)
    if line:
        para(line)
    if doc.summary:
        para(doc.summary)
    if doc.note:
        p = para()
        p.add_run("About this version: ").bold = True
        p.add_run(_t(doc.note))

    heading("Contents", 2)
    contents = doc.contents()
    for part_anchor, title, sections in contents:
        entry(title, part_anchor, "List Number")
        for anchor, sec_title in sections:
            entry(sec_title, anchor, "List Bullet 2")
    if doc.glossary:
        entry("Glossary", "glossary", "List Number")
    entry("Who wrote this", "credits", "List Number")

    for part, (part_anchor, _title, sections) in zip(doc.parts, contents, strict=True):
        heading(part.title, 2, part_anchor)
        if part.intro:
            para(part.intro)
        for section, (anchor, _t2) in zip(part.sections, sections, strict=True):
            heading(section.title, 3, anchor)
            if section.sentences:
                para(" ".join(section.sentences))

    if doc.glossary:
        heading("Glossary", 2, "glossary")
        for entry in doc.glossary:
            p = para(style="List Bullet")
            p.add_run(_t(entry.term)).bold = True
            p.add_run(": " + _t(entry.explanation))

    heading("Who wrote this", 2, "credits")
    para(credit_line(doc.credits))
    names = names_line(doc.credits)
    if names:
        para(names)
    buffer = io.BytesIO()
    out.save(buffer)
    return buffer.getvalue()
