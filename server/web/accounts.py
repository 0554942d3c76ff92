"""Pages for signing in and out, password reset links and the account page."""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from wtforms import EmailField

from server import auth, jobs
from server.accounts import services as accounts
from server.errors import DomainError, Gone, NotFound
from server.notifications.password_reset import request_reset
from server.security import (
    password_change_throttled,
    reset_request_throttled,
    sign_in_throttled,
)
from server.web.blueprint import bp
from server.web.forms import (
    PASSWORD_HINT,
    ApiTokenForm,
    ChangePasswordForm,
    Form,
    NameForm,
    NewPasswordForm,
    SignInForm,
    _required,
    _strip,
)
from server.web.helpers import (
    attach,
    db,
    form_failed,
    invalid,
    safe_next,
    shown_once,
)


@bp.route("/sign-in", methods=["GET", "POST"])
@sign_in_throttled
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


@bp.get("/login")
@bp.get("/signin")
def sign_in_elsewhere():
    """Where people (and password managers) guess the sign-in page is."""
    target = safe_next(request.args.get("next"))
    return redirect(url_for("web.sign_in", next=target) if target else url_for("web.sign_in"))


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


class ForgotPasswordForm(Form):
    email = EmailField(
        "Email address", filters=[_strip], validators=_required("Enter your email address.")
    )


@bp.route("/forgot-password", methods=["GET", "POST"])
@reset_request_throttled
def forgot_password():
    """Email a reset link (when this server sends email). The answer is the same
    whether or not the address has an account."""
    mail_on = current_app.config.get("MAIL") is not None
    form = ForgotPasswordForm()
    if not mail_on or not form.validate_on_submit():
        if mail_on and form.is_submitted():
            return invalid("accounts/forgot.html", form, mail_on=mail_on)
        return render_template("accounts/forgot.html", form=form, mail_on=mail_on)
    request_reset(
        db(),
        form.email.data,
        jobs.delivery_from(current_app.config),
        current_app.config["RESET_LIFETIME"],
    )
    return render_template("accounts/forgot_sent.html", email=form.email.data)


# --- account ---------------------------------------------------------------------------


def _account_page(
    form: ApiTokenForm | None = None,
    status: int = 200,
    new_token: dict | None = None,
    *,
    name_form: NameForm | None = None,
    password_form: ChangePasswordForm | None = None,
):
    """The account page; the form that was sent, with its errors, replaces its
    empty one."""
    user = auth.me()
    return shown_once(
        "accounts/account.html",
        status,
        form=form or ApiTokenForm(formdata=None),
        name_form=name_form or NameForm(formdata=None, name=user.display_name),
        password_form=password_form or ChangePasswordForm(formdata=None),
        user=user,
        password_hint=PASSWORD_HINT,
        tokens=accounts.list_api_tokens(db(), user),
        new_token=new_token,
    )


@bp.get("/account")
def account():
    auth.me()
    return _account_page()


@bp.post("/account/name")
def change_name():
    user = auth.me()
    form = NameForm()
    if not form.validate():
        return _account_page(status=422, name_form=form)
    try:
        accounts.rename(db(), user, form.name.data)
    except DomainError as exc:
        attach(form, exc, {"display_name": "name"})
        return _account_page(status=exc.status, name_form=form)
    flash(f"Your name is now {user.display_name}.", "success")
    return redirect(url_for("web.account"))


@bp.post("/account/password")
@password_change_throttled
def change_password():
    """A new password ends every sign-in, this one too (accounts.change_password);
    this browser is signed in again at once, so only the others are signed out."""
    user = auth.me()
    form = ChangePasswordForm()
    if not form.validate():
        return _account_page(status=422, password_form=form)
    try:
        accounts.change_password(db(), user, form.current_password.data, form.password.data)
    except DomainError as exc:
        attach(form, exc)
        return _account_page(status=exc.status, password_form=form)
    auth.sign_in(user)
    flash(
        "Your password is changed. Anywhere else you were signed in, you are signed out, "
        "and your API tokens no longer work.",
        "success",
    )
    return redirect(url_for("web.account"))


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
    # Shown in this reply only (see shown_once): a reload asks before posting again.
    return _account_page(
        ApiTokenForm(formdata=None), 201, new_token={"token": token, "name": row.name}
    )


@bp.post("/account/credit")
def set_credit():
    user = auth.me()
    named = request.form.get("credit_by_name") == "on"
    accounts.set_credit_by_name(db(), user, named)
    flash(
        "Published policies will name you in their credits."
        if named
        else "Published policies will not name you; your role is still counted.",
        "success",
    )
    return redirect(url_for("web.account", _anchor="credit"))


@bp.post("/account/suggestions-view")
def set_suggestions_view():
    """Show open suggestions inside a section's text as word diffs, or not; from
    the account page or a section page (`next`)."""
    inline = request.form.get("suggestions_inline") == "on"
    accounts.set_suggestions_inline(db(), auth.me(), inline)
    flash(
        "Section pages show open suggestions in the text."
        if inline
        else "Section pages show suggestions in the margin only.",
        "success",
    )
    return redirect(safe_next(request.form.get("next")) or url_for("web.account", _anchor="view"))


@bp.post("/account/tokens/<int:token_id>/revoke")
def revoke_api_token(token_id: int):
    user = auth.me()
    accounts.revoke_api_token(db(), user, token_id)
    flash("The token is revoked. Programs using it can no longer sign in with it.", "success")
    return redirect(url_for("web.account"))
