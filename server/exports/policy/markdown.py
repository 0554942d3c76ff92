"""The Markdown export. People's text is escaped so that it reads as the same words
in any Markdown renderer: no stray emphasis, links, headings or raw HTML."""

from __future__ import annotations

import re

from server.publishing.document import Document, credit_line, heading_line, names_line

_INLINE = re.compile(r"([\\`*_\[\]{}|~])")
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+[.)])")


def escape(text: str) -> str:
    """Plain text as Markdown that renders back to the same text."""
    text = " ".join(text.split())  # one line: a newline could start a block
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _INLINE.sub(r"\\\1", text)
    return _LINE_START.sub(lambda m: m.group(1) + "\\" + m.group(2), text)


def render_markdown(doc: Document) -> str:
    out: list[str] = []
    add = out.append
    add(f"# {escape(doc.title)}")
    line = heading_line(doc)
    if line:
        add(f"_{escape(line)}_")
    if doc.summary:
        add(escape(doc.summary))
    if doc.note:
        add(f"**About this version:** {escape(doc.note)}")
    add("## Contents")
    toc = []
    for n, (_anchor, title, sections) in enumerate(doc.contents(), 1):
        toc.append(f"{n}. {escape(title)}")
        for m, (_a, sec_title) in enumerate(sections, 1):
            toc.append(f"    {m}. {escape(sec_title)}")
    extra = len(doc.parts)
    if doc.glossary:
        extra += 1
        toc.append(f"{extra}. Glossary")
    toc.append(f"{extra + 1}. Who wrote this")
    add("\n".join(toc))
    for part in doc.parts:
        add(f"## {escape(part.title)}")
        if part.intro:
            add(escape(part.intro))
        for section in part.sections:
            add(f"### {escape(section.title)}")
            if section.sentences:
                add(" ".join(escape(s) for s in section.sentences))
    if doc.glossary:
        add("## Glossary")
        add("\n".join(f"- **{escape(g.term)}**: {escape(g.explanation)}" for g in doc.glossary))
    add("## Who wrote this")
    add(escape(credit_line(doc.credits)))
    names = names_line(doc.credits)
    if names:
        add(escape(names))
    return "\n\n".join(out) + "\n"
