"""Bodies of the history API (server/api/history.py): checkpoints, the policy at
a point, diffs, timelines, restores and attribution."""

from __future__ import annotations

from marshmallow import fields, validate

from server.api.schemas import KINDS, Id, PieceSchema, Schema, Stamp, Text, _d
from server.history.models import CHECKPOINT_NAME_CHARS

POINT = (
    "A point in history: `now`, `seq:N` (right after change N), `checkpoint:ID`, or "
    "`time:2026-11-23T10:00:00Z` (the last change made at or before that moment)."
)
CHANGES = ["added", "removed", "moved", "changed", "unchanged"]


class PersonSchema(Schema):
    """Someone, by name."""

    id = fields.Integer(metadata=_d("User id."))
    name = fields.String(attribute="display_name", metadata=_d("Their name."))


class CheckpointSchema(Schema):
    """A named point in a policy's history."""

    id = fields.Integer(metadata=_d("Checkpoint id."))
    policy_id = fields.Integer(metadata=_d("The policy."))
    name = fields.String(metadata=_d('Its name, for example "Draft for session 3".'))
    seq = fields.Integer(metadata=_d("The last change it includes."))
    point = fields.Function(
        lambda c: f"checkpoint:{c.id}", metadata=_d("How to name it as a point in history.")
    )
    created_by = fields.Nested(
        PersonSchema, allow_none=True, metadata=_d("Who made it (null: made automatically).")
    )
    created_at = Stamp("When it was made")
    session_id = fields.Integer(
        allow_none=True, metadata=_d("The whole-group session that made it, if one did.")
    )


class CheckpointCreateSchema(Schema):
    """A new checkpoint of the policy as it is now."""

    name = Text(
        'Its name, for example "Draft for session 3".',
        CHECKPOINT_NAME_CHARS,
        required=True,
        blank=False,
    )


class CheckpointUpdateSchema(Schema):
    """A checkpoint's new name."""

    name = Text("The new name.", CHECKPOINT_NAME_CHARS, required=True, blank=False)


class PointQuerySchema(Schema):
    """Which point to read."""

    point = fields.String(
        load_default="now", validate=validate.Length(max=60), metadata=_d(POINT + " Default: now.")
    )


class DiffQuerySchema(Schema):
    """Which two points to compare."""

    from_ = fields.String(
        required=True,
        data_key="from",
        validate=validate.Length(max=60),
        metadata=_d("The earlier point. " + POINT),
    )
    to = fields.String(
        load_default="now",
        validate=validate.Length(max=60),
        metadata=_d("The later point (default: now)."),
    )
    section_id = Id("Only this section.", strict=False)
    unchanged = fields.Boolean(
        load_default=False, metadata=_d("Also list sections that did not change.")
    )


class TimelineQuerySchema(Schema):
    """Which revisions to list."""

    member = Id("Only changes by this person (a user id).", strict=False)
    before = Id("For the next (older) page: `next_before` from the previous page.", strict=False)
    limit = fields.Integer(
        strict=False,
        load_default=50,
        validate=validate.Range(1, 200),
        metadata=_d("How many revisions per page (at most 200)."),
    )


class PointSchema(Schema):
    """A resolved point in history."""

    spec = fields.String(metadata=_d("The point, written as the API takes it."))
    seq = fields.Integer(metadata=_d("The last change included."))
    label = fields.String(metadata=_d("The point in words."))
    checkpoint_id = fields.Function(
        lambda p: p.checkpoint.id if p.checkpoint else None,
        metadata=_d("The checkpoint, if it is one."),
    )


class SentenceAtSchema(Schema):
    """A sentence as it was."""

    id = fields.Integer(metadata=_d("Sentence id."))
    text = fields.String(metadata=_d("Its text then."))
    version = fields.Integer(metadata=_d("Its version then."))
    position = fields.String(metadata=_d("Ordering key."))


