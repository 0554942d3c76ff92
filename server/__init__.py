"""Codraft: a server where co-production groups draft policy together.

Importing the package stays light on purpose: `codraft serve` must let gevent
patch the standard library before Flask, SQLAlchemy or Socket.IO are imported.
"""


def create_app(overrides: dict | None = None):
    """Build the Flask app (see server.app)."""
    from server.app import create_app as build

    return build(overrides)
