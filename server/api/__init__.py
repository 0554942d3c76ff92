"""JSON API under /api/v1 (flask-smorest: validation and the OpenAPI document,
served at /api/v1/openapi.json). docs/api.md is the guide."""

from __future__ import annotations

BEARER = {
    "type": "http",
    "scheme": "bearer",
    "description": "An API token from POST /api/v1/tokens or `codraft create-token`.",
}


def blueprints() -> list:
    """Every API blueprint; each is one tag in the OpenAPI document."""
    from server.api import (
        accounts,
        groups,
        history,
        notifications,
        policies,
        publishing,
        review,
        search,
        subgroups,
    )

    return [
        accounts.tokens,
        accounts.account,
        groups.blp,
        groups.members_blp,
        groups.invitations,
        subgroups.blp,
        policies.blp,
        policies.sections,
        history.blp,
        publishing.blp,
        *review.blueprints(),
        *_sessions(),
        *_plain_language(),
        notifications.blp,
        search.blp,
        search.mentions_blp,
    ]


def _sessions() -> list:
    from server.api import coproduction, date_polls, session_record, sessions

    return [
        sessions.blp,
        sessions.review_blp,
        session_record.blp,
        date_polls.blp,
        *coproduction.blueprints(),
    ]


def _plain_language() -> list:
    from server.api import glossary, plain

    return [glossary.blp, plain.blp]


def register(api) -> None:
    api.spec.components.security_scheme("bearerAuth", BEARER)
    api.spec.options["security"] = [{"bearerAuth": []}]  # public endpoints say otherwise
    for blueprint in blueprints():
        api.register_blueprint(blueprint)
