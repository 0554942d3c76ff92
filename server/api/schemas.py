"""Request and response bodies of the JSON API, one marshmallow schema each.

Input schemas check shape and type (unknown fields are refused: marshmallow's
RAISE); the services still check the rules (a name is not blank after cleaning, a
role exists, a password is long enough), so the same rules hold for pages and API.
Every field has a description: the OpenAPI document is built from these.
"""

from __future__ import annotations

import marshmallow as ma
from marshmallow import ValidationError, fields, validate, validates_schema

from server.accounts.models import DISPLAY_NAME_CHARS, TOKEN_NAME_CHARS
from server.groups.models import NAME_CHARS as GROUP_NAME_CHARS
from server.groups.models import Role
from server.policies.models import (
    PART_TITLE_CHARS,
    POLICY_TITLE_CHARS,
    SECTION_TITLE_CHARS,
    SectionKind,
    SectionStatus,
)

MAX_ID = 2**31 - 1  # ids are 32-bit integers in PostgreSQL
ROLES = [r.value for r in Role]
KINDS = [k.value for k in SectionKind]


class Schema(ma.Schema):
    """Takes its OpenAPI description from the class docstring."""

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls.__doc__:
            cls.Meta = type("Meta", (cls.Meta,), {"description": " ".join(cls.__doc__.split())})


def _d(text: str, **extra) -> dict:
    return {"description": text, **extra}


def Id(text: str, *, strict: bool = True, **kwargs) -> fields.Integer:  # noqa: N802
    """An id (or a number counted like one): 1 to MAX_ID. `strict=False` for a query
    string, where it arrives as text. The one rule for ids in every API body."""
    return fields.Integer(
        strict=strict, validate=validate.Range(1, MAX_ID), metadata=_d(text), **kwargs
    )


class Flag(fields.Boolean):
    """A body's true or false: JSON's `true` or `false` and nothing else. The one rule
    for yes/no fields in every API body. marshmallow's Boolean also takes "yes", 1 or
    "on", so `{"public": "yes"}` published a page where docs/api.md promises a 422
    for a field of the wrong type. (A query string's yes/no is text: fields.Boolean.)"""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, bool):
            raise self.make_error("invalid", input=value)
        return value


class PieceSchema(Schema):
    """A run of words in a word-level diff: kept, inserted or deleted."""

    op = fields.String(metadata=_d("equal, insert or delete.", enum=["equal", "insert", "delete"]))
    text = fields.String(metadata=_d("The words, spaces and punctuation included."))


def Text(
    text: str, limit: int, *, required: bool = False, blank: bool = True, **kwargs
) -> fields.String:  # noqa: N802
    """A string of at most `limit` characters (and at least one unless `blank`)."""
    return fields.String(
        required=required,
        validate=validate.Length(min=None if blank else 1, max=limit),
        metadata=_d(text),
        **kwargs,
    )


def Stamp(text: str) -> fields.DateTime:  # noqa: N802
    return fields.DateTime(metadata=_d(f"{text} (ISO 8601, UTC)."))


# --- errors ---------------------------------------------------------------------------


class ErrorBodySchema(Schema):
    """What went wrong, in words a person can act on."""

    code = fields.String(
        required=True,
        metadata=_d(
            "Stable machine-readable code: bad_request, not_authenticated, sign_in_failed, "
            "forbidden, not_found, method_not_allowed, conflict, last_facilitator, "
            "already_member, subgroup_in_use, gone, invitation_expired, invitation_used, "
            "too_large, unsupported_media_type, invalid, too_many_requests, csrf_failed, "
            "server_error; in review: too_long, empty, no_change, deleted, not_open, "
            "voting_started, decided, already_open, already_voted, vote_closed; in sessions: "
            "session_running, session_started, session_not_started, session_closed. Each "
            "endpoint's description says which it can give."
        ),
    )
    message = fields.String(required=True, metadata=_d("A plain-language explanation."))
    field_errors = fields.Dict(
        keys=fields.String(),
        data_key="fields",
        metadata=_d(
            "For invalid input: a message list per field name (`_schema` for the "
            "body as a whole). Absent otherwise."
        ),
    )


class ErrorSchema(Schema):
    """Every error under /api has this body."""

    error = fields.Nested(ErrorBodySchema, required=True)


# --- tokens and people ------------------------------------------------------------------


class TokenCreateSchema(Schema):
    """Sign in with email and password to get an API token."""

    email = Text("Email address of the account.", 254, required=True)
    password = Text("Password of the account.", 256, required=True)
    name = Text(
        "What the token is for, so you can tell your tokens apart.",
        TOKEN_NAME_CHARS,
        blank=False,
        load_default="API",
    )


