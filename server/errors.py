"""Domain errors. Services raise these; the HTTP and socket boundaries turn them
into a status code (or an ack) with a JSON body, in one place each."""

from __future__ import annotations


def field_paths(messages, at: str = "") -> dict[str, list[str]]:
    """Validation messages as one flat list per field, as docs/api.md promises:
    marshmallow nests the messages of a list item or a dict entry
    ({"attendance": {"0": {"status": [...]}}}); a client gets
    {"attendance[0].status": [...]}, the notation the services use too. A dict's
    entry is `name.key`, with marshmallow's own `.key` / `.value` saying which
    half of the entry is wrong."""
    if not isinstance(messages, dict):
        return {at or "_schema": list(messages) if isinstance(messages, list) else [messages]}
    out: dict[str, list[str]] = {}
    for name, inner in messages.items():
        name = str(name)
        if not at:
            path = name
        elif name.isdigit():  # an item of a list
            path = f"{at}[{name}]"
        else:
            path = f"{at}.{name}"
        out.update(field_paths(inner, path))
    return out


class DomainError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, fields: dict | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.fields = fields
        if code:
            self.code = code

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return body


class InvalidInput(DomainError):
    status = 422
    code = "invalid"


class NotAuthenticated(DomainError):
    status = 401
    code = "not_authenticated"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


class Conflict(DomainError):
    status = 409
    code = "conflict"


class Gone(DomainError):
    """A one-time link that has expired or was used already."""

    status = 410
    code = "gone"
