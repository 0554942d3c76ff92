"""The search page of a group: a box, and the places its words were found."""

from __future__ import annotations

from flask import render_template, request, url_for

from server.access import group_access
from server.errors import InvalidInput
from server.search import services as search
from server.search.services import Hit
from server.web.blueprint import bp
from server.web.helpers import db, my_id

KIND_WORDS = {
    "sentence": "In the text",
    "section": "Section title",
    "comment": "Comment",
    "proposal": "Suggested change",
}


def link_for(hit: Hit) -> str:
    """The page, and the place on it, where a hit is shown."""
    if hit.kind == "proposal":
        return url_for("web.proposal", proposal_id=hit.id)
    if hit.kind == "comment":
        page = (
            url_for("web.proposal", proposal_id=hit.proposal_id)
            if hit.proposal_id
            else url_for("web.section", section_id=hit.section_id)
        )
        return f"{page}#comment-{hit.id}"
    if hit.kind == "sentence":
        return url_for("web.section", section_id=hit.section_id) + f"#sentence-{hit.id}"
    return url_for("web.section", section_id=hit.section_id)


@bp.get("/groups/<int:group_id>/search")
def search_group(group_id: int):
    access = group_access(db(), my_id(), group_id)
    query = request.args.get("q", "")
    results, error = None, None
    if query.strip():
        try:
            results = search.search(db(), access.group.id, query, search.MAX_LIMIT)
        except InvalidInput as exc:
            error = exc.message
    return render_template(
        "search/search.html",
        group=access.group,
        query=query,
        results=results,
        error=error,
        kind_words=KIND_WORDS,
        link_for=link_for,
    ), (400 if error else 200)