class TokenSchema(Schema):
    """An API token (its secret is never shown again)."""

    id = fields.Integer(metadata=_d("Token id, for DELETE /tokens/{id}."))
    name = fields.String(metadata=_d("What the token is for."))
    prefix = fields.String(metadata=_d("The token's first characters, to recognise it."))
    created_at = Stamp("When it was made")
    last_used_at = fields.DateTime(
        allow_none=True, metadata=_d("When it was last used, to the minute (null: never).")
    )


class NewTokenSchema(TokenSchema):
    """A new API token, with its secret: shown only this once."""

    token = fields.String(
        metadata=_d("The secret. Send it as `Authorization: Bearer <token>`. Store it safely.")
    )


class UserSchema(Schema):
    """A person's account."""

    id = fields.Integer(metadata=_d("User id (used in member paths)."))
    email = fields.String(metadata=_d("Email address (lower-case)."))
    display_name = fields.String(metadata=_d("The name others see."))


class MyGroupSchema(Schema):
    """A group you belong to, with your role in it."""

    id = fields.Integer(metadata=_d("Group id."))
    name = fields.String(metadata=_d("Group name."))
    role = fields.String(metadata=_d("Your role in the group.", enum=ROLES))


class MeSchema(UserSchema):
    """You: your account and your groups."""

    credit_by_name = fields.Boolean(
        metadata=_d(
            "Whether published policies name you in their credits (off unless you "
            "agree; roles are always counted without names)."
        )
    )
    suggestions_inline = fields.Boolean(
        metadata=_d(
            "Whether section pages show open suggestions inside the text as a word diff "
            "(track changes), besides the margin."
        )
    )
    groups = fields.List(fields.Nested(MyGroupSchema), metadata=_d("Your groups, by name."))


class MeUpdateSchema(Schema):
    """What you may change about yourself here: any of these, at least one."""

    display_name = Text("Your name, as others see it.", DISPLAY_NAME_CHARS, blank=False)
    credit_by_name = Flag(
        load_default=None,
        metadata=_d("true: published policies may name you in their credits; false: never."),
    )
    suggestions_inline = Flag(
        load_default=None,
        metadata=_d("true: show open suggestions inside the section's text as a word diff."),
    )

    @validates_schema
    def _one_at_least(self, data, **kwargs):
        if not any(data.get(k) is not None for k in self.fields):
            raise ValidationError("Send display_name, credit_by_name or suggestions_inline.")


class PasswordSchema(Schema):
    """A new password."""

    password = Text("The new password: at least 10 characters.", 256, required=True)


class PasswordChangeSchema(PasswordSchema):
    """Your current password and a new one."""

    current_password = Text("Your password now.", 256, required=True)


# --- groups and members ---------------------------------------------------------------------


class GroupCreateSchema(Schema):
    """A new group; you become its first facilitator."""

    name = Text("Group name.", GROUP_NAME_CHARS, required=True, blank=False)
    description = Text("What the group is for; line breaks are kept.", 5000, load_default="")


class GroupUpdateSchema(Schema):
    """Fields to change on a group; leave out what stays the same."""

    name = Text("Group name.", GROUP_NAME_CHARS, blank=False)
    description = Text("What the group is for; line breaks are kept.", 5000)


class GroupSchema(Schema):
    """A group, as seen by one of its members."""

    id = fields.Integer(metadata=_d("Group id."))
    name = fields.String(metadata=_d("Group name."))
    description = fields.String(metadata=_d("What the group is for."))
    created_at = Stamp("When it was made")
    role = fields.String(metadata=_d("Your role in the group.", enum=ROLES))


class MemberSchema(Schema):
    """A member of a group. Roles describe people; only `facilitator` adds rights."""

    user_id = fields.Integer(metadata=_d("User id: names the member in paths."))
    display_name = fields.String(attribute="user.display_name", metadata=_d("The member's name."))
    email = fields.String(
        allow_none=True,
        metadata=_d(
            "Email address: shown to facilitators and to the member themself, null to others."
        ),
    )
    role = fields.String(metadata=_d("The member's role.", enum=ROLES))
    role_label = fields.String(
        attribute="role.label", metadata=_d('The role in words, e.g. "Parent or carer".')
    )
    joined_at = Stamp("When they joined")


class RoleSchema(Schema):
    """A member's new role."""

    role = fields.String(
        required=True, validate=validate.OneOf(ROLES), metadata=_d("The new role.", enum=ROLES)
    )


class ResetLinkSchema(Schema):
    """A single-use password reset link to hand to the member (no email is sent)."""

    user_id = fields.Integer(metadata=_d("Whose password it resets."))
    url = fields.String(metadata=_d("The page where they choose a new password."))
    token = fields.String(metadata=_d("The secret in the link, for POST /password-resets/{token}."))
    expires_at = Stamp("When the link stops working")