class SectionAtSchema(Schema):
    """A section as it was."""

    id = fields.Integer(metadata=_d("Section id."))
    part_id = fields.Integer(metadata=_d("The part it was in."))
    title = fields.String(metadata=_d("Its title then."))
    kind = fields.String(metadata=_d("text or faq.", enum=KINDS))
    status = fields.String(metadata=_d("Its review status then."))
    subgroup_id = fields.Integer(metadata=_d("The owning sub-group then."))
    subgroup_name = fields.String(metadata=_d("That sub-group's name now."))
    position = fields.String(metadata=_d("Ordering key."))
    sentences = fields.List(fields.Nested(SentenceAtSchema), metadata=_d("Its sentences."))


class PartAtSchema(Schema):
    """A part as it was."""

    id = fields.Integer(metadata=_d("Part id."))
    title = fields.String(metadata=_d("Its title then."))
    intro = fields.String(metadata=_d("Its introduction then."))
    position = fields.String(metadata=_d("Ordering key."))
    sections = fields.List(fields.Nested(SectionAtSchema), metadata=_d("Its sections."))


class PolicyAtSchema(Schema):
    """A whole policy as it was at a point in history."""

    policy_id = fields.Integer(metadata=_d("The policy."))
    point = fields.Nested(PointSchema, metadata=_d("The point read."))
    parts = fields.List(fields.Nested(PartAtSchema), metadata=_d("Parts, in order."))


class SentenceDiffSchema(Schema):
    """One sentence in a diff."""

    id = fields.Integer(metadata=_d("Sentence id."))
    change = fields.String(metadata=_d("What happened to it.", enum=CHANGES))
    moved = fields.Boolean(metadata=_d("Its place among the others changed."))
    text = fields.String(metadata=_d("Its text at the later point (removed: at the earlier)."))
    before = fields.String(
        allow_none=True, metadata=_d("Its text at the earlier point, if the text changed.")
    )
    pieces = fields.List(
        fields.Nested(PieceSchema),
        allow_none=True,
        metadata=_d("Word-level changes, if the text changed."),
    )


class SectionDiffSchema(Schema):
    """One section in a diff."""

    id = fields.Integer(metadata=_d("Section id."))
    change = fields.String(metadata=_d("What happened to it.", enum=CHANGES))
    part_id = fields.Integer(metadata=_d("Its part."))
    part_title = fields.String(metadata=_d("That part's title."))
    title = fields.String(metadata=_d("Its title (at the later point if it still exists)."))
    title_before = fields.String(allow_none=True, metadata=_d("Its earlier title, if renamed."))
    kind = fields.String(metadata=_d("text or faq.", enum=KINDS))
    text_changed = fields.Boolean(metadata=_d("Any sentence was added, removed, moved or changed."))
    sentences = fields.List(
        fields.Nested(SentenceDiffSchema), metadata=_d("Its sentences, in reading order.")
    )


class DiffSummarySchema(Schema):
    """How many things changed."""

    sections_added = fields.Integer(metadata=_d("Sections added."))
    sections_removed = fields.Integer(metadata=_d("Sections removed."))
    sections_moved = fields.Integer(metadata=_d("Sections moved (to another place or part)."))
    sections_changed = fields.Integer(metadata=_d("Sections retitled, or whose text changed."))
    sentences_added = fields.Integer(metadata=_d("Sentences added."))
    sentences_removed = fields.Integer(metadata=_d("Sentences removed."))
    sentences_moved = fields.Integer(metadata=_d("Sentences moved within their section."))
    sentences_changed = fields.Integer(metadata=_d("Sentences whose text changed."))


class DiffSchema(Schema):
    """What changed between two points."""

    from_ = fields.Nested(PointSchema, data_key="from", metadata=_d("The earlier point."))
    to = fields.Nested(PointSchema, metadata=_d("The later point."))
    summary = fields.Nested(DiffSummarySchema, metadata=_d("Counts."))
    sections = fields.List(
        fields.Nested(SectionDiffSchema), metadata=_d("Sections that changed, in reading order.")
    )


