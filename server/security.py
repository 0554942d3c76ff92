"""Browser-facing protections: CSRF, security headers and cookie flags."""

from __future__ import annotations

from flask import request, session
from flask.sessions import SecureCookieSessionInterface
from werkzeug.middleware.proxy_fix import ProxyFix

from server.auth import bearer_attempted
from server.extensions import csrf

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
    csrf.init_app(app)
    app.before_request(_check_csrf)
    app.after_request(_headers)
