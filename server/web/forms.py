"""The page forms. They check only what a form can know (something was entered,
the two passwords match, a choice is one of the options); the services check the
rest and their errors are shown on the same form (helpers.attach)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    EmailField,
    HiddenField,
    PasswordField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, EqualTo, InputRequired, Length, StopValidation

from server.accounts.models import DISPLAY_NAME_CHARS, TOKEN_NAME_CHARS
from server.accounts.passwords import MAX_LENGTH, MIN_LENGTH
from server.groups.models import NAME_CHARS as GROUP_NAME_CHARS
from server.groups.models import ROLE_LABELS, Role
from server.policies.models import (
    PART_TITLE_CHARS,
    POLICY_TITLE_CHARS,
    SECTION_TITLE_CHARS,
    SectionKind,
)

ROLE_CHOICES = [(r.value, ROLE_LABELS[r]) for r in Role]
ROLE_HINTS = {
    Role.FACILITATOR.value: "Can also invite people, change roles and set up sub-groups "
    "and policies.",
}
KIND_CHOICES = [
    (SectionKind.TEXT.value, "Text"),
    (SectionKind.FAQ.value, "Question and answer (FAQ)"),
]
DEFAULT_PARTS = "Frequently asked questions\nAdministration, roles and processes"
PASSWORD_HINT = f"At least {MIN_LENGTH} characters. A few words you will remember works well."


class Form(FlaskForm):
    """Every POST is already CSRF-checked before any view runs (server/security.py),
    and templates add the token with the csrf_field() macro, so the form itself
    does not check it a second time."""

    class Meta:
        csrf = False


class WhenField(DateTimeLocalField):
    """A date and time box (the browser's own picker). A half-typed date is named in
    plain words, not WTForms' "Not a valid datetime value."."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raw = valuelist[0] if valuelist else ""
            if len(raw.split("-")[0]) > 4:  # the browser's year box takes six digits
                raise ValueError("Enter a year with 4 digits, for example 2026.") from None
            raise ValueError(
                "Enter the whole date and time: the day, month and year, and the hour and minutes."
            ) from None


class RadioChoice(StringField):
    """One value from a fixed list of (value, label) options, shown as radio buttons
    (macros.radios), with a plain message when nothing valid was chosen."""

    def __init__(
        self,
        label=None,
        validators=None,
        *,
        choices=(),
        message="Choose one.",
        optional=False,
        **kwargs,
    ):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)
        self.message = message
        self.optional = optional  # nothing sent: None (the caller keeps what it had)

    def pre_validate(self, form):
        if self.optional and not self.data:
            self.data = None
            return
        if self.data not in {str(value) for value, _label in self.choices}:
            raise StopValidation(self.message)


class MenuChoice(RadioChoice):
    """The same, shown as a drop-down menu (macros.select)."""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _required(message: str):
    return [DataRequired(message)]


def at_most(chars: int) -> Length:
    """A field's limit, from the constant the model and the service use."""
    return Length(max=chars, message=f"Use at most {chars} characters.")


def _password(label: str = "Password"):
    return PasswordField(
        label,
        validators=[
            InputRequired("Choose a password."),
            Length(
                min=MIN_LENGTH, max=MAX_LENGTH, message=f"Use at least {MIN_LENGTH} characters."
            ),
        ],
    )


def _confirm():
    return PasswordField(
        "Type the password again",
        validators=[
            InputRequired("Type the password again."),
            EqualTo("password", "The two passwords are different. Type them again."),
        ],
    )


# --- accounts --------------------------------------------------------------------------


class SignInForm(Form):
    email = EmailField(
        "Email address", filters=[_strip], validators=_required("Enter your email address.")
    )
    password = PasswordField("Password", validators=_required("Enter your password."))
    next = HiddenField()


class NewPasswordForm(Form):
    password = _password("New password")
    confirm = _confirm()


class ChangePasswordForm(Form):
    current_password = PasswordField(
        "Your current password", validators=_required("Enter your current password.")
    )
    password = _password("New password")
    confirm = _confirm()