class RevisionSchema(Schema):
    """A revision: one change, or a run of typing by one person in one sentence."""

    id = fields.Integer(metadata=_d("Revision id."))
    kind = fields.String(metadata=_d("The kind of change (the op kinds of docs/protocol.md)."))
    cause = fields.String(
        allow_none=True, metadata=_d("Why, when nobody typed it: restore, or proposal:ID.")
    )
    summary = fields.String(metadata=_d("What happened, in words."))
    author = fields.Nested(PersonSchema, allow_none=True, metadata=_d("Who."))
    part_id = fields.Integer(allow_none=True, metadata=_d("The part, for part changes."))
    section_id = fields.Integer(allow_none=True, metadata=_d("The section."))
    section_title = fields.String(allow_none=True, metadata=_d("Its title (now)."))
    part_title = fields.String(
        allow_none=True, metadata=_d("The part's title (now), for part changes.")
    )
    sentence_id = fields.Integer(allow_none=True, metadata=_d("The sentence."))
    other_sentence_id = fields.Integer(
        allow_none=True,
        metadata=_d("split: the new second half; merge: the sentence joined into sentence_id."),
    )
    first_seq = fields.Integer(metadata=_d("Its first change."))
    last_seq = fields.Integer(metadata=_d("Its last change."))
    op_count = fields.Integer(metadata=_d("How many changes it groups."))
    from_version = fields.Integer(allow_none=True, metadata=_d("Sentence version before."))
    to_version = fields.Integer(allow_none=True, metadata=_d("Sentence version after."))
    started_at = Stamp("Its first change")
    ended_at = Stamp("Its last change")
    before = fields.String(allow_none=True, metadata=_d("The sentence's text before."))
    after = fields.String(allow_none=True, metadata=_d("The sentence's text after."))
    pieces = fields.List(fields.Nested(PieceSchema), metadata=_d("Word-level changes."))


class TimelineSchema(Schema):
    """A page of revisions, newest first."""

    revisions = fields.List(fields.Nested(RevisionSchema), metadata=_d("Revisions."))
    next_before = fields.Integer(
        allow_none=True,
        metadata=_d("Pass as `before` for older revisions; null when there are none."),
    )


class VersionSchema(Schema):
    """The exact text of one version of a sentence."""

    version = fields.Integer(metadata=_d("Version number."))
    text = fields.String(metadata=_d("Its exact text."))
    author = fields.Nested(PersonSchema, allow_none=True, metadata=_d("Who made it."))
    created_at = Stamp("When")


class SentenceRestoreSchema(Schema):
    """Which version of the sentence to bring back."""

    version = Id("The version whose text to restore.", required=True)


class SectionRestoreSchema(Schema):
    """Which point to bring the section's text back to."""

    point = fields.String(
        required=True,
        validate=validate.Length(min=1, max=60),
        metadata=_d("When to restore the section's text to. " + POINT),
    )


class RestoredSchema(Schema):
    """The changes a restore made, as ops (also sent live to connected editors)."""

    seq = fields.Integer(
        allow_none=True, metadata=_d("The last change made (null: none, it already read so).")
    )
    ops = fields.List(fields.Dict(), metadata=_d("The ops, as in docs/protocol.md."))


class ChangerSchema(Schema):
    """Someone who changed a sentence, and how many times."""

    person = fields.Nested(PersonSchema, allow_none=True, metadata=_d("Who."))
    revisions = fields.Integer(metadata=_d("How many revisions."))


class AttributionSchema(Schema):
    """Who wrote a sentence and who changed it since."""

    sentence_id = fields.Function(lambda a: a.sentence.id, metadata=_d("Sentence id."))
    text = fields.Function(lambda a: a.sentence.text, metadata=_d("Its text now."))
    version = fields.Function(lambda a: a.sentence.version, metadata=_d("Its version now."))
    written_by = fields.Nested(PersonSchema, allow_none=True, metadata=_d("Who first wrote it."))
    changed_by = fields.List(
        fields.Nested(ChangerSchema),
        metadata=_d("Who changed its text since, most revisions first."),
    )
    last_changed_at = Stamp("Its last change")
