"""Signing in as a program (API tokens), who you are, and using a password reset link."""

from __future__ import annotations

from server import auth
from server.accounts import services as accounts
from server.api.common import ID, PUBLIC, ApiBlueprint, Loaded, db
from server.api.schemas import (
    MeSchema,
    MeUpdateSchema,
    NewTokenSchema,
    PasswordChangeSchema,
    PasswordSchema,
    TokenCreateSchema,
    TokenSchema,
)
from server.groups.services import groups_of
from server.security import password_change_throttled, sign_in_throttled

tokens = ApiBlueprint(
    "Tokens", "API tokens: how a program signs in. Send a token as `Authorization: Bearer <token>`."
)
account = ApiBlueprint("Account", "You, and setting a password with a reset link.")


@tokens.route("/tokens", methods=["POST"])
@sign_in_throttled
@tokens.arguments(TokenCreateSchema)
@tokens.response(201, NewTokenSchema)
@tokens.errors(401, 429)
@tokens.doc(**PUBLIC)
def create_token(body):
    """Sign in with email and password and get a new API token

    The token is in the reply only this once. A wrong email or password gives the
    same 401 (code `sign_in_failed`), so it does not tell which was wrong. Wrong
    passwords are limited, together with those typed into the sign-in page: per
    address and email, per address, and per email (429 when exceeded).
    """
    user = accounts.authenticate(db(), body["email"], body["password"])
    token, row = accounts.create_api_token(db(), user, body["name"])
    return Loaded(row, token=token)


@tokens.route("/tokens", methods=["GET"])
@tokens.response(200, TokenSchema(many=True))
@tokens.errors(401)
def list_tokens():
    """List your API tokens that still work"""
    return accounts.list_api_tokens(db(), auth.me())


@tokens.route(f"/tokens/<{ID}:token_id>", methods=["DELETE"])
@tokens.response(204)
@tokens.errors(401, 404)
def revoke_token(token_id):
    """Revoke one of your API tokens; it stops working at once"""
    accounts.revoke_api_token(db(), auth.me(), token_id)


@account.route("/me", methods=["GET"])
@account.response(200, MeSchema)
@account.errors(401)
def get_me():
    """Show who you are signed in as, and your groups with your role in each"""
    return _me(auth.me())


def _me(user):
    mine = [Loaded(group, role=membership.role) for group, membership in groups_of(db(), user.id)]
    return Loaded(user, groups=mine)


@account.route("/me", methods=["PATCH"])
@account.arguments(MeUpdateSchema)
@account.response(200, MeSchema)
@account.errors(400, 401, 413, 415, 422)
def update_me(body):
    """Change your name, your name in published policies, or how suggestions show

    `display_name`: the name others see (1 to 80 characters after cleaning).
    `credit_by_name`: agree (or stop agreeing) to be named in the credits of
    published policies; turning it off also takes your name out of releases
    already published. `suggestions_inline`: show open suggestions inside a
    section's text as a word diff. Any of them; a field left out stays.
    """
    user = auth.me()
    if body.get("display_name") is not None:
        accounts.rename(db(), user, body["display_name"])
    if body["credit_by_name"] is not None:
        accounts.set_credit_by_name(db(), user, body["credit_by_name"])
    if body["suggestions_inline"] is not None:
        accounts.set_suggestions_inline(db(), user, body["suggestions_inline"])
    return _me(user)


@account.route("/me/password", methods=["POST"])
@password_change_throttled
@account.arguments(PasswordChangeSchema)
@account.response(204)
@account.errors(400, 401, 413, 415, 422, 429)
def change_my_password(body):
    """Change your password, giving the current one

    A wrong current password is 422 with `fields.current_password`, and changes
    nothing; a new one too short is 422 with `fields.password`. Every try counts
    against the sign-in rate for your account (429 past it). Once changed, every
    sign-in of yours ends: browser sessions and API tokens, the one that sent this
    too. Sign in again (POST /tokens) for a new token.
    """
    accounts.change_password(db(), auth.me(), body["current_password"], body["password"])


@account.route("/password-resets/<string(maxlength=100):token>", methods=["POST"])
@account.arguments(PasswordSchema)
@account.response(204)
@account.errors(404, 410)
@account.doc(**PUBLIC)
def use_password_reset(body, token):
    """Choose a new password with a reset link's token

    The token comes from the link a facilitator made (POST
    /groups/{group_id}/members/{user_id}/password-reset). It works once; every
    browser sign-in of that person ends. Used or expired: 410; unknown: 404.
    """
    accounts.use_password_reset(db(), token, body["password"])
