"""Bodies of the publishing API (server/api/publishing.py): releases, what changed
between them, the public page and exports."""

from __future__ import annotations

from marshmallow import fields, validate

from server.api.history_schemas import PersonSchema
from server.api.schemas import Flag, Id, PieceSchema, Schema, Stamp, Text, _d
from server.publishing.services import FORMATS, MAX_NOTE

CHANGES = ["added", "removed", "moved", "changed", "unchanged"]


class ReleaseCreateSchema(Schema):
    """Publish the policy as the next numbered release."""

    note = Text(
        "A short note for readers: what this version is (optional).", MAX_NOTE, load_default=""
    )
    checkpoint_id = Id(
        "Publish the policy as it was at this checkpoint (default: as it is now).",
        allow_none=True,
        load_default=None,
    )


class ReleaseSchema(Schema):
    """A numbered, frozen release of a policy."""

    number = fields.Integer(metadata=_d("1 for v1, 2 for v2, ..."))
    label = fields.String(metadata=_d('"v1", "v2", ...'))
    policy_id = fields.Integer(metadata=_d("The policy."))
    note = fields.String(metadata=_d("The note written when it was published."))
    seq = fields.Integer(metadata=_d("The last change to the policy it includes."))
    checkpoint_id = fields.Integer(
        allow_none=True, metadata=_d("The checkpoint it was published from, if any.")
    )
    created_by = fields.Nested(PersonSchema, allow_none=True, metadata=_d("Who published it."))
    created_at = Stamp("When it was published")
    public_url = fields.String(
        allow_none=True,
        metadata=_d("Its address on the public page, when the page is public; else null."),
    )


class DocSectionSchema(Schema):
    """A section as published."""

    title = fields.String(
        metadata=_d("Its title; for a question-and-answer section, the question.")
    )
    kind = fields.String(metadata=_d("text or faq.", enum=["text", "faq"]))
    sentences = fields.List(fields.String(), metadata=_d("Its sentences, in order."))


class DocPartSchema(Schema):
    """A part as published."""

    title = fields.String(metadata=_d("Its title."))
    intro = fields.String(metadata=_d("Its introduction (may be empty)."))
    sections = fields.List(fields.Nested(DocSectionSchema), metadata=_d("Its sections."))


class GlossaryEntrySchema(Schema):
    """A term from the group's glossary."""

    term = fields.String(metadata=_d("The term."))
    explanation = fields.String(metadata=_d("What it means, in plain words."))


class RoleCountSchema(Schema):
    """How many members had one role."""

    role = fields.String(metadata=_d('The role in words, for example "Parent or carer".'))
    count = fields.Integer(metadata=_d("How many."))


class CreditsSchema(Schema):
    """Who wrote it: counts by role, and the names of members who agreed to be named."""

    roles = fields.List(fields.Nested(RoleCountSchema), metadata=_d("Counts by role."))
    names = fields.List(
        fields.String(), metadata=_d("Names of members who chose to be named; nobody else.")
    )


class DocumentSchema(Schema):
    """The policy as a document: what every export format shows."""

    title = fields.String(metadata=_d("The policy's title."))
    language = fields.String(metadata=_d('Its language (BCP 47), for example "en-GB".'))
    summary = fields.String(metadata=_d("Its summary."))
    version_label = fields.String(metadata=_d('"Version 2", or which draft it is.'))
    date = fields.String(metadata=_d("When it was published or read, in words."))
    note = fields.String(metadata=_d("The release note."))
    group_name = fields.String(metadata=_d("The group that wrote it."))
    parts = fields.List(fields.Nested(DocPartSchema), metadata=_d("Its parts, in order."))
    glossary = fields.List(
        fields.Nested(GlossaryEntrySchema), metadata=_d("The group's glossary (may be empty).")
    )
    credits = fields.Nested(CreditsSchema, metadata=_d("Who wrote it."))


class ReleaseSentenceChangeSchema(Schema):
    """A sentence in a changed section."""

    change = fields.String(metadata=_d("What happened to it.", enum=CHANGES))
    text = fields.String(metadata=_d("Its text in this release (removed: its last text)."))
    before = fields.String(allow_none=True, metadata=_d("Its text before, if it was edited."))
    pieces = fields.List(
        fields.Nested(PieceSchema),
        allow_none=True,
        metadata=_d("Word-level changes, if it was edited."),
    )


class ReleaseSectionChangeSchema(Schema):
    """A section that changed since the release before."""

    change = fields.String(metadata=_d("added, removed, moved or changed.", enum=CHANGES))
    part_title = fields.String(metadata=_d("The part it is in."))
    title = fields.String(metadata=_d("Its title."))
    title_before = fields.String(allow_none=True, metadata=_d("Its old title, if it changed."))
    summary = fields.String(metadata=_d('One plain line, like "2 sentences changed, 1 added."'))
    sentences = fields.List(
        fields.Nested(ReleaseSentenceChangeSchema),
        metadata=_d("Every sentence of the section, changed or not, in order."),
    )


class ReleaseChangesSchema(Schema):
    """What changed since the release before, section by section."""

    since = fields.String(metadata=_d('The release compared with, like "v1".'))
    sections = fields.List(
        fields.Nested(ReleaseSectionChangeSchema), metadata=_d("Changed sections.")
    )


class ReleaseDetailSchema(ReleaseSchema):
    """A release with its frozen document and what changed since the one before."""

    document = fields.Nested(DocumentSchema, metadata=_d("The policy as published."))
    changes = fields.Nested(
        ReleaseChangesSchema,
        allow_none=True,
        metadata=_d("What changed since the release before; null for v1."),
    )


class PublicPageSchema(Schema):
    """Whether the policy's published versions can be read without signing in."""

    public = fields.Boolean(metadata=_d("True when anyone with the address can read it."))
    url = fields.String(
        allow_none=True,
        metadata=_d("The address of the latest version (ends /latest); null if never public."),
    )


class PublicPageUpdateSchema(Schema):
    """Turn the public page on or off."""

    public = Flag(required=True, metadata=_d("true: public; false: hidden (410 Gone)."))


class ExportQuerySchema(Schema):
    """What to export and in which format."""

    format = fields.String(
        required=True,
        validate=validate.OneOf(FORMATS),
        metadata=_d("html, md, docx, odt or pdf.", enum=list(FORMATS)),
    )
    release = Id("A release number (default: the policy as it is now).", strict=False)
    checkpoint = Id("A checkpoint id: the policy as it was then.", strict=False)
