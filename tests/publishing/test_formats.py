"""Every format carries the whole policy: each sentence of each section exactly once,
in order, under its section's heading, which is under its part's heading. Files are
read back with a real reader for their format (tests/publishing/readers.py)."""

from __future__ import annotations

import io

import pytest

from server.exports.policy import render
from server.publishing import services as publishing
from server.publishing.document import GlossaryEntry
from tests.publishing import readers
from tests.publishing.conftest import expected_text

FORMATS = ["html", "md", "docx", "odt", "pdf"]
GLOSSARY = [
    GlossaryEntry(
        "EHCP", "Education, Health and Care Plan: the plan that says what support a child gets."
    ),
    GlossaryEntry("Personal Budget", "Money for some of the support in the plan."),
]


@pytest.fixture
def demo_doc(db, demo):
    doc = publishing.document_for(db, demo, publishing.Source())
    doc.glossary = list(GLOSSARY)  # the glossary package (issue 15) fills this in main
    return doc


def _sentences(expected):
    return [s for _p, secs in expected for _t, text in secs for s in text]


def _assert_in_order_once(full: str, sentences: list[str]) -> None:
    at = -1
    for sentence in sentences:
        assert full.count(sentence) == 1, f"not exactly once: {sentence!r}"
        where = full.index(sentence)
        assert where > at, f"out of order: {sentence!r}"
        at = where


def _assert_structure(blocks, expected, title: str) -> None:
    assert blocks[0] == ("h1", title)
    i = 0
    for part_title, sections in expected:
        i = blocks.index(("h2", part_title), i) + 1
        for section_title, text in sections:
            j = blocks.index(("h3", section_title), i)
            # Nothing but the part's intro between the part and its first section.
            assert all(kind == "p" for kind, _ in blocks[i:j])
            if text:
                assert blocks[j + 1] == ("p", " ".join(text)), section_title
                i = j + 2
            else:
                i = j + 1


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "odt"])
def test_every_sentence_once_in_order_under_its_heading(db, demo, demo_doc, fmt):
    expected = expected_text(db, demo)
    assert sum(len(t) for _p, secs in expected for _s, t in secs) >= 15  # the demo's text
    data = render(demo_doc, fmt)
    blocks = readers.read(fmt, data)
    _assert_structure(blocks, expected, demo.title)
    _assert_in_order_once(readers.everything(fmt, data), _sentences(expected))
    # The glossary is at the end, after the policy's text.
    words = readers.everything(fmt, data)
    assert words.index("Money for some of the support") > words.index(_sentences(expected)[-1])
    assert ("h2", "Glossary") in blocks


def test_pdf_is_tagged_with_language_title_and_the_whole_text(db, demo, demo_doc):
    from pypdf import PdfReader

    expected = expected_text(db, demo)
    data = render(demo_doc, "pdf")
    reader = PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"])
    assert bool(root["/ViewerPreferences"]["/DisplayDocTitle"])
    assert reader.metadata.title.startswith(demo.title)
    tags = readers.pdf_structure(data)
    sections = [s for _p, secs in expected for s in secs]
    assert tags.count("/H1") == 1
    assert tags.count("/H3") == len(sections)
    # Contents, each part, glossary, credits.
    assert tags.count("/H2") == 1 + len(expected) + 2
    assert "/L" in tags and "/LI" in tags and "/P" in tags
    # The words: after the contents, each part title, then each section title
    # followed at once by its sentences, in order.
    full = readers.pdf_text(data)
    at = full.index("Who wrote this") + len("Who wrote this")
    for part_title, secs in expected:
        at = full.index(part_title, at) + len(part_title)
        for title, text in secs:
            at = full.index(title, at) + len(title)
            body = " ".join(text)
            assert full[at:].lstrip().startswith(body), title
            at += len(body)
    _assert_in_order_once(full, _sentences(expected))


def test_docx_uses_heading_styles_and_real_lists(demo_doc):
    import docx

    document = docx.Document(io.BytesIO(render(demo_doc, "docx")))
    styles = [p.style.name for p in document.paragraphs]
    assert styles[0] == "Heading 1"
    assert {"Heading 2", "Heading 3"} <= set(styles)
    assert "List Number" in styles and "List Bullet" in styles  # contents and glossary
    assert document.core_properties.title == demo_doc.title
    assert document.core_properties.language == "en-GB"
    # Its own properties name the group and the day, not python-docx's template.
    assert document.core_properties.author == demo_doc.group_name
    assert document.core_properties.created.year >= 2026
    assert "python-docx" not in (document.core_properties.comments or "")
    lang = document.styles.element.xpath("//w:docDefaults//w:lang/@w:val")
    assert lang == ["en-GB"]


