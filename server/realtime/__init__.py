"""Live editing over Socket.IO: thin handlers over the editing and presence services.

Every event goes through `boundary.socket_event`, which authenticates the socket
again, authorises the target, runs one transaction, and lets the op log's
after-commit event broadcast (so nothing is sent for a change that did not
commit). docs/protocol.md describes every event.
"""

from __future__ import annotations


def init_app(app) -> None:
    from server.extensions import socketio
    from server.realtime import (  # noqa: F401  (handlers)
        broadcast,
        group_feed,
        handlers,
        hints_feed,
        notifications_feed,
        reserved,
        review_feed,
    )

    reserved.guard(socketio.server)
    if socketio.server.eio.async_mode == "gevent":  # `codraft serve`
        from server.realtime import fanout

        fanout.install(socketio.server)
    broadcast.subscribe_all()
    review_feed.init_app(app)
    group_feed.init_app(app)
    if app.config["LIVE_HINTS"]:  # CODRAFT_LIVE_HINTS=0: no hints pushed after edits
        hints_feed.init_app(app)
    notifications_feed.init_app(app)
