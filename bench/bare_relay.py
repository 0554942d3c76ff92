"""A bare Flask-SocketIO relay: the floor that bench/live_edit.py measures us against.

Same async mode and the same server as `codraft serve`: under gevent it is served
by `server.cli.serve_gevent` itself, on a listening socket with TCP_NODELAY,
exactly as `serve` does (the relay before issue 14 left Nagle on, so its acks
waited for the client's 40 ms delayed ACK and every ratio read better than it
was); other modes go through `socketio.run`, as `serve` does. No authentication,
no merge, no database: `join_policy` joins a room and acks; `edit_sentence`
broadcasts an `op` shaped like ours to the room (sender included) and acks
{"ok": true, "seq": n}. With --message-queue several relays share broadcasts
through Redis, as several `codraft serve` processes do.

    python bench/bare_relay.py --port 8100 --async-mode gevent
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# What an op carries back: a sentence's whole text, of the bench sentences' length.
TEXT = "The amount is worked out from the support the child or young person needs."


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument(
        "--async-mode", default="gevent", choices=("gevent", "eventlet", "threading")
    )
    parser.add_argument(
        "--nodelay",
        action="store_true",
        help="eventlet/threading: set TCP_NODELAY too (gevent always has it, as serve)",
    )
    parser.add_argument(
        "--fanout",
        action="store_true",
        help="gevent: write broadcasts as `serve` does (server/realtime/fanout.py)",
    )
    parser.add_argument("--message-queue", help="redis://... to share broadcasts (several relays)")
    parser.add_argument("--channel", default="bare-relay")
    args = parser.parse_args(argv)
    if args.async_mode == "gevent":
        from gevent import monkey

        monkey.patch_all()
    elif args.async_mode == "eventlet":
        import eventlet

        eventlet.monkey_patch()

    root = Path(__file__).resolve().parent.parent
    sys.path.insert(0, str(root))
    if args.nodelay and args.async_mode != "gevent":
        sys.path.insert(0, str(Path(__file__).resolve().parent))
        from tcp_nodelay import install

        install(args.async_mode)

    from flask import Flask, request
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    socketio = SocketIO(
        app, async_mode=args.async_mode, message_queue=args.message_queue, channel=args.channel
    )
    rooms: dict[str, str] = {}  # sid -> room
    clients: dict[str, str] = {}  # sid -> client_id
    seq = {"n": 0}

    @socketio.on("join_policy")
    def join_policy(data):
        room = f"policy:{data['policy_id']}"
        rooms[request.sid] = room
        clients[request.sid] = data["client_id"]
        join_room(room)
        return {"ok": True, "seq": seq["n"]}

    @socketio.on("edit_sentence")
    def edit_sentence(data):
        seq["n"] += 1
        message = {
            "seq": seq["n"],
            "origin": clients.get(request.sid),
            "ref": data.get("ref"),
            "section_id": 1,
            "op": "edit",
            "id": data["id"],
            "version": data["base_version"] + 1,
            "text": TEXT,
            "patch": data["patch"],
        }
        socketio.emit("op", message, to=rooms[request.sid])
        return {"ok": True, "seq": seq["n"]}

    @socketio.on("disconnect")
    def disconnect(*_args):
        rooms.pop(request.sid, None)
        clients.pop(request.sid, None)

    print(
        f"bare relay ({args.async_mode}) on http://{args.host}:{args.port}/",
        file=sys.stderr,
        flush=True,
    )
    if args.async_mode == "gevent":
        from server.cli import serve_gevent

        if args.fanout:
            from server.realtime import fanout

            fanout.install(socketio.server)

        serve_gevent(app, args.host, args.port)
        return
    unsafe = {"allow_unsafe_werkzeug": True} if args.async_mode == "threading" else {}
    socketio.run(app, host=args.host, port=args.port, log_output=False, **unsafe)


if __name__ == "__main__":
    main()
