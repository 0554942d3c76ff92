"""Search a group's policies, and look up members to mention.

Both read only what a member of the group may read; someone outside the group is
told the group does not exist (404)."""

from __future__ import annotations

from marshmallow import fields, validate

from server import auth
from server.access import group_access
from server.accounts.models import DISPLAY_NAME_CHARS
from server.api.common import ID, ApiBlueprint, db, page_url
from server.api.schemas import Schema, _d
from server.review import comments
from server.search import services as search
from server.search.highlight import to_html
from server.search.terms import MAX_QUERY_CHARS
from server.web.search import link_for

blp = ApiBlueprint(
    "Search",
    "Find words in a group's policies: the current text, section titles, comments "
    "and suggestions, with the words found marked and a link to each place.",
)
mentions_blp = ApiBlueprint(
    "Mentions",
    "Members a comment can mention: what a name picker shows after someone types @.",
)


def _signed_in() -> None:
    """Authenticate before the query is read: the signed-out get 401 whatever they ask."""
    auth.me()


blp.before_request(_signed_in)
mentions_blp.before_request(_signed_in)


class SearchQuerySchema(Schema):
    """What to look for."""

    q = fields.String(
        required=True,
        validate=validate.Length(max=MAX_QUERY_CHARS),
        metadata=_d(
            f"The words to find (up to {MAX_QUERY_CHARS} characters). Every word must be "
            "there; a word also finds longer words that start with it; case and accents "
            "do not matter (on PostgreSQL, accents do)."
        ),
    )
    limit = fields.Integer(
        load_default=search.DEFAULT_LIMIT,
        validate=validate.Range(1, search.MAX_LIMIT),
        metadata=_d(f"How many hits at most (1 to {search.MAX_LIMIT}, default 20)."),
    )


class SnippetPieceSchema(Schema):
    """Some words of a snippet."""

    text = fields.String(metadata=_d("The words, as plain text."))
    hit = fields.Boolean(metadata=_d("True: these words matched the search."))


class HitSchema(Schema):
    """One place the words were found."""

    kind = fields.String(
        metadata=_d(
            "What was found: `sentence` (the current text), `section` (a section's "
            "title), `comment` or `proposal` (a suggested change: its words and reason)."
        )
    )
    id = fields.Integer(metadata=_d("The id of the sentence, section, comment or proposal."))
    policy_id = fields.Integer(metadata=_d("The policy."))
    policy_title = fields.String(metadata=_d("The policy's title."))
    section_id = fields.Integer(metadata=_d("The section it is in or about."))
    section_title = fields.String(metadata=_d("The section's title."))
    proposal_id = fields.Integer(
        allow_none=True,
        metadata=_d("The proposal, or the one a comment is on (null: none)."),
    )
    thread_id = fields.Integer(
        allow_none=True, metadata=_d("For a reply: the first comment of its thread.")
    )
    text = fields.String(metadata=_d("All the current words, as plain text."))
    snippet = fields.List(
        fields.Nested(SnippetPieceSchema),
        metadata=_d("A short part of `text` around the first hit, in pieces."),
    )
    snippet_html = fields.String(
        metadata=_d("The snippet as safe HTML: the words escaped, each hit in <mark>.")
    )
    url = fields.String(metadata=_d("The web page showing this place (with its #anchor)."))


class ResultsSchema(Schema):
    """Hits, best first."""

    query = fields.String(metadata=_d("The search as received, trimmed."))
    terms = fields.List(
        fields.String(), metadata=_d("The words searched for (empty: nothing to search for).")
    )
    hits = fields.List(fields.Nested(HitSchema), metadata=_d("Best first."))
    more = fields.Boolean(metadata=_d("True: there are more hits than `limit`."))


class LookupQuerySchema(Schema):
    """What was typed after @."""

    q = fields.String(
        load_default="",
        validate=validate.Length(max=DISPLAY_NAME_CHARS),
        metadata=_d("The start of a name or of a word in it (empty: the first members)."),
    )


class CandidateSchema(Schema):
    """A member who can be mentioned."""

    id = fields.Integer(metadata=_d("User id."))
    name = fields.String(metadata=_d("The name others see; type it after @ to mention them."))


@blp.route(f"/groups/<{ID}:group_id>/search", methods=["GET"])
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, ResultsSchema)
@blp.errors(401, 404)
def search_group(query, group_id):
    """Search a group's policies

    Finds the words in the current text of every policy of the group, in section
    titles, comments and suggestions. Deleted text, deleted comments and anything
    on a deleted section are never found. Hits are best first.
    """
    access = group_access(db(), auth.me().id, group_id)
    found = search.search(db(), access.group.id, query["q"], query["limit"])
    return {
        "query": found.query,
        "terms": found.terms,
        "more": found.more,
        "hits": [
            {
                **vars(h),
                "snippet": [{"text": t, "hit": hit} for t, hit in h.snippet],
                "snippet_html": to_html(h.snippet),
                "url": page_url(link_for(h)),
            }
            for h in found.hits
        ],
    }


@mentions_blp.route(f"/groups/<{ID}:group_id>/mention-candidates", methods=["GET"])
@mentions_blp.arguments(LookupQuerySchema, location="query")
@mentions_blp.response(200, CandidateSchema(many=True))
@mentions_blp.errors(401, 404)
def mention_candidates(query, group_id):
    """Members whose name, or a word in it, starts with what was typed

    At most 10, names that start with it first. Case and accents do not matter.
    """
    access = group_access(db(), auth.me().id, group_id)
    return [
        {"id": uid, "name": name}
        for uid, name in comments.mention_candidates(db(), access.group.id, query["q"])
    ]
