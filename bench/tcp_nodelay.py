"""Measure what TCP_NODELAY on the server's sockets would change (bench only).

Neither Flask-SocketIO's `socketio.run` nor the servers it starts (gevent's
pywsgi, eventlet.wsgi, Werkzeug) turn off Nagle's algorithm, so when a socket
gets two frames back to back (an `op`, then the ack) the second waits for the
client's delayed ACK, up to 40 ms on Linux. Accepted sockets inherit the option
from the listening socket, so setting it there is enough.

    python bench/tcp_nodelay.py serve --host 127.0.0.1 --port 8000   # = codraft serve
"""

from __future__ import annotations

import socket
import sys
from pathlib import Path


def _nodelay(sock) -> None:
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


def install(mode: str) -> None:
    """Set TCP_NODELAY on the listening socket the given mode's server will open."""
    if mode == "gevent":
        import gevent.server

        original = gevent.server._tcp_listener

        def listener(*args, **kwargs):
            sock = original(*args, **kwargs)
            _nodelay(sock)
            return sock

        gevent.server._tcp_listener = listener
    elif mode == "eventlet":
        import eventlet

        original_listen = eventlet.listen

        def listen(*args, **kwargs):
            sock = original_listen(*args, **kwargs)
            _nodelay(sock)
            return sock

        eventlet.listen = listen
    else:
        from werkzeug import serving

        original_bind = serving.BaseWSGIServer.server_bind

        def server_bind(self):
            _nodelay(self.socket)
            return original_bind(self)

        serving.BaseWSGIServer.server_bind = server_bind


def main() -> None:
    """`codraft` with TCP_NODELAY: patch like server.cli.main(), then run the CLI."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from server import cli

    mode = cli.serve_async_mode(sys.argv[2:])
    if mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()
    install(mode)
    cli.cli()


if __name__ == "__main__":
    main()
