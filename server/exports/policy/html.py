"""The HTML export: one self-contained file (styles inline, print styles included,
nothing fetched), which is also the PDF's source and the public page."""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from jinja2 import Environment, FileSystemLoader, select_autoescape

from server.config import ROOT
from server.publishing.document import Document, credit_line, heading_line, names_line

FOLDER = ROOT / "templates" / "publishing"


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(ROOT / "templates")),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )


@lru_cache(maxsize=1)
def css() -> str:
    return (FOLDER / "document.css").read_text(encoding="utf-8")


def style_hash() -> str:
    """The CSP source that allows exactly this inline stylesheet (public page)."""
    digest = hashlib.sha256(css().encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode() + "'"


def render_html(
    doc: Document,
    *,
    changes: dict | None = None,
    versions: list[dict] | None = None,
    downloads: list[dict] | None = None,
    robots: str | None = None,
    css_href: str | None = None,
) -> str:
    """The page. The public page links its stylesheet (`css_href`, allowed by the
    site's Content-Security-Policy) where a downloaded file carries it inline, and
    offers its `downloads` ({label, url}) and other `versions`."""
    return (
        _env()
        .get_template("publishing/document.html")
        .render(
            doc=doc,
            css=css(),
            contents=doc.contents(),
            heading_line=heading_line(doc),
            credit_line=credit_line(doc.credits),
            names_line=names_line(doc.credits),
            changes=changes,
            versions=versions,
            downloads=downloads,
            robots=robots,
            css_href=css_href,
        )
    )
