"""Protections around requests: CSRF, security headers, cookie flags, the JSON
parser, and the one budget for password attempts."""

from __future__ import annotations

import hashlib

from flask import current_app, request, session
from flask.sessions import SecureCookieSessionInterface
from flask_limiter.util import get_remote_address
from flask_login import current_user
from werkzeug.middleware.proxy_fix import ProxyFix

from server.auth import bearer_attempted
from server.extensions import csrf, limiter
from server.json_input import SafeJSONProvider
from server.text.clean import clean_email

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

# No inline script and nothing from another host. Styles too stay on our origin.
CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SessionInterface(SecureCookieSessionInterface):
    """Mark the cookie Secure whenever the request came over HTTPS (or when forced)."""

    def get_cookie_secure(self, app) -> bool:
        return bool(app.config["FORCE_SECURE_COOKIES"] or request.is_secure)


def _check_csrf() -> None:
    """Forms and cookie-authenticated API calls need the CSRF token; calls with an
    API token carry no ambient authority, so they do not."""
    if request.method not in UNSAFE or bearer_attempted():
        return
    if request.path.startswith("/api/") and "_user_id" not in session:
        return  # no cookie sign-in to abuse; the endpoint itself demands credentials
    if request.path.startswith("/unsubscribe/"):
        return  # one-click unsubscribe (RFC 8058): the signed link is the authority
    csrf.protect()


# --- sign-in throttling ---------------------------------------------------------------
#
# Signing in with a password (POST /api/v1/tokens and the /sign-in form) spends one
# budget: the same counters whichever way the attempt comes. Only wrong passwords
# count, and they are counted three ways:
#   - per address and email (SIGN_IN_LIMIT): one client guessing one person's password;
#   - per address (SIGN_IN_ADDRESS_LIMIT, higher): one client trying many emails;
#   - per email (SIGN_IN_EMAIL_LIMIT, much higher): guesses for one person spread over
#     many addresses.
# A flood of wrong passwords for someone's email from elsewhere fills only the first
# two counters of the flooder's addresses, so the real person, from their own address,
# still signs in; only a flood from many addresses reaches the per-email bound.


def _attempted_email() -> str:
    """The email a sign-in attempt names (JSON body or form), as a short hash, so a
    long or odd value cannot bloat the limiter's keys."""
    body = request.get_json(silent=True) if request.is_json else request.form
    email = body.get("email") if hasattr(body, "get") else None
    email = clean_email(email) if isinstance(email, str) else ""
    return hashlib.sha256(email.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def _wrong_password(response) -> bool:
    return response.status_code == 401


def _setting(name: str):
    return lambda: current_app.config[name]


_SIGN_IN_BUDGET = [
    limiter.shared_limit(
        _setting("SIGN_IN_LIMIT"),
        scope="sign-in:address+email",
        key_func=lambda: f"{get_remote_address()}|{_attempted_email()}",
        methods=["POST"],
        deduct_when=_wrong_password,
    ),
    limiter.shared_limit(
        _setting("SIGN_IN_ADDRESS_LIMIT"),
        scope="sign-in:address",
        key_func=get_remote_address,
        methods=["POST"],
        deduct_when=_wrong_password,
    ),
    limiter.shared_limit(
        _setting("SIGN_IN_EMAIL_LIMIT"),
        scope="sign-in:email",
        key_func=_attempted_email,
        methods=["POST"],
        deduct_when=_wrong_password,
    ),
]


def sign_in_throttled(view):
    """Put a view that checks a password on the shared sign-in budget (429 past it)."""
    for limit in _SIGN_IN_BUDGET:
        view = limit(view)
    return view


# Changing one's password checks the current one: each try counts, per account, at
# the sign-in rate, so a browser left signed in cannot be used to guess it.
_PASSWORD_CHANGE_BUDGET = limiter.shared_limit(
    _setting("SIGN_IN_LIMIT"),
    scope="password-change:account",
    key_func=lambda: f"account:{current_user.id}",
    methods=["POST"],
)


def password_change_throttled(view):
    """Put a view that changes the caller's password on its budget (429 past it)."""
    return _PASSWORD_CHANGE_BUDGET(view)


_RESET_REQUEST_BUDGET = [
    limiter.shared_limit(
        _setting("SIGN_IN_LIMIT"),
        scope="reset-request:address",
        key_func=get_remote_address,
        methods=["POST"],
    ),
    limiter.shared_limit(
        _setting("SIGN_IN_LIMIT"),
        scope="reset-request:email",
        key_func=_attempted_email,
        methods=["POST"],
    ),
]


def reset_request_throttled(view):
    """Asking for a reset link by email: every request counts (each sends a mail),
    per address and per email, at the sign-in bound."""
    for limit in _RESET_REQUEST_BUDGET:
        view = limit(view)
    return view


def _headers(response):
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000"
    if request.path.startswith("/api/") or "Set-Cookie" in response.headers:
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def init_app(app) -> None:
    if app.config["BEHIND_PROXY"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)
    app.session_interface = SessionInterface()
    app.json = SafeJSONProvider(app)  # hostile JSON bodies are a 400, not a 500
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_headers)