def test_odt_headings_are_outline_headings_with_language(demo_doc):
    from odf.opendocument import load
    from odf.text import H, List

    doc = load(io.BytesIO(render(demo_doc, "odt")))
    headings = doc.text.getElementsByType(H)
    assert {h.getAttribute("outlinelevel") for h in headings} == {"1", "2", "3"}
    assert all(h.getAttribute("stylename").startswith("Heading") for h in headings)
    lists = doc.text.getElementsByType(List)
    # The contents are numbered and the glossary bulleted, by list styles LibreOffice
    # shows (a list without one shows neither).
    assert lists[0].getAttribute("stylename") == "Numbered"
    assert "Bulleted" in {lst.getAttribute("stylename") for lst in lists}
    xml = doc.stylesxml()
    assert 'style:num-format="1"' in xml and 'text:bullet-char="•"' in xml
    assert 'fo:language="en"' in xml and 'fo:country="GB"' in xml


def test_faq_sections_are_question_headings_with_their_answers(demo_doc):
    faq = demo_doc.parts[0]
    assert all(s.is_faq for s in faq.sections)
    blocks = readers.read("html", render(demo_doc, "html"))
    for section in faq.sections:
        i = blocks.index(("h3", section.title))
        assert section.title.endswith("?")
        assert blocks[i + 1] == ("p", " ".join(section.sentences))


def test_html_is_one_file_that_fetches_nothing(demo_doc):
    html = render(demo_doc, "html").decode()
    assert "<style>" in html and "@media print" in html
    for needle in ("<link", "<script", "src=", "@import", "url("):
        assert needle not in html
    assert '<html lang="en-GB">' in html


def test_contents_lists_every_part_and_section(demo_doc):
    html = render(demo_doc, "html").decode()
    nav = html[html.index("<nav") : html.index("</nav>")]
    for part in demo_doc.parts:
        assert f">{part.title}</a>" in nav.replace("&#39;", "'")
        for section in part.sections:
            assert section.title.replace("'", "&#39;") in nav


def test_word_and_opendocument_contents_link_to_their_headings(demo_doc):
    """Each entry of the contents goes to its heading, as in the HTML and the PDF."""
    import docx
    from odf.opendocument import load
    from odf.text import A, Bookmark, H

    titles = [t for _a, t, _s in demo_doc.contents()] + [
        t for _a, _t, secs in demo_doc.contents() for _a2, t in secs
    ]
    body = docx.Document(io.BytesIO(render(demo_doc, "docx"))).element.body
    marks = {
        m.getparent().xpath("string(.//w:t)"): m.get(docx.oxml.ns.qn("w:name"))
        for m in body.xpath(".//w:bookmarkStart")
    }
    links = {
        link.xpath("string(.//w:t)"): link.get(docx.oxml.ns.qn("w:anchor"))
        for link in body.xpath(".//w:hyperlink")
    }
    for title in [*titles, "Who wrote this"]:
        assert links[title] == marks[title], title

    doc = load(io.BytesIO(render(demo_doc, "odt")))
    marks = {
        str(h): b.getAttribute("name") for h in doc.text.getElementsByType(H)
        for b in h.getElementsByType(Bookmark)
    }  # fmt: skip
    links = {str(a): a.getAttribute("href") for a in doc.text.getElementsByType(A)}
    for title in [*titles, "Who wrote this"]:
        assert links[title] == "#" + marks[title], title


def test_empty_glossary_is_left_out_everywhere(demo_doc):
    demo_doc.glossary = []
    for fmt in ("html", "md", "docx", "odt"):
        assert ("h2", "Glossary") not in readers.read(fmt, render(demo_doc, fmt)), fmt


def test_glossary_comes_from_the_glossary_package_when_it_exists(db, demo):
    import importlib.util

    from server.publishing.build import glossary_entries

    entries = glossary_entries(db, demo.group_id)
    if importlib.util.find_spec("server.glossary") is None:
        assert entries == []
    else:
        assert all(isinstance(e, GlossaryEntry) for e in entries)
