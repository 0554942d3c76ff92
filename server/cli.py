"""The `codraft` command.

`serve` needs its async library's monkey-patching before anything else is
imported, so `main()` does that first and everything heavy is imported inside
commands.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys

import click

ASYNC_MODES = ("gevent", "eventlet", "threading")
DEFAULT_ASYNC_MODE = "gevent"  # measured against the others: docs/performance.md


def _app(**overrides):
    from server import create_app
    from server.config import ConfigError

    try:
        return create_app(overrides or None)
    except ConfigError as exc:  # a plain message at start, not a traceback
        raise click.ClickException(f"Codraft cannot start: {exc}") from None


def _ready_app(exit_code: int = 1):
    """The app, for a command that uses the database without setting it up."""
    return _ready(_app(), exit_code)


def _ready(app, exit_code: int = 1):
    """`app`, once its database is at this code's latest migration. A database
    with no tables, at another migration, or out of reach gets a plain message
    and `exit_code`, where it used to get a traceback about a missing table (a
    command) or a server that answered every page with an error (`serve`)."""
    from sqlalchemy.exc import OperationalError

    from server.migrate import current, latest

    url = app.config["DATABASE_URL"]
    try:
        at = current(url)
    except OperationalError as exc:
        problem = f"Codraft cannot reach the database {_safe_url(url)}: {exc.orig}"
    else:
        wanted = latest()
        if at == wanted:
            return app
        problem = (
            "The database is not set up yet. Run `codraft db upgrade` first "
            "(`codraft run` and `codraft serve --upgrade` do it when they start)."
            if at is None
            else f"The database is at migration {at}, and this Codraft needs {wanted}. "
            "Run `codraft db upgrade` first."
        )
    refused = click.ClickException(problem)
    refused.exit_code = exit_code
    raise refused


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
@click.option(
    "--demo", is_flag=True, help="Load the demo group and policy first and print the logins."
)
def run(host: str, port: int, debug: bool, upgrade: bool, demo: bool) -> None:
    app = _started("threading", host, port, upgrade=upgrade, demo=demo)
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
@click.option(
    "--demo", is_flag=True, help="Load the demo group and policy first and print the logins."
)
def serve(host: str, port: int, upgrade: bool, async_mode: str, demo: bool) -> None:
    app = _started(async_mode, host, port, upgrade=upgrade, demo=demo)
    from server.extensions import socketio

    if async_mode == "gevent":
        serve_gevent(app, host, port)
        return
    # Werkzeug's server is refused by default; threading is here only to be measured.
    unsafe = {"allow_unsafe_werkzeug": True} if async_mode == "threading" else {}
    socketio.run(app, host=host, port=port, log_output=False, **unsafe)


def serve_gevent(app, host: str, port: int) -> None:
    """What socketio.run does for gevent, on a listening socket with TCP_NODELAY.

    Without it an ack written right after a broadcast waits for the client's
    delayed ACK (up to 40 ms on Linux): docs/performance.md measured p50 32 ms
    falling to 9 ms at 10 clients. Accepted sockets inherit the option.
    bench/bare_relay.py serves through this too, so the baseline is served alike.
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


def _started(async_mode: str, host: str, port: int, *, upgrade: bool, demo: bool):
    """The app of `run` and `serve`, ready to listen: its database checked (or
    upgraded), the demo loaded if asked, the word lists warm and the addresses
    printed."""
    with _starting_up():
        app = _app(ASYNC_MODE=async_mode, RUN_JOBS=True)
        if upgrade or demo:
            _upgrade(app)
        else:
            _ready(app)
        if demo:
            _load_demo(app, _shown_url(host, port))
        _warm_up()
    _announce(app, host, port)
    return app


@contextlib.contextmanager
def _starting_up():
    """Start-up with the garbage collector off, then its heap frozen.

    What start-up loads (the app, its mappers, the word lists: about 280,000
    objects) lives as long as the process. While it loaded, the collector's full
    passes walked it again and again: eight passes, 1.4 s of a 4.4 s start
    (measured with gc.callbacks). Afterwards it is kept out of the full passes
    (`gc.freeze()`): each walked it all (0.14 s of CPU on a quiet machine, the
    process stopped), and a crowd connecting sets off several. No pass could free
    any of it anyway."""
    gc.disable()
    try:
        yield
    finally:
        gc.collect()
        gc.freeze()
        gc.enable()


def _warm_up() -> None:
    """Load the plain-language word lists and reading-age dictionary before listening
    (about 1.5 s of CPU, in C code that holds the GIL): loaded later, in the
    background, it stalled every request and socket once, a few seconds after start
    (bench/export.py: public page p99 1.2-1.7 s against a median of 4-6 ms)."""
    from server.plain import rules

    rules.warm()


def _shown_url(host: str, port: int) -> str:
    """The address a person on this machine opens (a wildcard bind is not one)."""
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host  # noqa: S104
    return f"http://{shown}:{port}"


def _announce(app, host: str, port: int) -> None:
    click.echo(
        f"Codraft is running at {_shown_url(host, port)}/  (database: "
        f"{_safe_url(app.config['DATABASE_URL'])})",
        err=True,
    )


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def _upgrade(app) -> None:
    from server.migrate import upgrade

    upgrade(app.config["DATABASE_URL"])


@cli.group(help="Database schema, through Alembic migrations.")
def db() -> None:
    pass