# --- invitations ---------------------------------------------------------------------


class InvitationCreateSchema(Schema):
    """Invite one person, by email, to join with a role."""

    email = Text("Email address of the person invited.", 254, required=True)
    role = fields.String(
        required=True,
        validate=validate.OneOf(ROLES),
        metadata=_d("The role they join with.", enum=ROLES),
    )
    display_name = Text(
        "Their name, suggested for a new account (optional).", DISPLAY_NAME_CHARS, load_default=""
    )


class InvitationSchema(Schema):
    """A pending invitation (its link is shown only when made)."""

    id = fields.Integer(metadata=_d("Invitation id, for DELETE."))
    group_id = fields.Integer(metadata=_d("The group it is for."))
    email = fields.String(metadata=_d("Who is invited."))
    display_name = fields.String(metadata=_d("Suggested name (may be empty)."))
    role = fields.String(metadata=_d("The role they join with.", enum=ROLES))
    created_at = Stamp("When it was made")
    expires_at = Stamp("When it stops working")


class NewInvitationSchema(InvitationSchema):
    """A new invitation with its single-use link: shown only this once."""

    url = fields.String(metadata=_d("The page to send to the person: /invitations/<token>."))
    token = fields.String(metadata=_d("The secret in the link."))


class GroupRefSchema(Schema):
    """A group, named."""

    id = fields.Integer(metadata=_d("Group id."))
    name = fields.String(metadata=_d("Group name."))


class PublicInvitationSchema(Schema):
    """What an invitation link offers, for whoever holds the link."""

    group = fields.Nested(GroupRefSchema, metadata=_d("The group to join."))
    email = fields.String(metadata=_d("The email address the invitation is for."))
    display_name = fields.String(metadata=_d("Suggested name (may be empty)."))
    role = fields.String(metadata=_d("The role offered.", enum=ROLES))
    expires_at = Stamp("When it stops working")


class AcceptSchema(Schema):
    """Accept an invitation. A new person chooses a name and password; someone with an
    account already gives its password (or calls with their own token)."""

    display_name = Text(
        "Your name as others will see it (default: the suggested one).",
        DISPLAY_NAME_CHARS,
        load_default="",
    )
    password = Text(
        "New account: the password to choose (at least 10 characters). "
        "Existing account: its password.",
        256,
        load_default="",
    )


class MembershipSchema(Schema):
    """A membership of a group."""

    group_id = fields.Integer(metadata=_d("The group."))
    user_id = fields.Integer(metadata=_d("The member."))
    role = fields.String(metadata=_d("Their role.", enum=ROLES))
    joined_at = Stamp("When they joined")


class AcceptedSchema(Schema):
    """Who joined which group. Get a token with POST /tokens to carry on as them."""

    user = fields.Nested(UserSchema)
    membership = fields.Nested(MembershipSchema)


# --- sub-groups -------------------------------------------------------------------------


class SubgroupCreateSchema(Schema):
    """A new sub-group (project group); names are unique in a group, ignoring case."""

    name = Text("Sub-group name.", GROUP_NAME_CHARS, required=True, blank=False)
    description = Text("What it works on.", 5000, load_default="")


class SubgroupUpdateSchema(Schema):
    """Fields to change on a sub-group; leave out what stays the same."""

    name = Text("Sub-group name.", GROUP_NAME_CHARS, blank=False)
    description = Text("What it works on.", 5000)


class SubgroupSchema(Schema):
    """A sub-group. Its members edit the text of the sections it owns."""

    id = fields.Integer(metadata=_d("Sub-group id."))
    group_id = fields.Integer(metadata=_d("The group it belongs to."))
    name = fields.String(metadata=_d("Sub-group name."))
    description = fields.String(metadata=_d("What it works on."))
    created_at = Stamp("When it was made")


class SubgroupMemberAddSchema(Schema):
    """A member of the group to add to the sub-group."""

    user_id = Id("User id of a member of the group.", required=True)


# --- policies and their text ---------------------------------------------------------------


class SentenceSchema(Schema):
    """One sentence: the unit of editing, commenting and history."""

    id = fields.Integer(metadata=_d("Sentence id."))
    text = fields.String(metadata=_d("The sentence, as plain text (markup is literal)."))
    version = fields.Integer(metadata=_d("Rises by one on every change to the text."))
    position = fields.String(metadata=_d("Ordering key: sentences sort by it (bytewise)."))


class SubgroupRefSchema(Schema):
    """A sub-group, named."""

    id = fields.Integer(metadata=_d("Sub-group id."))
    name = fields.String(metadata=_d("Sub-group name."))


