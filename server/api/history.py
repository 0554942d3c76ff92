"""Version history: checkpoints, the policy as it was, diffs between two points,
timelines, restoring earlier text, and who wrote what. Any member reads history;
restoring needs the right to edit the section (its sub-group)."""

from __future__ import annotations

from server import access_of, auth
from server.access import policy_access, section_access, sentence_for_edit
from server.accounts.services import users_by_id
from server.api.common import ID, ApiBlueprint, Loaded, db
from server.api.history_schemas import (
    AttributionSchema,
    CheckpointCreateSchema,
    CheckpointSchema,
    CheckpointUpdateSchema,
    DiffQuerySchema,
    DiffSchema,
    PointQuerySchema,
    PolicyAtSchema,
    RestoredSchema,
    SectionRestoreSchema,
    SentenceRestoreSchema,
    TimelineQuerySchema,
    TimelineSchema,
    VersionSchema,
)
from server.history import diff as diffs
from server.history import restore
from server.history import services as history
from server.participation import attribution as attributions
from server.permissions import Action

blp = ApiBlueprint(
    "History",
    "Every change with its author and time: checkpoints, the "
    "policy at any point, diffs, timelines, restore and attribution.",
)


def _checkpoint(row) -> Loaded:
    users = users_by_id(db(), {row.created_by_id})
    return Loaded(row, created_by=users.get(row.created_by_id))


def _checkpoint_access(checkpoint_id: int, action: Action = Action.VIEW):
    row, policy, _access = access_of.checkpoint(db(), auth.me().id, checkpoint_id, action)
    return row, policy


def _timeline(page: history.Page) -> dict:
    return {
        "revisions": [
            Loaded(e, author=e.author, pieces=[p.as_dict() for p in e.pieces]) for e in page.entries
        ],
        "next_before": page.next_before,
    }


def _restored(ops: list[dict]) -> dict:
    return {"seq": ops[-1]["seq"] if ops else None, "ops": ops}


# --- checkpoints -----------------------------------------------------------------------


@blp.route(f"/policies/<{ID}:policy_id>/checkpoints", methods=["GET"])
@blp.response(200, CheckpointSchema(many=True))
@blp.errors(401, 404)
def list_checkpoints(policy_id):
    """List a policy's checkpoints, newest first"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    rows = history.checkpoints_of(db(), policy.id)
    users = users_by_id(db(), {r.created_by_id for r in rows})
    return [Loaded(r, created_by=users.get(r.created_by_id)) for r in rows]


@blp.route(f"/policies/<{ID}:policy_id>/checkpoints", methods=["POST"])
@blp.arguments(CheckpointCreateSchema)
@blp.response(201, CheckpointSchema)
@blp.errors(401, 404)
def create_checkpoint(body, policy_id):
    """Name the policy as it is now (any member)"""
    policy, access = policy_access(db(), auth.me().id, policy_id)
    return _checkpoint(history.make_checkpoint(db(), policy, access.membership.user, body["name"]))


@blp.route(f"/checkpoints/<{ID}:checkpoint_id>", methods=["GET"])
@blp.response(200, CheckpointSchema)
@blp.errors(401, 404)
def get_checkpoint(checkpoint_id):
    """Show a checkpoint"""
    row, _policy = _checkpoint_access(checkpoint_id)
    return _checkpoint(row)


@blp.route(f"/checkpoints/<{ID}:checkpoint_id>", methods=["PATCH"])
@blp.arguments(CheckpointUpdateSchema)
@blp.response(200, CheckpointSchema)
@blp.errors(401, 403, 404)
def rename_checkpoint(body, checkpoint_id):
    """Rename a checkpoint (facilitators)"""
    row, _policy = _checkpoint_access(checkpoint_id, Action.MANAGE)
    return _checkpoint(history.rename_checkpoint(db(), row, body["name"]))


@blp.route(f"/checkpoints/<{ID}:checkpoint_id>", methods=["DELETE"])
@blp.response(204)
@blp.errors(401, 403, 404)
def delete_checkpoint(checkpoint_id):
    """Remove a checkpoint (facilitators); the history it named stays"""
    row, _policy = _checkpoint_access(checkpoint_id, Action.MANAGE)
    history.delete_checkpoint(db(), row)


# --- reading the past -------------------------------------------------------------------


@blp.route(f"/policies/<{ID}:policy_id>/history/text", methods=["GET"])
@blp.arguments(PointQuerySchema, location="query")
@blp.response(200, PolicyAtSchema)
@blp.errors(401, 404, 422)
def policy_at(query, policy_id):
    """Read the whole policy as it was at a point (a checkpoint, a moment or a change)

    A moment before the policy existed or in the future is a 422; an unknown
    checkpoint is a 404.
    """
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    point = history.resolve_point(db(), policy, query["point"])
    state = history.state_at(db(), policy, point)
    names = history.names_for(db(), state)
    parts = state.outline()
    for part in parts:
        for section in part["sections"]:
            section["subgroup_name"] = names.get(section["subgroup_id"], "")
    return {"policy_id": policy.id, "point": point, "parts": parts}


@blp.route(f"/policies/<{ID}:policy_id>/history/diff", methods=["GET"])
@blp.arguments(DiffQuerySchema, location="query")
@blp.response(200, DiffSchema)
@blp.errors(401, 404, 422)
def diff(query, policy_id):
    """Compare two points: sections and sentences added, removed, moved or changed

    Changed sentences carry word-level `pieces` (equal, insert, delete).
    """
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    a = history.resolve_point(db(), policy, query["from_"], name="from")
    b = history.resolve_point(db(), policy, query["to"], name="to")
    result = diffs.compare(
        history.state_at(db(), policy, a),
        history.state_at(db(), policy, b),
        section_id=query.get("section_id"),
        unchanged=query["unchanged"],
    )
    return {"from_": a, "to": b, **result}


# --- timelines --------------------------------------------------------------------------


@blp.route(f"/policies/<{ID}:policy_id>/history", methods=["GET"])
@blp.arguments(TimelineQuerySchema, location="query")
@blp.response(200, TimelineSchema)
@blp.errors(401, 404, 422)
def policy_timeline(query, policy_id):
    """List a policy's revisions, newest first (filter by member with `member`)"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return _timeline(history.timeline(db(), policy.id, **query))