@db.command("upgrade", help="Create or upgrade the schema to the latest migration.")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    from server.config import load
    from server.migrate import upgrade

    url = load()["DATABASE_URL"]
    with _errors():
        upgrade(url, revision)
    click.echo(f"Database is at {revision}: {_safe_url(url)}")


@db.command("downgrade", help="Go back to an earlier migration (for example: base).")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    from server.config import load
    from server.migrate import downgrade

    with _errors():
        downgrade(load()["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}")


@db.command("current", help="Show the migration the database is at.")
def db_current() -> None:
    from server.config import load
    from server.migrate import current

    click.echo(current(load()["DATABASE_URL"]) or "empty (run: codraft db upgrade)")


@cli.command(help="Load the demo group and policy (safe to run again) and print logins.")
@click.option("--host", default="127.0.0.1", show_default=True, help="For the printed URL.")
@click.option(
    "--port",
    default=5000,
    show_default=True,
    type=int,
    help="For the printed URL: the port you will give `codraft run`.",
)
def demo(host: str, port: int) -> None:
    app = _app()
    _upgrade(app)
    _load_demo(app, _shown_url(host, port))


def _load_demo(app, url: str) -> None:
    """Load the demo and print the logins with the address the server will have."""
    from server.demo import DEMO_PASSWORD, demo_policy_id, demo_public_slug, load_demo

    database = _db(app)
    logins = load_demo(database.session)
    database.commit()
    policy_id = demo_policy_id(database.session)
    slug = demo_public_slug(database.session)
    database.remove()
    click.echo(
        "Demo loaded: the Northshire SEND Co-production Group is drafting the "
        "EHCP Personal Budget policy."
    )
    click.echo(f"Open {url}/ and sign in with any of these (password for all: {DEMO_PASSWORD}):")
    for email, name, role in logins:
        click.echo(f"  {email:34} {name:14} {role}")
    click.echo(f"The policy: {url}/policies/{policy_id}")
    if slug:
        click.echo(f"Its public page (version 1, no sign-in): {url}/published/{slug}/latest")


@cli.command("create-user", help="Create an account (prompts for the password).")
@click.option("--email", required=True)
@click.option("--name", required=True)
@click.password_option(confirmation_prompt=True)
def create_user_cmd(email: str, name: str, password: str) -> None:
    from server.accounts.services import create_user

    app = _ready_app()
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

    app = _ready_app()
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

    app = _ready_app()
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

    app = _ready_app()
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


@cli.command(
    help="Run the scheduled work (send email, digests, reminders). By default it keeps "
    "running; with --once it runs every job once and stops (for cron). Servers run "
    "these themselves unless CODRAFT_JOBS_IN_SERVER=0."
)
@click.option("--once", is_flag=True, help="Run every job once, then stop.")
def jobs(once: bool) -> None:
    import time

    from server import jobs as scheduled

    app = _ready_app()
    scheduled.configure(app.config)
    database = _db(app)
    if not app.config.get("MAIL"):
        click.echo("Email is off (no CODRAFT_SMTP_URL): nothing will be emailed.", err=True)
    with app.app_context():
        if once:
            for name, result in scheduled.run_all(database).items():
                click.echo(f"{name}: {'failed (see the log)' if result is None else result}")
            return
        last_run: dict[str, float] = {}
        tick = max(1, int(app.config.get("JOBS_TICK_SECONDS", 5)))
        while True:
            scheduled.run_due(database, last_run)
            time.sleep(tick)


@cli.command(
    "export",
    help="Export a policy (the draft now, a release or a checkpoint) to a file. "
    "Errors print a message and exit with status 2; no file is written then.",
)
@click.option("--policy", "policy_id", required=True, type=click.IntRange(min=1))
@click.option("--release", type=click.IntRange(min=1), help="A release number (v2: 2).")
@click.option("--checkpoint", type=click.IntRange(min=1), help="A checkpoint id.")
@click.option(
    "--format", "fmt", required=True, type=click.Choice(["html", "md", "docx", "odt", "pdf"])
)
@click.option("--out", required=True, type=click.Path(dir_okay=False, writable=True))
def export_cmd(
    policy_id: int, release: int | None, checkpoint: int | None, fmt: str, out: str
) -> None:
    from server.errors import DomainError
    from server.exports.policy import render
    from server.policies.services import get_policy
    from server.publishing import services as publishing

    app = _ready_app(exit_code=2)
    database = _db(app)
    try:
        policy = get_policy(database.session, policy_id)
        document = publishing.document_for(
            database.session, policy, publishing.Source(release, checkpoint)
        )
        body = render(document, fmt)
    except DomainError as exc:
        raise click.UsageError(exc.message) from exc
    finally:
        database.remove()
    # Written whole, then moved into place: a failure never leaves half a file.
    tmp = f"{out}.part"
    try:
        with open(tmp, "wb") as handle:
            handle.write(body)
        os.replace(tmp, out)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise click.UsageError(f"Cannot write {out}: {exc.strerror}.") from None
    click.echo(f"Wrote {out} ({len(body):,} bytes).")


class _errors:
    """Print what a person typed wrong as a plain message, not a traceback: a
    domain error's message, or Alembic's for a revision it does not know."""

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        from alembic.util import CommandError

        from server.errors import DomainError

        if isinstance(exc, DomainError):
            raise click.ClickException(exc.message) from exc
        if isinstance(exc, CommandError):
            raise click.ClickException(str(exc)) from exc
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
