"""Who is asking: the bridge between Flask-Login and the account rules.

The session cookie carries only the random token of an AuthSession row; API
clients send `Authorization: Bearer <token>`. Either way the signed-in person is a
`Principal`, so the rest of the app does not care how they proved who they are.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, request, session
from flask_login import AnonymousUserMixin, UserMixin, current_user, login_user, logout_user

from server.accounts import services as accounts
from server.accounts.models import User
from server.errors import NotAuthenticated
from server.extensions import db_session, login_manager


@dataclass
class Principal(UserMixin):
    user: User
    token: str
    via: str  # "session" or "api"
    credential_id: int  # the AuthSession or ApiToken row, so it can be checked again later

    def get_id(self) -> str:
        return self.token

    @property
    def id(self) -> int:
        return self.user.id

    @property
    def display_name(self) -> str:
        return self.user.display_name


class Anonymous(AnonymousUserMixin):
    user = None
    id = None
    via = None


@login_manager.user_loader
def _load_from_cookie(token: str):
    if bearer_attempted():
        return None  # a request that names a token is judged by it alone: it skipped CSRF
    found = accounts.session_user(db_session(), token, current_app.config["SESSION_IDLE"])
    return Principal(found[1], token, "session", found[0].id) if found else None


def cookie_sign_in_token() -> str | None:
    """The sign-in token this request's session cookie carries (what Flask-Login hands
    `_load_from_cookie`), not checked yet, refused alike when a bearer token is named.
    For a socket's connect, which checks it with the batch it is recorded in
    (accounts.session_owner) rather than loading the person here and there."""
    if bearer_attempted():
        return None
    token = session.get("_user_id")
    return token if isinstance(token, str) and token else None


@login_manager.request_loader
def _load_from_header(req):
    header = req.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        return None
    token = header[7:].strip()
    found = accounts.api_token_user(db_session(), token)
    return Principal(found[1], token, "api", found[0].id) if found else None


def bearer_attempted() -> bool:
    return request.headers.get("Authorization", "").lower().startswith("bearer ")


def sign_in(user: User) -> None:
    """Start a fresh session: nothing from before sign-in survives into it."""
    session.clear()
    token, row = accounts.start_session(
        db_session(),
        user,
        current_app.config["SESSION_LIFETIME"],
        request.headers.get("User-Agent", ""),
    )
    session.permanent = True
    login_user(Principal(user, token, "session", row.id))


def sign_out() -> None:
    if current_user.is_authenticated and current_user.via == "session":
        accounts.end_session(db_session(), current_user.token)
    logout_user()
    session.clear()


def me() -> User:
    """The signed-in user, or NotAuthenticated (401 / sign-in page)."""
    if not current_user.is_authenticated:
        raise NotAuthenticated("Sign in first.")
    return current_user.user


def user_id() -> int | None:
    return current_user.user.id if current_user.is_authenticated else None


def init_app(app) -> None:
    login_manager.init_app(app)
    login_manager.anonymous_user = Anonymous
    login_manager.login_view = "web.sign_in"
    login_manager.login_message = "Sign in to see that page."
    login_manager.login_message_category = "info"
    login_manager.session_protection = None  # the AuthSession row is the protection
