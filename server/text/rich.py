"""The one place comment text becomes HTML.

People write comments in a little Markdown (**bold**, *italic*, lists, links) and
mention members as @Name. Markdown is rendered, then bleach
keeps only the few tags a comment needs (any other typed markup is removed, so a
comment of markup alone has no words and is refused), makes bare addresses into links and puts
rel="nofollow noopener" on every link. Nothing else in Codraft produces HTML from
user text: templates escape everything except a comment's stored `body_html`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from html import escape, unescape

import bleach
import markdown
from bleach.linkifier import Linker

from server.text.clean import clean_block

TAGS = ["p", "br", "strong", "em", "ul", "ol", "li", "a", "span"]
ATTRIBUTES = {"a": ["href", "rel"], "span": ["class", "data-user-id"]}
PROTOCOLS = ["http", "https", "mailto"]
MAX_COMMENT_CHARS = 5000


@dataclass(frozen=True)
class Rendered:
    source: str  # as typed, cleaned (kept for editing)
    html: str  # safe to show
    text: str  # plain words, for previews and emptiness checks
    mentioned: tuple[int, ...]  # user ids, in order of first mention


def _rel(attrs, new=False):
    attrs[(None, "rel")] = "nofollow noopener"
    attrs.pop((None, "target"), None)
    return attrs


_linker = Linker(callbacks=[_rel])
_md = markdown.Markdown(extensions=[], output_format="html")
# bleach keeps the words of a tag it strips; a script's or style's words are code,
# not something the person meant to say, so they go entirely.
_SCRIPTS = re.compile(
    r"<(script|style|template|iframe|noscript)\b.*?(</\1\s*>|$)", re.IGNORECASE | re.DOTALL
)
TYPED_TAGS = [t for t in TAGS if t != "span"]  # a typed span could fake a mention


def _mention_pattern(members: Iterable[tuple[int, str]]) -> tuple[re.Pattern | None, dict]:
    names = {name.casefold(): (uid, name) for uid, name in members if name}
    if not names:
        return None, {}
    alternatives = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
    return re.compile(rf"@({alternatives})(?![\w])", re.IGNORECASE), names


def render_comment(source: str, members: Iterable[tuple[int, str]] = ()) -> Rendered:
    """Render typed comment text. `members` are (user id, display name) of the group,
    so "@Sam Patel" becomes a mention of that member and nothing else does."""
    source = clean_block(source)
    _md.reset()
    html = _md.convert(_SCRIPTS.sub("", source))
    html = bleach.clean(
        html,
        tags=TYPED_TAGS,
        attributes=ATTRIBUTES,
        protocols=PROTOCOLS,
        strip=True,
        strip_comments=True,
    )
    # Links first: the linkifier escapes the text of tags it skips once more, which
    # doubled "&" in a mention of "Tom & Jerry"; mentions stay out of links below.
    html = _linker.linkify(html)
    pattern, names = _mention_pattern(members)
    mentioned: list[int] = []
    if pattern is not None:

        def link(match: re.Match) -> str:
            uid, name = names[match.group(1).casefold()]
            if uid not in mentioned:
                mentioned.append(uid)
            return _mention(uid, name)

        html = _outside_tags(html, pattern, link)
    html = bleach.clean(html, tags=TAGS, attributes=ATTRIBUTES, protocols=PROTOCOLS, strip=True)
    html = re.sub(r"<a (?![^>]*rel=)", '<a rel="nofollow noopener" ', html)
    return Rendered(source, html, plain_text(html), tuple(mentioned))


def _mention(uid: int, name: str) -> str:
    # Text, not an attribute: quotes need no escaping (escaping them, and the
    # linkifier escaping the "&" again, showed "O&#x27;Neill").
    return f'<span class="mention" data-user-id="{uid}">@{escape(name, quote=False)}</span>'


def _outside_tags(html: str, pattern: re.Pattern, repl) -> str:
    """Apply a substitution to text only, never inside a tag or a link. The text is
    matched as people see it (entities read), so "@Tom & Jerry" is found too."""
    out, in_link = [], False
    for part in re.split(r"(<[^>]+>)", html):
        if part.startswith("<"):
            if re.match(r"<a[\s>]", part):
                in_link = True
            elif part.startswith("</a"):
                in_link = False
            out.append(part)
        elif in_link:
            out.append(part)
        else:
            words, at = unescape(part), 0
            for match in pattern.finditer(words):
                out.append(escape(words[at : match.start()], quote=False))
                out.append(repl(match))
                at = match.end()
            out.append(escape(words[at:], quote=False))
    return "".join(out)


# The only spans in a comment's HTML are mentions made above: typed ones are removed.
_MENTION = re.compile(r'<span class="mention" data-user-id="(\d+)">@([^<]*)</span>')


def mentions_in(html: str) -> list[tuple[int, str]]:
    """(user id, name as written) of each mention in rendered comment HTML."""
    return [(int(uid), unescape(name)) for uid, name in _MENTION.findall(html or "")]


def with_names(html: str, names: Mapping[int, str]) -> str:
    """Show each mention with the member's name now: a mention is stored by member
    id, so renaming someone renames them in every comment. Ids not in `names` keep
    the name they had when the comment was written."""

    def swap(match: re.Match) -> str:
        uid = int(match.group(1))
        return _mention(uid, names[uid]) if names.get(uid) else match.group(0)

    return _MENTION.sub(swap, html or "")


def plain_text(html: str) -> str:
    """The words of comment HTML made here, without formatting (for previews,
    snippets and the emptiness check). That HTML went through bleach, so its tags
    are well formed and a pattern can drop them: bleach again costs a millisecond a
    comment, too much for a page of search hits."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]*>", "", html or ""))).strip()
