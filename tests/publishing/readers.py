"""Read an exported file back with a real reader for its format, as a flat list
of blocks: ("h1" | "h2" | "h3", text) for headings, ("p", text) for the rest."""

from __future__ import annotations

import io
import re
from html.parser import HTMLParser

BLOCKS = {"h1", "h2", "h3", "h4", "p", "li", "dt", "dd"}


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


class _Blocks(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[str, str]] = []
        self.stack: list[tuple[str, list[str]]] = []
        self.in_nav = 0

    def handle_starttag(self, tag, attrs):
        if tag == "nav":
            self.in_nav += 1
        if tag in BLOCKS:
            self.stack.append((tag, []))

    def handle_endtag(self, tag):
        if tag == "nav":
            self.in_nav -= 1
        if tag in BLOCKS and self.stack and self.stack[-1][0] == tag:
            name, parts = self.stack.pop()
            text = norm("".join(parts))
            if self.stack:  # a nested block: its words belong to the outer one too
                self.stack[-1][1].append(" " + text + " ")
            if not self.in_nav:
                self.blocks.append((name if name.startswith("h") else "p", text))

    def handle_data(self, data):
        if self.stack:
            self.stack[-1][1].append(data)


def html_blocks(html: str) -> list[tuple[str, str]]:
    parser = _Blocks()
    parser.feed(html)
    parser.close()
    return parser.blocks


def markdown_blocks(text: str) -> list[tuple[str, str]]:
    import markdown

    return html_blocks(markdown.markdown(text))


def docx_blocks(data: bytes) -> list[tuple[str, str]]:
    import docx

    out = []
    for p in docx.Document(io.BytesIO(data)).paragraphs:
        style = p.style.name
        kind = f"h{style.split()[-1]}" if style.startswith("Heading ") else "p"
        out.append((kind, norm(p.text)))
    return out


def odt_blocks(data: bytes) -> list[tuple[str, str]]:
    from odf import teletype
    from odf.opendocument import load

    doc = load(io.BytesIO(data))
    out = []
    for el in doc.text.childNodes:
        name = el.qname[1]
        if name == "h":
            out.append((f"h{el.getAttribute('outlinelevel')}", norm(teletype.extractText(el))))
        elif name == "p":
            out.append(("p", norm(teletype.extractText(el))))
        elif name == "list":
            for p in el.getElementsByType(__import__("odf.text", fromlist=["P"]).P):
                out.append(("p", norm(teletype.extractText(p))))
    return out


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    return norm(" ".join(page.extract_text() for page in reader.pages))


def pdf_structure(data: bytes) -> list[str]:
    """The structure tree's element types, depth first (/H1, /P, /L, ...)."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]["/StructTreeRoot"].get_object()
    out: list[str] = []

    def walk(node):
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if "/S" in node:
            out.append(str(node["/S"]))
        kids = node.get("/K")
        if kids is None:
            return
        for kid in kids if isinstance(kids, list) else [kids]:
            walk(kid)

    walk(root)
    return out


def read(fmt: str, data: bytes) -> list[tuple[str, str]]:
    if fmt == "html":
        return html_blocks(data.decode("utf-8"))
    if fmt == "md":
        return markdown_blocks(data.decode("utf-8"))
    if fmt == "docx":
        return docx_blocks(data)
    if fmt == "odt":
        return odt_blocks(data)
    raise ValueError(fmt)


def everything(fmt: str, data: bytes) -> str:
    """All the words of a file, as one string."""
    if fmt == "pdf":
        return pdf_text(data)
    return " ".join(text for _kind, text in read(fmt, data))