@blp.route(f"/sections/<{ID}:section_id>/history", methods=["GET"])
@blp.arguments(TimelineQuerySchema, location="query")
@blp.response(200, TimelineSchema)
@blp.errors(401, 404, 422)
def section_timeline(query, section_id):
    """List a section's revisions, newest first (removed sections too)"""
    section, _policy, _access = access_of.section_history(db(), auth.me().id, section_id)
    return _timeline(history.timeline(db(), section.policy_id, section_id=section.id, **query))


@blp.route(f"/sentences/<{ID}:sentence_id>/history", methods=["GET"])
@blp.arguments(TimelineQuerySchema, location="query")
@blp.response(200, TimelineSchema)
@blp.errors(401, 404, 422)
def sentence_timeline(query, sentence_id):
    """List a sentence's revisions, newest first (removed sentences too)"""
    sentence, policy, _access = access_of.sentence_history(db(), auth.me().id, sentence_id)
    return _timeline(history.timeline(db(), policy.id, sentence_id=sentence.id, **query))


@blp.route(f"/sentences/<{ID}:sentence_id>/versions", methods=["GET"])
@blp.response(200, VersionSchema(many=True))
@blp.errors(401, 404)
def sentence_versions(sentence_id):
    """List the exact text of a sentence's latest 200 versions, newest first"""
    sentence, _policy, _access = access_of.sentence_history(db(), auth.me().id, sentence_id)
    rows = history.versions_of(db(), sentence.id, limit=200)
    users = users_by_id(db(), {r.author_id for r in rows})
    return [Loaded(r, author=users.get(r.author_id)) for r in rows]


# --- restoring ---------------------------------------------------------------------------


@blp.route(f"/sentences/<{ID}:sentence_id>/restore", methods=["POST"])
@blp.arguments(SentenceRestoreSchema)
@blp.response(200, RestoredSchema)
@blp.errors(401, 403, 404, 409, 422)
def restore_sentence(body, sentence_id):
    """Give a sentence the text of one of its versions, as a new change

    A removed sentence comes back as a new sentence where it was. Needs the right
    to edit the section (members of its sub-group); connected editors see it live.
    """
    sentence, section, access = sentence_for_edit(db(), auth.me().id, sentence_id)
    return _restored(
        restore.restore_sentence(db(), section, sentence, access.membership.user, body["version"])
    )


@blp.route(f"/sections/<{ID}:section_id>/restore", methods=["POST"])
@blp.arguments(SectionRestoreSchema)
@blp.response(200, RestoredSchema)
@blp.errors(401, 403, 404, 409, 422)
def restore_section(body, section_id):
    """Make a section's text read as it did at a point, as new changes

    Sentences added since are removed, changed ones get their old text, removed ones
    come back and the order is put back; the title and owner stay. Needs the right
    to edit the section; connected editors see each change live.
    """
    section, access = section_access(db(), auth.me().id, section_id, Action.EDIT_TEXT)
    point = history.resolve_point(db(), section.part.policy, body["point"])
    return _restored(restore.restore_section(db(), section, access.membership.user, point))


# --- attribution -------------------------------------------------------------------------


@blp.route(f"/sections/<{ID}:section_id>/attribution", methods=["GET"])
@blp.response(200, AttributionSchema(many=True))
@blp.errors(401, 404)
def attribution(section_id):
    """Who first wrote each sentence of a section, and who changed it since"""
    section, _access = section_access(db(), auth.me().id, section_id)
    return [
        Loaded(a, changed_by=[{"person": u, "revisions": n} for u, n in a.changed_by])
        for a in attributions.section_attribution(db(), section)
    ]