# The account page holds several forms: each field's id is its own there (two
# `name` fields and the headings made labels point at the wrong place).
class NameForm(Form):
    name = StringField(
        "Your name",
        id="display-name",
        filters=[_strip],
        validators=[*_required("Enter your name."), at_most(DISPLAY_NAME_CHARS)],
    )


class ApiTokenForm(Form):
    name = StringField(
        "What is it for?",
        id="token-name",
        filters=[_strip],
        validators=[
            *_required("Give the token a name."),
            at_most(TOKEN_NAME_CHARS),
        ],
    )


# --- invitations -----------------------------------------------------------------------


class JoinAsNewForm(Form):
    display_name = StringField(
        "Your name",
        filters=[_strip],
        validators=[
            *_required("Enter the name other members will see."),
            at_most(DISPLAY_NAME_CHARS),
        ],
    )
    password = _password()
    confirm = _confirm()


class JoinWithPasswordForm(Form):
    password = PasswordField("Password", validators=_required("Enter your password."))


class JoinSignedInForm(Form):
    pass


# --- groups ----------------------------------------------------------------------------


class GroupForm(Form):
    name = StringField(
        "Name of the group",
        filters=[_strip],
        validators=[
            *_required("Enter a name for the group."),
            at_most(GROUP_NAME_CHARS),
        ],
    )
    description = TextAreaField("What the group is working on (optional)", filters=[_strip])


class InviteForm(Form):
    email = EmailField(
        "Their email address",
        filters=[_strip],
        validators=_required("Enter the email address of the person to invite."),
    )
    role = RadioChoice(
        "Their role in the group",
        choices=ROLE_CHOICES,
        message="Choose the role that describes them.",
    )
    display_name = StringField(
        "Their name (optional)",
        filters=[_strip],
        validators=[at_most(DISPLAY_NAME_CHARS)],
    )


class RoleForm(Form):
    role = MenuChoice("Role", choices=ROLE_CHOICES, message="Choose a role.")


class SubgroupForm(Form):
    name = StringField(
        "Name",
        filters=[_strip],
        validators=[
            *_required("Enter a name for the sub-group."),
            at_most(GROUP_NAME_CHARS),
        ],
    )
    description = TextAreaField("What it works on (optional)", filters=[_strip])


class SubgroupMemberForm(Form):
    user_id = MenuChoice("Member", message="Choose a member to add.")


# --- policies --------------------------------------------------------------------------


class PolicyForm(Form):
    title = StringField(
        "Title of the policy",
        filters=[_strip],
        validators=[
            *_required("Enter a title for the policy."),
            at_most(POLICY_TITLE_CHARS),
        ],
    )
    summary = TextAreaField("Summary (optional)", filters=[_strip])
    part_titles = TextAreaField("Parts, one per line", filters=[_strip], default=DEFAULT_PARTS)

    def part_list(self) -> list[str]:
        return [line.strip() for line in (self.part_titles.data or "").splitlines() if line.strip()]


class PartForm(Form):
    title = StringField(
        "Title of the part",
        filters=[_strip],
        validators=[
            *_required("Enter a title for the part."),
            at_most(PART_TITLE_CHARS),
        ],
    )


class SectionForm(Form):
    title = StringField(
        "Title or question",
        filters=[_strip],
        validators=[
            *_required("Enter a title, or the question for a question and answer."),
            at_most(SECTION_TITLE_CHARS),
        ],
    )
    kind = RadioChoice(
        "What kind of section is it?",
        choices=KIND_CHOICES,
        default="text",
        message="Choose text, or question and answer.",
    )
    subgroup_id = MenuChoice(
        "Which sub-group writes it?", message="Choose the sub-group that will write this section."
    )
    text = TextAreaField("Paste the text; it will be split into sentences", filters=[_strip])


class AddTextForm(Form):
    text = TextAreaField(
        "Paste more text; it will be split into sentences",
        filters=[_strip],
        validators=_required("Paste some text to add."),
    )
