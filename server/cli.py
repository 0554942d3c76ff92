"""The `codraft` command.

`serve` needs its async library's monkey-patching before anything else is
imported, so `main()` does that first and everything heavy is imported inside
commands.
"""

from __future__ import annotations

import os
import sys

import click

ASYNC_MODES = ("gevent", "eventlet", "threading")
DEFAULT_ASYNC_MODE = "gevent"  # measured against the others: docs/performance.md


def _app(**overrides):
    from server import create_app

    return create_app(overrides or None)


def _db(app):
    return app.extensions["codraft_db"]


@click.group(help="Codraft: draft policy together. Settings come from CODRAFT_* variables.")
def cli() -> None:
    pass


@cli.command(help="Start the development server (reloads nothing; for one machine).")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=int)
@click.option("--debug", is_flag=True, help="Show Flask's debugger on errors.")
@click.option(
    "--upgrade/--no-upgrade",
    default=True,
    show_default=True,
    help="Apply database migrations before starting.",
)
def run(host: str, port: int, debug: bool, upgrade: bool) -> None:
    app = _app(ASYNC_MODE="threading", RUN_JOBS=True)
    if upgrade:
        _upgrade(app)
    _announce(app, host, port)
    from server.extensions import socketio

    socketio.run(
        app,
        host=host,
        port=port,
        debug=debug,
        use_reloader=False,
        allow_unsafe_werkzeug=True,
        log_output=debug,
    )


@cli.command(
    help="Start the production server (gevent; use a proxy with sticky sessions "
    "and CODRAFT_MESSAGE_QUEUE to run several)."
)
@click.option("--host", default="0.0.0.0", show_default=True)  # noqa: S104
@click.option("--port", default=8000, show_default=True, type=int)
@click.option(
    "--upgrade/--no-upgrade",
    default=False,
    show_default=True,
    help="Apply database migrations before starting.",
)
@click.option(
    "--async-mode",
    type=click.Choice(ASYNC_MODES),
    default=DEFAULT_ASYNC_MODE,
    envvar="CODRAFT_ASYNC_MODE",
    show_default=True,
    help="For measuring (bench/async_modes.py); keep the default otherwise.",
)
def serve(host: str, port: int, upgrade: bool, async_mode: str) -> None:
    app = _app(ASYNC_MODE=async_mode, RUN_JOBS=True)
    if upgrade:
        _upgrade(app)
    _announce(app, host, port)
    from server.extensions import socketio

    if async_mode == "gevent":
        _serve_gevent(app, host, port)
        return
    # Werkzeug's server is refused by default; threading is here only to be measured.
    unsafe = {"allow_unsafe_werkzeug": True} if async_mode == "threading" else {}
    socketio.run(app, host=host, port=port, log_output=False, **unsafe)


def _serve_gevent(app, host: str, port: int) -> None:
    """What socketio.run does for gevent, on a listening socket with TCP_NODELAY.

    Without it an ack written right after a broadcast waits for the client's
    delayed ACK (up to 40 ms on Linux): docs/performance.md measured p50 32 ms
    falling to 9 ms at 10 clients. Accepted sockets inherit the option.
    """
    import socket

    from gevent import pywsgi
    from geventwebsocket.handler import WebSocketHandler

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    sock.bind((host, port))
    sock.listen(1024)
    pywsgi.WSGIServer(sock, app, handler_class=WebSocketHandler, log=None).serve_forever()


