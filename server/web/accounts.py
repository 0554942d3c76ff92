"""Pages for signing in and out, password reset links and the account page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_limiter.util import get_remote_address
from flask_login import current_user

from server import auth
from server.accounts import services as accounts
from server.errors import DomainError, Gone, NotFound
from server.extensions import limiter
from server.web.blueprint import bp
from server.web.forms import PASSWORD_HINT, ApiTokenForm, NewPasswordForm, SignInForm
from server.web.helpers import (
    attach,
    db,
    form_failed,
    invalid,
    safe_next,
    show_once,
    take_once,
)
from server.web.publishing import forget_public_pages


def _sign_in_limit() -> str:
    return current_app.config["SIGN_IN_LIMIT"]


def _email_key() -> str:
    """Count attempts per submitted email too, so spreading guesses for one account
    over many addresses does not help."""
    return "email:" + (request.form.get("email") or "").strip().lower()


@bp.route("/sign-in", methods=["GET", "POST"])
@limiter.limit(_sign_in_limit, methods=["POST"], key_func=get_remote_address)
@limiter.limit(_sign_in_limit, methods=["POST"], key_func=_email_key)
def sign_in():
    target = safe_next(request.values.get("next"))
    if current_user.is_authenticated and request.method == "GET":
        return redirect(target or url_for("web.home"))
    form = SignInForm(next=target or "")
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("accounts/sign_in.html", form)
        return render_template("accounts/sign_in.html", form=form)
    try:
        user = accounts.authenticate(db(), form.email.data, form.password.data)
    except DomainError as exc:
        return form_failed("accounts/sign_in.html", form, exc)
    auth.sign_in(user)
    flash(f"You are signed in as {user.display_name}.", "success")
    return redirect(target or url_for("web.home"))


@bp.post("/sign-out")
def sign_out():
    auth.sign_out()
    flash("You have signed out.", "success")
    return redirect(safe_next(request.form.get("next")) or url_for("web.sign_in"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    try:
        reset = accounts.live_password_reset(db(), token)
    except (NotFound, Gone) as exc:
        return render_template(
            "link_unavailable.html", message=exc.message, what="password reset link"
        ), exc.status
    form = NewPasswordForm()
    context = {"account": reset.user, "password_hint": PASSWORD_HINT}
    if not form.validate_on_submit():
        if form.is_submitted():
            return invalid("accounts/reset.html", form, **context)
        return render_template("accounts/reset.html", form=form, **context)
    try:
        user = accounts.use_password_reset(db(), token, form.password.data)
    except DomainError as exc:
        return form_failed("accounts/reset.html", form, exc, **context)
    auth.sign_in(user)
    flash("Your new password is saved and you are signed in.", "success")
    return redirect(url_for("web.home"))


# --- account ---------------------------------------------------------------------------


def _account_page(form: ApiTokenForm, status: int = 200):
    user = auth.me()
    return render_template(
        "accounts/account.html",
        form=form,
        user=user,
        tokens=accounts.list_api_tokens(db(), user),
        new_token=take_once("api_token"),
    ), status


@bp.get("/account")
def account():
    auth.me()
    return _account_page(ApiTokenForm(formdata=None))


@bp.post("/account/tokens")
def create_api_token():
    user = auth.me()
    form = ApiTokenForm()
    if not form.validate():
        return _account_page(form, 422)
    try:
        token, row = accounts.create_api_token(db(), user, form.name.data)
    except DomainError as exc:
        attach(form, exc)
        return _account_page(form, exc.status)
    show_once("api_token", token=token, name=row.name)
    return redirect(url_for("web.account", _anchor="new-token"))


@bp.post("/account/credit")
def set_credit():
    user = auth.me()
    named = request.form.get("credit_by_name") == "on"
    accounts.set_credit_by_name(db(), user, named)
    forget_public_pages()  # public pages show the names of people who agree
    flash(
        "Published policies will name you in their credits."
        if named
        else "Published policies will not name you; your role is still counted.",
        "success",
    )
    return redirect(url_for("web.account", _anchor="credit"))


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    user = auth.me()
    accounts.revoke_api_token(db(), user, token_id)
    flash("The token is revoked. Programs using it can no longer sign in with it.", "success")
    return redirect(url_for("web.account"))
