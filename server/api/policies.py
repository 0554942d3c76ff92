"""Policies and their structure (parts, sections), and adding text as sentences."""

from __future__ import annotations

from server import auth
from server.access import group_access, part_access, policy_access, section_access
from server.api.common import ID, ApiBlueprint, Loaded, db
from server.api.schemas import (
    PartCreateSchema,
    PartSchema,
    PartUpdateSchema,
    PolicyCreateSchema,
    PolicySchema,
    PolicySummarySchema,
    PolicyUpdateSchema,
    SectionCreateSchema,
    SectionSchema,
    SectionUpdateSchema,
    SentenceSchema,
    SentencesCreateSchema,
)
from server.permissions import Action
from server.policies import services as policies
from server.policies.models import Part, Policy, Section

blp = ApiBlueprint(
    "Policies", "Policies of a group and their parts. Members read them; facilitators shape them."
)
sections = ApiBlueprint(
    "Sections",
    "Sections of a part, each owned by a sub-group, and their "
    "sentences. Members of the owning sub-group add text.",
)


def _sections(rows: list[Section]) -> list[Loaded]:
    """Sections with their sentences, fetched in one query."""
    text = policies.sentences_of(db(), [s.id for s in rows])
    return [Loaded(s, sentences=text[s.id]) for s in rows]


def _policy(policy: Policy) -> Loaded:
    """The whole policy in three queries, however long it is."""
    outline = policies.policy_outline(db(), policy)
    text = policies.sentences_of(db(), [s.id for _part, rows in outline for s in rows])
    return Loaded(
        policy,
        parts=[
            Loaded(part, sections=[Loaded(s, sentences=text[s.id]) for s in rows])
            for part, rows in outline
        ],
    )


def _part(part: Part) -> Loaded:
    return Loaded(part, sections=_sections(list(part.sections)))


# --- policies -----------------------------------------------------------------------------


@blp.route(f"/groups/<{ID}:group_id>/policies", methods=["GET"])
@blp.response(200, PolicySummarySchema(many=True))
@blp.errors(401, 404)
def list_policies(group_id):
    """List a group's policies, newest first (without their text)"""
    group_access(db(), auth.me().id, group_id)
    return policies.policies_of(db(), group_id)


@blp.route(f"/groups/<{ID}:group_id>/policies", methods=["POST"])
@blp.arguments(PolicyCreateSchema)
@blp.response(201, PolicySchema)
@blp.errors(401, 403, 404)
def create_policy(body, group_id):
    """Start a policy, optionally with the titles of its first parts (facilitators)"""
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    policy = policies.create_policy(
        db(), access.group, access.membership.user, body["title"], body["summary"], body["parts"]
    )
    return _policy(policy)


@blp.route(f"/policies/<{ID}:policy_id>", methods=["GET"])
@blp.response(200, PolicySchema)
@blp.errors(401, 404)
def get_policy(policy_id):
    """Show a whole policy: its parts, their sections and their sentences, in order"""
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    return _policy(policy)


@blp.route(f"/policies/<{ID}:policy_id>", methods=["PATCH"])
@blp.arguments(PolicyUpdateSchema)
@blp.response(200, PolicySchema)
@blp.errors(401, 403, 404)
def update_policy(body, policy_id):
    """Change a policy's title or summary (facilitators)"""
    policy, _access = policy_access(db(), auth.me().id, policy_id, Action.MANAGE)
    return _policy(policies.update_policy(db(), policy, **body, by=auth.me()))


# --- parts ---------------------------------------------------------------------------------


@blp.route(f"/policies/<{ID}:policy_id>/parts", methods=["POST"])
@blp.arguments(PartCreateSchema)
@blp.response(201, PartSchema)
@blp.errors(401, 403, 404)
def create_part(body, policy_id):
    """Add a part to a policy, at the end or after another part (facilitators)"""
    policy, _access = policy_access(db(), auth.me().id, policy_id, Action.MANAGE)
    return Loaded(policies.create_part(db(), policy, **body, by=auth.me()), sections=[])


@blp.route(f"/parts/<{ID}:part_id>", methods=["GET"])
@blp.response(200, PartSchema)
@blp.errors(401, 404)
def get_part(part_id):
    """Show a part with its sections and their sentences"""
    part, _access = part_access(db(), auth.me().id, part_id)
    return _part(part)


@blp.route(f"/parts/<{ID}:part_id>", methods=["PATCH"])
@blp.arguments(PartUpdateSchema)
@blp.response(200, PartSchema)
@blp.errors(401, 403, 404)
def update_part(body, part_id):
    """Change a part's title or introduction (facilitators)"""
    part, _access = part_access(db(), auth.me().id, part_id, Action.MANAGE)
    return _part(policies.update_part(db(), part, **body, by=auth.me()))


# --- sections and sentences ------------------------------------------------------------


@sections.route(f"/parts/<{ID}:part_id>/sections", methods=["POST"])
@sections.arguments(SectionCreateSchema)
@sections.response(201, SectionSchema)
@sections.errors(401, 403, 404)
def create_section(body, part_id):
    """Add a section owned by a sub-group, with text split into sentences (facilitators)

    `text` is split by a sentence-boundary library that knows abbreviations
    ("e.g.", "Mr."), decimals ("1.5") and quotations; a line break always ends a
    sentence. `subgroup_id` must be a sub-group of the same group (422 otherwise).
    """
    part, access = part_access(db(), auth.me().id, part_id, Action.MANAGE)
    section = policies.create_section(db(), part, access.membership.user, **body)
    return _sections([section])[0]


@sections.route(f"/sections/<{ID}:section_id>", methods=["GET"])
@sections.response(200, SectionSchema)
@sections.errors(401, 404)
def get_section(section_id):
    """Show a section with its sentences"""
    section, _access = section_access(db(), auth.me().id, section_id)
    return _sections([section])[0]


@sections.route(f"/sections/<{ID}:section_id>", methods=["PATCH"])
@sections.arguments(SectionUpdateSchema)
@sections.response(200, SectionSchema)
@sections.errors(401, 403, 404)
def update_section(body, section_id):
    """Retitle a section or hand it to another sub-group (facilitators)"""
    section, _access = section_access(db(), auth.me().id, section_id, Action.MANAGE)
    return _sections([policies.update_section(db(), section, **body, by=auth.me())])[0]


@sections.route(f"/sections/<{ID}:section_id>", methods=["DELETE"])
@sections.response(204)
@sections.errors(401, 403, 404)
def delete_section(section_id):
    """Remove a section (facilitators); it is kept for history, but no longer shown"""
    section, _access = section_access(db(), auth.me().id, section_id, Action.MANAGE)
    policies.delete_section(db(), section, auth.me())


@sections.route(f"/sections/<{ID}:section_id>/sentences", methods=["POST"])
@sections.arguments(SentencesCreateSchema)
@sections.response(201, SentenceSchema(many=True))
@sections.errors(401, 403, 404)
def add_sentences(body, section_id):
    """Add text to a section, split into sentences (members of the owning sub-group)

    Inserted at the end, or after `after_sentence_id`. Returns the new sentences in
    order. Members outside the owning sub-group get 403: they can comment and
    propose instead.
    """
    section, access = section_access(db(), auth.me().id, section_id, Action.EDIT_TEXT)
    return policies.add_text(db(), section, access.membership.user, **body)