def _announce(app, host: str, port: int) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    click.echo(
        f"Codraft is running at http://{shown}:{port}/  (database: "
        f"{_safe_url(app.config['DATABASE_URL'])})",
        err=True,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _upgrade(app) -> None:
    from server.migrate import upgrade

    upgrade(app.config["DATABASE_URL"])


@cli.command(
    "jobs",
    help="Run the scheduled work (closing votes whose time is up, ...) for cron. "
    "`codraft serve` runs it too; running both is safe.",
)
@click.option("--once", is_flag=True, help="Run every job once and exit (for cron).")
def jobs_cmd(once: bool) -> None:
    import time

    from server import jobs

    app = _app()
    with app.app_context():
        if once:
            for name, result in jobs.run_all(_db(app)).items():
                click.echo(f"{name}: {'failed (see the log)' if result is None else result}")
            return
        runner = jobs.Runner()
        click.echo("Running scheduled jobs; stop with Ctrl+C.", err=True)
        while True:
            for name in runner.tick(_db(app)):
                click.echo(f"ran {name}", err=True)
            _db(app).remove()
            time.sleep(jobs.TICK_SECONDS)


@cli.group(help="Database schema, through Alembic migrations.")
def db() -> None:
    pass


@db.command("upgrade", help="Create or upgrade the schema to the latest migration.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    from server.config import load
    from server.migrate import upgrade

    url = load()["DATABASE_URL"]
    upgrade(url, revision)
    click.echo(f"Database is at {revision}: {_safe_url(url)}")


@db.command("downgrade", help="Go back to an earlier migration (for example: base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from server.config import load
    from server.migrate import downgrade

    downgrade(load()["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}")


@db.command("current", help="Show the migration the database is at.")
def db_current() -> None:
    from server.config import load
    from server.migrate import current

    click.echo(current(load()["DATABASE_URL"]) or "empty (run: codraft db upgrade)")


@cli.command(help="Load the demo group and policy (safe to run again) and print logins.")
@click.option("--host", default="127.0.0.1", show_default=True, help="For the printed URL.")
@click.option("--port", default=5000, show_default=True, type=int, help="For the printed URL.")
def demo(host: str, port: int) -> None:
    from server.demo import DEMO_PASSWORD, demo_policy_id, load_demo

    app = _app()
    _upgrade(app)
    database = _db(app)
    logins = load_demo(database.session)
    database.commit()
    policy_id = demo_policy_id(database.session)
    database.remove()
    click.echo(
        "Demo loaded: the Northshire SEND Co-production Group is drafting the "
        "EHCP Personal Budget policy."
    )
    click.echo(
        f"Open http://{host}:{port}/ and sign in with any of these "
        f"(password for all: {DEMO_PASSWORD}):"
    )
    for email, name, role in logins:
        click.echo(f"  {email:34} {name:14} {role}")
    click.echo(f"The policy: http://{host}:{port}/policies/{policy_id}")


@cli.command("create-user", help="Create an account (prompts for the password).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(confirmation_prompt=True)
def create_user_cmd(email: str, name: str, password: str) -> None:
    from server.accounts.services import create_user

    app = _app()
    database = _db(app)
    with _errors():
        user = create_user(database.session, email, name, password)
        database.commit()
    click.echo(f"Created {user.email} (id {user.id}).")


@cli.command(
    "disable-user",
    help="Disable an account: it can no longer sign in, and its "
    "open sessions, tokens and live connections end.",
)
@click.option("--email", required=True)
def disable_user_cmd(email: str) -> None:
    _set_active(email, False)
    click.echo(f"Disabled {email}.")


@cli.command("enable-user", help="Let a disabled account sign in again.")
@click.option("--email", required=True)
def enable_user_cmd(email: str) -> None:
    _set_active(email, True)
    click.echo(f"Enabled {email}.")


def _set_active(email: str, active: bool) -> None:
    from server.accounts.services import set_active, user_by_email

    app = _app()
    database = _db(app)
    user = user_by_email(database.session, email)
    if user is None:
        raise click.ClickException(f"No account with email {email}.")
    set_active(database.session, user, active)
    database.commit()


@cli.command("create-group", help="Create a group with an existing account as facilitator.")
@click.option("--name", required=True)
@click.option("--facilitator", "email", required=True, help="Email of the first facilitator.")
def create_group_cmd(name: str, email: str) -> None:
    from server.accounts.services import user_by_email
    from server.groups.services import create_group

    app = _app()
    database = _db(app)
    with _errors():
        user = user_by_email(database.session, email)
        if user is None:
            raise click.ClickException(f"No account with email {email}.")
        group = create_group(database.session, user, name)
        database.commit()
    click.echo(f"Created group {group.name!r} (id {group.id}); {email} is its facilitator.")


@cli.command("create-token", help="Create an API token for an account and print it once.")
@click.option("--email", required=True)
@click.option("--name", default="command line", show_default=True, help="What it is for.")
def create_token_cmd(email: str, name: str) -> None:
    from server.accounts.services import create_api_token, user_by_email

    app = _app()
    database = _db(app)
    with _errors():
        user = user_by_email(database.session, email)
        if user is None:
            raise click.ClickException(f"No account with email {email}.")
        token, _row = create_api_token(database.session, user, name)
        database.commit()
    click.echo(token)
    click.echo(
        "Keep it secret: it is shown once. Send it as 'Authorization: Bearer <token>'.", err=True
    )


class _errors:
    """Print domain errors as plain messages, not tracebacks."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from server.errors import DomainError

        if exc is not None and isinstance(exc, DomainError):
            raise click.ClickException(exc.message) from exc
        return False


def serve_async_mode(argv: list[str]) -> str:
    """Read the mode `serve` will run in the way click will: --async-mode, else
    CODRAFT_ASYNC_MODE, else the default (main() must know it before click runs)."""
    mode = os.environ.get("CODRAFT_ASYNC_MODE") or DEFAULT_ASYNC_MODE
    for i, arg in enumerate(argv):
        if arg == "--async-mode" and i + 1 < len(argv):
            mode = argv[i + 1]
        elif arg.startswith("--async-mode="):
            mode = arg.split("=", 1)[1]
    return mode


def main() -> None:
    if sys.argv[1:2] == ["serve"]:
        mode = serve_async_mode(sys.argv[2:])
        if mode == "gevent":
            from gevent import monkey

            monkey.patch_all()
        elif mode == "eventlet":
            import eventlet

            eventlet.monkey_patch()
    cli()


if __name__ == "__main__":
    main()
