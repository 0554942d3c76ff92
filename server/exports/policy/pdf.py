"""The PDF export: the HTML export laid out by WeasyPrint as tagged PDF (PDF/UA-1:
a structure tree with headings, lists and paragraphs, the document language as
/Lang and the title shown as the window title), so screen readers can read it.
Nothing is fetched: the page has no images or links to load."""

from __future__ import annotations

from server.exports.policy.html import render_html
from server.publishing.document import Document


def no_fetch(url: str, *args, **kwargs):
    """Refuse every fetch: a policy's text must never make the server load a URL."""
    raise ValueError(f"nothing is fetched when making a PDF ({url[:60]})")


def html_to_pdf(html: str) -> bytes:
    """Tagged PDF from a self-contained HTML page; shared with the session pack."""
    from weasyprint import HTML

    return HTML(string=html, url_fetcher=no_fetch).write_pdf(pdf_variant="pdf/ua-1", pdf_tags=True)


def render_pdf(doc: Document) -> bytes:
    return html_to_pdf(render_html(doc))
