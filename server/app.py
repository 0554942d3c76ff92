"""The app factory: wiring only; all behaviour lives in the modules it registers."""

from __future__ import annotations

from flask import Flask, make_response
from sqlalchemy.exc import IntegrityError, OperationalError

from server import auth, http_errors, models, security  # noqa: F401  (models: all mappers)
from server.config import ROOT, load
from server.db import Database
from server.extensions import api as rest_api  # `api` would be rebound by importing server.api
from server.extensions import limiter, socketio


def create_app(overrides: dict | None = None) -> Flask:
    """Wire the app together; all behaviour lives in the modules it registers."""
    config = load(overrides)
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=config["INSTANCE_PATH"],
    )
    app.config.update(config)
    app.config["RATELIMIT_HEADERS_ENABLED"] = True

    database = Database(app.config["DATABASE_URL"])
    app.extensions["codraft_db"] = database
    _transactions(app, database)

    auth.init_app(app)
    security.init_app(app)
    limiter.init_app(app)
    rest_api.init_app(
        app, spec_kwargs={"info": {"description": "Codraft's JSON API. See docs/api.md."}}
    )
    from server.api import register as register_api
    from server.web import register as register_web

    register_api(rest_api)
    register_web(app)
    http_errors.init_app(app)
    from server.realtime.cutoff import client_manager

    socketio.init_app(
        app,
        client_manager=client_manager(
            app.config["MESSAGE_QUEUE"], app.config["MESSAGE_QUEUE_CHANNEL"]
        ),
        async_mode=app.config["ASYNC_MODE"],
        max_http_buffer_size=app.config["MAX_CONTENT_LENGTH"],
    )
    from server import realtime

    realtime.init_app(app)
    from server import jobs

    jobs.start(app, socketio.sleep, socketio.start_background_task)
    return app


def is_write_conflict(exc: OperationalError) -> bool:
    """A write that lost a race with another (SQLite's lock, PostgreSQL's
    serialization failure, deadlock or lock timeout): safe to answer 409 and
    let the caller try again, unlike a database that is down."""
    code = getattr(getattr(exc, "orig", None), "sqlstate", None) or getattr(
        getattr(exc, "orig", None), "pgcode", None
    )
    if code in ("40001", "40P01", "55P03"):
        return True
    return "database is locked" in str(exc.orig) or "database is busy" in str(exc.orig)


def _transactions(app: Flask, database: Database) -> None:
    """One transaction per request: commit before the response leaves if it
    succeeded, roll back otherwise. Services only flush."""

    @app.after_request
    def _commit(response):
        if response.status_code >= 400:
            database.session.rollback()
            return response
        try:
            database.commit()
        except IntegrityError:
            database.session.rollback()
            return make_response(*http_errors.clash_response())
        except OperationalError as exc:
            database.session.rollback()
            if is_write_conflict(exc):
                return make_response(*http_errors.clash_response())
            raise
        return response

    @app.errorhandler(OperationalError)
    def _conflict(exc: OperationalError):
        """A write conflict while the request ran: 409 `conflict`, never a 500."""
        database.session.rollback()
        if is_write_conflict(exc):
            return http_errors.clash_response()
        raise exc

    @app.teardown_appcontext
    def _remove(_exc):
        database.remove()
