"""The OpenDocument export (odfpy). Headings are real outline headings with the
"Heading 1-3" styles (LibreOffice's navigator and screen readers use them); the
contents and the credits are real lists, and each entry of the contents links to
its heading (a bookmark); title and language are set."""

from __future__ import annotations

import io
import re

from odf import dc, meta
from odf.opendocument import OpenDocumentText
from odf.style import ListLevelProperties, ParagraphProperties, Style, TextProperties
from odf.text import (
    A,
    Bookmark,
    H,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListLevelStyleNumber,
    ListStyle,
    P,
    Span,
)

from server.publishing.document import Document, credit_line, heading_line, names_line

_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_SIZES = {1: "20pt", 2: "16pt", 3: "13pt"}


def _t(text: str) -> str:
    return _NOT_XML.sub("", text)


def _styles(odt: OpenDocumentText, language: str) -> dict:
    lang, _, country = language.partition("-")
    default = Style(name="Standard", family="paragraph")
    default.addElement(TextProperties(language=lang, country=country or "none", fontsize="11pt"))
    default.addElement(ParagraphProperties(marginbottom="0.2cm"))
    odt.styles.addElement(default)
    out = {"p": default}
    for level, size in _SIZES.items():
        style = Style(
            name=f"Heading {level}",
            displayname=f"Heading {level}",
            family="paragraph",
            parentstylename=default,
            defaultoutlinelevel=str(level),
        )
        style.addElement(TextProperties(fontsize=size, fontweight="bold"))
        style.addElement(
            ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm", keepwithnext="always")
        )
        odt.styles.addElement(style)
        out[level] = style
    # The contents are numbered (1., and 1. again under each part), as on the page;
    # the glossary is a bulleted list. Without a list style LibreOffice shows neither.
    numbered, bulleted = ListStyle(name="Numbered"), ListStyle(name="Bulleted")
    for level in (1, 2):
        for style, mark in (
            (numbered, ListLevelStyleNumber(level=level, numformat="1", numsuffix=".")),
            (bulleted, ListLevelStyleBullet(level=level, bulletchar="•")),
        ):
            mark.addElement(
                ListLevelProperties(spacebefore=f"{0.7 * (level - 1)}cm", minlabelwidth="0.7cm")
            )
            style.addElement(mark)
    odt.styles.addElement(numbered)
    odt.styles.addElement(bulleted)
    out["numbered"], out["bulleted"] = numbered, bulleted
    strong = Style(name="Strong Emphasis", family="text")
    strong.addElement(TextProperties(fontweight="bold"))
    odt.styles.addElement(strong)
    out["strong"] = strong
    return out


def render_odt(doc: Document) -> bytes:
    odt = OpenDocumentText()
    odt.meta.addElement(dc.Title(text=_t(doc.title)))
    odt.meta.addElement(dc.Language(text=doc.language))
    odt.meta.addElement(meta.Generator(text="Codraft"))
    s = _styles(odt, doc.language)
    body = odt.text

    def heading(level: int, text: str, anchor: str | None = None) -> None:
        h = H(outlinelevel=level, stylename=s[level])
        if anchor is not None:
            h.addElement(Bookmark(name=anchor))
        h.addText(_t(text))
        body.addElement(h)

    def entry(text: str, anchor: str) -> P:
        p = P(stylename=s["p"])
        p.addElement(A(type="simple", href=f"#{anchor}", text=_t(text)))
        return p

    def para(text: str) -> None:
        body.addElement(P(stylename=s["p"], text=_t(text)))

    heading(1, doc.title)
    line = heading_line(doc)
    if line:
        para(line)
    if doc.summary:
        para(doc.summary)
    if doc.note:
        p = P(stylename=s["p"])
        p.addElement(Span(stylename=s["strong"], text="About this version: "))
        p.addText(_t(doc.note))
        body.addElement(p)

    heading(2, "Contents")
    toc = List(stylename=s["numbered"])
    contents = doc.contents()
    for part_anchor, title, sections in contents:
        item = ListItem()
        item.addElement(entry(title, part_anchor))
        if sections:
            inner = List(stylename=s["numbered"])
            for anchor, sec_title in sections:
                sub = ListItem()
                sub.addElement(entry(sec_title, anchor))
                inner.addElement(sub)
            item.addElement(inner)
        toc.addElement(item)
    extras = ([("Glossary", "glossary")] if doc.glossary else []) + [("Who wrote this", "credits")]
    for text, anchor in extras:
        item = ListItem()
        item.addElement(entry(text, anchor))
        toc.addElement(item)
    body.addElement(toc)

    for part, (part_anchor, _title, sections) in zip(doc.parts, contents, strict=True):
        heading(2, part.title, part_anchor)
        if part.intro:
            para(part.intro)
        for section, (anchor, _t2) in zip(part.sections, sections, strict=True):
            heading(3, section.title, anchor)
            if section.sentences:
                para(" ".join(section.sentences))

    if doc.glossary:
        heading(2, "Glossary", "glossary")
        lst = List(stylename=s["bulleted"])
        for entry in doc.glossary:
            item = ListItem()
            p = P(stylename=s["p"])
            p.addElement(Span(stylename=s["strong"], text=_t(entry.term)))
            p.addText(": " + _t(entry.explanation))
            item.addElement(p)
            lst.addElement(item)
        body.addElement(lst)

    heading(2, "Who wrote this", "credits")
    para(credit_line(doc.credits))
    names = names_line(doc.credits)
    if names:
        para(names)
    buffer = io.BytesIO()
    odt.write(buffer)
    return buffer.getvalue()