class SectionSchema(Schema):
    """A section of a part, owned by a sub-group, with its sentences in order."""

    id = fields.Integer(metadata=_d("Section id."))
    policy_id = fields.Integer(metadata=_d("The policy."))
    part_id = fields.Integer(metadata=_d("The part it is in."))
    title = fields.String(metadata=_d("Title; for an FAQ section, the question."))
    kind = fields.String(
        metadata=_d("text, or faq (title is a question, sentences its answer).", enum=KINDS)
    )
    status = fields.String(
        metadata=_d("Where it is in review.", enum=[s.value for s in SectionStatus])
    )
    position = fields.String(metadata=_d("Ordering key within the part."))
    subgroup_id = fields.Integer(metadata=_d("The owning sub-group's id."))
    subgroup = fields.Nested(
        SubgroupRefSchema, metadata=_d("The owning sub-group: its members edit the text.")
    )
    created_at = Stamp("When it was made")
    sentences = fields.List(fields.Nested(SentenceSchema), metadata=_d("Its sentences, in order."))


class PartSchema(Schema):
    """A part of a policy, with its sections in order."""

    id = fields.Integer(metadata=_d("Part id."))
    policy_id = fields.Integer(metadata=_d("The policy."))
    title = fields.String(metadata=_d("Part title."))
    intro = fields.String(metadata=_d("Introduction; line breaks are kept."))
    position = fields.String(metadata=_d("Ordering key within the policy."))
    created_at = Stamp("When it was made")
    sections = fields.List(fields.Nested(SectionSchema), metadata=_d("Its sections, in order."))


class PolicySummarySchema(Schema):
    """A policy, without its text."""

    id = fields.Integer(metadata=_d("Policy id."))
    group_id = fields.Integer(metadata=_d("The group drafting it."))
    title = fields.String(metadata=_d("Title."))
    summary = fields.String(metadata=_d("Summary; line breaks are kept."))
    created_at = Stamp("When it was made")


class PolicySchema(PolicySummarySchema):
    """A whole policy: parts, their sections, and their sentences, in order."""

    parts = fields.List(fields.Nested(PartSchema), metadata=_d("Its parts, in order."))


class PolicyCreateSchema(Schema):
    """A new policy, optionally with the titles of its first parts."""

    title = Text("Title.", POLICY_TITLE_CHARS, required=True, blank=False)
    summary = Text("Summary; line breaks are kept.", 5000, load_default="")
    parts = fields.List(
        fields.String(validate=validate.Length(1, 200)),
        validate=validate.Length(max=50),
        load_default=list,
        metadata=_d("Titles of the parts to start with, in order."),
    )


class PolicyUpdateSchema(Schema):
    """Fields to change on a policy; leave out what stays the same."""

    title = Text("Title.", POLICY_TITLE_CHARS, blank=False)
    summary = Text("Summary; line breaks are kept.", 5000)


class PartCreateSchema(Schema):
    """A new part of a policy."""

    title = Text("Part title.", PART_TITLE_CHARS, required=True, blank=False)
    intro = Text("Introduction; line breaks are kept.", 5000, load_default="")
    after_part_id = Id(
        "Put it after this part (absent or null: at the end).", allow_none=True, load_default=None
    )


class PartUpdateSchema(Schema):
    """Fields to change on a part; leave out what stays the same."""

    title = Text("Part title.", PART_TITLE_CHARS, blank=False)
    intro = Text("Introduction; line breaks are kept.", 5000)


class SectionCreateSchema(Schema):
    """A new section. Pasted text is split into sentences (abbreviations such as
    "e.g." and "Mr.", decimals and quotations are understood)."""

    title = Text(
        "Title; for an FAQ section, the question.", SECTION_TITLE_CHARS, required=True, blank=False
    )
    kind = fields.String(
        load_default="text",
        validate=validate.OneOf(KINDS),
        metadata=_d("text (default) or faq.", enum=KINDS),
    )
    subgroup_id = Id("The sub-group that will own it (its members edit the text).", required=True)
    text = Text("Text to start with; it is split into sentences.", 100_000, load_default="")
    after_section_id = Id(
        "Put it after this section of the part (absent or null: at the end).",
        allow_none=True,
        load_default=None,
    )


class SectionUpdateSchema(Schema):
    """Fields to change on a section; leave out what stays the same."""

    title = Text("Title; for an FAQ section, the question.", SECTION_TITLE_CHARS, blank=False)
    subgroup_id = Id("Hand the section to this sub-group.")


class SentencesCreateSchema(Schema):
    """Text to add to a section; it is split into sentences."""

    text = Text("The text to add.", 100_000, required=True, blank=False)
    after_sentence_id = Id(
        "Insert after this sentence (absent or null: at the end).",
        allow_none=True,
        load_default=None,
    )
