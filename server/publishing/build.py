"""Build the document model (server.publishing.document) from a policy at a point:
"now", a checkpoint, or any seq. The text comes from history (server.history:
the policy as it was at that point), so "now" and a checkpoint are read the same
way, and a release built from a seq is exactly what the policy said then.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from server.accounts.models import User
from server.glossary import services as glossary
from server.groups.models import ROLE_LABELS, Group, Membership, Role
from server.history import services as history
from server.policies.models import Policy
from server.publishing.document import (
    Credits,
    DocPart,
    DocSection,
    Document,
    GlossaryEntry,
    RoleCount,
)
from server.text.dates import day_in_words

# Codraft's groups write in British English; every format declares it (/Lang in the
# PDF, lang on the page, the language of a .docx/.odt) so screen readers speak it right.
LANGUAGE = "en-GB"


def build(
    db: Session,
    policy: Policy,
    point: history.Point,
    *,
    version_label: str,
    when: datetime,
    note: str = "",
) -> Document:
    """The policy at `point`, with its glossary and credits as they are now."""
    state = history.state_at(db, policy, point)
    parts = [
        DocPart(
            title=part["title"],
            intro=part.get("intro") or "",
            sections=[
                DocSection(
                    title=sec["title"],
                    kind=sec["kind"],
                    sentences=[s["text"] for s in sec["sentences"]],
                )
                for sec in part["sections"]
            ],
        )
        for part in state.outline()
    ]
    group = db.get(Group, policy.group_id)
    return Document(
        title=policy.title,
        language=LANGUAGE,
        summary=policy.summary or "",
        version_label=version_label,
        date=day_in_words(when),
        note=note,
        group_name=group.name if group else "",
        parts=parts,
        glossary=glossary_entries(db, policy.group_id),
        credits=credits(db, policy.group_id),
    )


def glossary_entries(db: Session, group_id: int) -> list[GlossaryEntry]:
    """The group's agreed glossary (accepted terms only); none when it has none."""
    return [
        GlossaryEntry(str(item.term), str(item.explanation))
        for item in glossary.accepted_terms(db, group_id)
    ]


# Roles in the order the credits name them: the people the policy is for first.
ROLE_ORDER = [
    Role.PARENT_CARER,
    Role.YOUNG_PERSON,
    Role.EDUCATION,
    Role.HEALTH,
    Role.SOCIAL_CARE,
    Role.ADVICE_SERVICE,
    Role.FACILITATOR,
]


def credits(db: Session, group_id: int) -> Credits:
    """Counts by role for everyone in the group; names only of those who turned on
    "name me in published policies" (User.credit_by_name)."""
    rows = db.execute(
        select(Membership.role, User.id, User.display_name, User.credit_by_name)
        .join(User, User.id == Membership.user_id)
        .where(Membership.group_id == group_id)
    ).all()
    counts = Counter(row.role for row in rows)
    named = sorted(
        ((row.display_name, row.id) for row in rows if row.credit_by_name),
        key=lambda pair: (pair[0].casefold(), pair[1]),
    )
    return Credits(
        roles=[RoleCount(ROLE_LABELS[r], counts[r]) for r in ROLE_ORDER if counts[r]],
        names=[name for name, _id in named],
        ids=[user_id for _name, user_id in named],
    )


_AGREEING = select(User.id).where(
    User.id.in_(bindparam("ids", expanding=True)), User.credit_by_name
)


def still_agreeing(db: Session, ids: list[int]) -> set[int]:
    """Of these people, those who still agree to be named (one query; the public
    page asks on every request, so the statement is built once)."""
    if not ids:
        return set()
    return set(db.scalars(_AGREEING, {"ids": list(ids)}))
