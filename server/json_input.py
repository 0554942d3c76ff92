"""Read JSON request bodies safely: the one parser every route's body goes through.

Python's json module turns some hostile bodies into errors it does not call
decoding errors, which became 500s: nesting deeper than the recursion limit raises
RecursionError, and a lone surrogate escape (`"\\ud800"`) decodes into a string
that cannot be encoded again, so it fails later (hashing a password, writing a
row). Both are refused here as bad JSON, so the caller gets a 400 and nothing
further runs. Flask's `request.get_json` and the API's argument parser (webargs)
both read bodies through `SafeJSONProvider.loads`.
"""

from __future__ import annotations

import json

from flask.json.provider import DefaultJSONProvider

TOO_DEEP = "it is nested too deeply"
LONE_SURROGATE = "a \\u escape is half of a character: a lone surrogate"


def loads(data: str | bytes):
    """Parse JSON text, raising json.JSONDecodeError (a ValueError) for anything
    that is not plain, storable JSON."""
    try:
        value = json.loads(data)
    except RecursionError:
        raise json.JSONDecodeError(TOO_DEEP, "", 0) from None
    # Raw UTF-8 cannot carry a surrogate, so only a \u escape can make one.
    escaped = b"\\u" in data if isinstance(data, bytes) else "\\u" in data
    if escaped and not _encodable(value):
        raise json.JSONDecodeError(LONE_SURROGATE, "", 0)
    return value


def _encodable(value) -> bool:
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class SafeJSONProvider(DefaultJSONProvider):
    """Flask's JSON, with request bodies read by `loads` above."""

    def loads(self, s: str | bytes, **kwargs):
        return loads(s)
