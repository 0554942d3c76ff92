"""Server-rendered pages: the blueprint "web".

Views are thin: validate the form, load and authorise through server.access, call
one service, flash a message and redirect (POST-redirect-GET). Domain errors from
a form's service re-render that form with the message next to the field.
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    # Importing the view modules adds their routes (and template helpers) to bp,
    # once per process; the blueprint can then be registered on any number of apps.
    from server.web import (  # noqa: F401
        accounts,
        comments,
        coproduction,
        date_polls,
        glossary,
        groups,
        helpers,
        history,
        notifications,
        participation,
        plain,
        policies,
        proposals,
        publishing,
        review,
        search,
        session_record,
        sessions,
        text_marks,
        times,
        votes,
    )
    from server.web.blueprint import bp

    app.register_blueprint(bp)
