"""Settings: safe defaults, overridden by CODRAFT_* environment variables, then by
explicit overrides (tests). Checked once at start so a typo fails loudly."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parent.parent


class ConfigError(RuntimeError):
    """A setting is missing or malformed; the message says which and how to fix it."""


def _env_number(name: str, default, kind: type, what: str):
    """The environment variable `name` read as `kind`, `default` when unset or empty;
    anything else is a ConfigError that names it."""
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be {what}, got {raw!r}") from exc


def _env_int(name: str, default: int) -> int:
    return _env_number(name, default, int, "a whole number")


def _env_float(name: str, default: float) -> float:
    return _env_number(name, default, float, "a number")


def _env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def instance_path() -> Path:
    """Return the folder for the SQLite file and the generated secret key."""
    return Path(os.environ.get("CODRAFT_INSTANCE_PATH") or ROOT / "instance").resolve()


def _secret_key(folder: Path) -> str:
    """Use CODRAFT_SECRET_KEY, else one generated on first start and kept in the
    instance folder, so sessions survive restarts without anyone choosing a key."""
    given = os.environ.get("CODRAFT_SECRET_KEY")
    if given:
        return given
    path = folder / "secret_key"
    if path.exists():
        return path.read_text().strip()
    folder.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


def load(overrides: dict | None = None) -> dict:
    """Build the Flask config mapping from defaults, environment and overrides."""
    overrides = dict(overrides or {})
    folder = Path(overrides.pop("INSTANCE_PATH", None) or instance_path())
    folder.mkdir(parents=True, exist_ok=True)
    database_url = os.environ.get("CODRAFT_DATABASE_URL") or f"sqlite:///{folder / 'codraft.db'}"
    config = {
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": database_url,
        "SECRET_KEY": None,
        # `codraft serve` sets gevent; everything else (run, commands, tests) threads.
        # Never left to auto-detection, which would pick whatever happens to be installed.
        "ASYNC_MODE": "threading",
        "MESSAGE_QUEUE": os.environ.get("CODRAFT_MESSAGE_QUEUE") or None,
        # Processes sharing a queue must use the same channel; separate deployments on
        # one Redis use different ones.
        "MESSAGE_QUEUE_CHANNEL": os.environ.get("CODRAFT_MESSAGE_QUEUE_CHANNEL", "codraft"),
        "RATELIMIT_STORAGE_URI": os.environ.get("CODRAFT_RATELIMIT_STORAGE_URL", "memory://"),
        "RATELIMIT_ENABLED": _env_bool("CODRAFT_RATELIMIT_ENABLED", True),
        # Wrong passwords allowed (server/security.py): per client address and email,
        # per address whatever the email, and per email from anywhere (much higher,
        # so a flood from elsewhere does not lock the real person out).
        "SIGN_IN_LIMIT": os.environ.get("CODRAFT_SIGN_IN_LIMIT", "10 per minute;50 per hour"),
        "SIGN_IN_ADDRESS_LIMIT": os.environ.get(
            "CODRAFT_SIGN_IN_ADDRESS_LIMIT", "30 per minute;300 per hour"
        ),
        "SIGN_IN_EMAIL_LIMIT": os.environ.get(
            "CODRAFT_SIGN_IN_EMAIL_LIMIT", "50 per minute;500 per hour"
        ),
        # Sessions: absolute lifetime, plus an idle timeout checked on each request.
        "SESSION_LIFETIME": timedelta(hours=_env_int("CODRAFT_SESSION_HOURS", 24 * 14)),
        "SESSION_IDLE": timedelta(hours=_env_int("CODRAFT_SESSION_IDLE_HOURS", 72)),
        "INVITATION_LIFETIME": timedelta(hours=_env_int("CODRAFT_INVITATION_HOURS", 24 * 7)),
        "RESET_LIFETIME": timedelta(hours=_env_int("CODRAFT_RESET_HOURS", 24)),
        "MAX_CONTENT_LENGTH": _env_int("CODRAFT_MAX_BODY_BYTES", 512 * 1024),
        "BEHIND_PROXY": _env_bool("CODRAFT_BEHIND_PROXY", False),
        # Where the people are: pages show and read times in this zone (the database
        # and the API keep UTC).
        "TIME_ZONE": os.environ.get("CODRAFT_TIME_ZONE", "Europe/London"),
        # Heavy work (PDF, large pages, exports) runs off the live-editing loop and is
        # given up on after this long (server/offload.py).
        "HEAVY_WORK_SECONDS": _env_int("CODRAFT_HEAVY_WORK_SECONDS", 20),
        "FORCE_SECURE_COOKIES": _env_bool("CODRAFT_SECURE_COOKIES", False),
        "SESSION_COOKIE_NAME": "codraft_session",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        # Send the cookie back only when the session changed: a page's background
        # request still on its way (notifications.js) would otherwise overwrite a newer
        # cookie set by a form's answer, and its message (a flash) would be lost. The
        # sign-in's lifetime and idle time are checked on the server (SESSION_*).
        "SESSION_REFRESH_EACH_REQUEST": False,
        "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
        "WTF_CSRF_TIME_LIMIT": None,  # the token lives as long as the session does
        "WTF_CSRF_CHECK_DEFAULT": False,  # checked in security.py, skipped for API tokens
        "API_TITLE": "Codraft API",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",  # the document: GET /api/v1/openapi.json
        "TESTING": False,
        # Email (issue 13). No SMTP server set: email is off and nothing else changes.
        "SMTP_URL": os.environ.get("CODRAFT_SMTP_URL") or None,
        "SMTP_HOST": os.environ.get("CODRAFT_SMTP_HOST") or None,
        "SMTP_PORT": os.environ.get("CODRAFT_SMTP_PORT") or None,
        "SMTP_USER": os.environ.get("CODRAFT_SMTP_USER") or None,
        "SMTP_PASSWORD": os.environ.get("CODRAFT_SMTP_PASSWORD") or None,
        "SMTP_SECURITY": os.environ.get("CODRAFT_SMTP_SECURITY") or None,  # plain/starttls/ssl
        "MAIL_FROM": os.environ.get("CODRAFT_MAIL_FROM") or None,
        # Where people open Codraft, for links in emails.
        "BASE_URL": (os.environ.get("CODRAFT_BASE_URL") or "").rstrip("/") or None,
        # Scheduled work (server/jobs.py) runs inside the server unless a deployment
        # runs `codraft jobs` from cron instead.
        "JOBS_IN_SERVER": _env_bool("CODRAFT_JOBS_IN_SERVER", True),
        "JOBS_TICK_SECONDS": _env_int("CODRAFT_JOBS_TICK_SECONDS", 5),
        # Live changes waiting or being written in one process before more are refused
        # with `busy` at once (server/realtime/group_commit.py: back-pressure).
        "LIVE_QUEUE_LIMIT": _env_int("CODRAFT_LIVE_QUEUE_LIMIT", 128),  # 2 batches of 64
        # ... or when those in hand would keep the next waiting longer than this (s).
        "LIVE_MAX_WAIT": _env_float("CODRAFT_LIVE_MAX_WAIT", 0.5),
        # Plain-language hints pushed to live clients after each edit (issue 15); off,
        # pages and the hints route still show them. The live-edit bench compares both.
        "LIVE_HINTS": _env_bool("CODRAFT_LIVE_HINTS", True),
        # The hour (in TIME_ZONE) the daily digest goes out.
        "DIGEST_HOUR": _env_int("CODRAFT_DIGEST_HOUR", 17),
    }
    config.update(overrides)
    if not config["SECRET_KEY"]:
        config["SECRET_KEY"] = _secret_key(folder)
    validate(config)
    return config


def validate(config: dict) -> None:
    """Fail at start, with a plain message, on settings that cannot work."""
    url = config["DATABASE_URL"]
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            "CODRAFT_DATABASE_URL must be sqlite:///PATH or postgresql+psycopg://USER@HOST/DB"
        )
    if config["LIVE_QUEUE_LIMIT"] < 1:
        raise ConfigError("CODRAFT_LIVE_QUEUE_LIMIT must be at least 1")
    if not config["LIVE_MAX_WAIT"] > 0:
        raise ConfigError("CODRAFT_LIVE_MAX_WAIT must be more than 0 (seconds)")
    if config["MAX_CONTENT_LENGTH"] < 1024:
        raise ConfigError("CODRAFT_MAX_BODY_BYTES must be at least 1024")
    if len(config["SECRET_KEY"]) < 16:
        raise ConfigError("CODRAFT_SECRET_KEY must be at least 16 characters")
    _mail(config)
    try:
        ZoneInfo(config["TIME_ZONE"])
    except (ValueError, ZoneInfoNotFoundError):
        raise ConfigError(
            "CODRAFT_TIME_ZONE must be a time zone name such as Europe/London"
        ) from None


def _mail(config: dict) -> None:
    """Parse the SMTP settings into config["MAIL"] (None: email is off)."""
    from server.mail.settings import MailSettingsError, parse

    if not 0 <= int(config["DIGEST_HOUR"]) <= 23:
        raise ConfigError("CODRAFT_DIGEST_HOUR must be an hour from 0 to 23")
    try:
        config["MAIL"] = parse(
            config["SMTP_URL"],
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            username=config["SMTP_USER"],
            password=config["SMTP_PASSWORD"],
            security=config["SMTP_SECURITY"],
            mail_from=config["MAIL_FROM"],
            base_url=config["BASE_URL"],
        )
    except MailSettingsError as exc:
        raise ConfigError(str(exc)) from None
