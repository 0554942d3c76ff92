"""The demo: a co-production group drafting an EHCP Personal Budget policy.

Loading it twice changes nothing; the logins are printed either way.
"""

from __future__ import annotations

from datetime import timedelta

from diff_match_patch import diff_match_patch
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from server.accounts.services import create_user, user_by_email
from server.db import Base, UTCDateTime, utcnow
from server.editing import services as editing
from server.glossary import services as glossary
from server.groups import services as groups
from server.groups.models import Group, Membership, Role
from server.meetings import actions, agenda, attendance, notes
from server.meetings import services as meetings
from server.participation import ladder, statements
from server.policies import services as policies
from server.policies.models import Policy
from server.publishing import services as publishing
from server.publishing.models import Release
from server.review import comments, proposals, votes
from server.sync import Place
from server.text.dates import day_in_words

_dmp = diff_match_patch()

DEMO_PASSWORD = "codraft-demo-2026"
GROUP_NAME = "Northshire SEND Co-production Group"
POLICY_TITLE = "EHCP Personal Budget policy"

# (email, name, role, sub-groups)
PEOPLE = [
    ("facilitator@example.org", "Fatima Khan", Role.FACILITATOR, ["Families' questions"]),
    (
        "parent@example.org",
        "Sam Taylor",
        Role.PARENT_CARER,
        ["Families' questions", "Budgets and payments"],
    ),
    ("carer@example.org", "Joy Mensah", Role.PARENT_CARER, ["Roles and reviews"]),
    ("young.person@example.org", "Alex Rivers", Role.YOUNG_PERSON, ["Families' questions"]),
    ("education@example.org", "Priya Shah", Role.EDUCATION, ["Budgets and payments"]),
    ("health@example.org", "Tom O'Neill", Role.HEALTH, ["Roles and reviews"]),
    ("socialcare@example.org", "Grace Okafor", Role.SOCIAL_CARE, ["Budgets and payments"]),
    ("advice@example.org", "Ben Hughes", Role.ADVICE_SERVICE, ["Roles and reviews"]),
]

SUBGROUPS = {
    "Families' questions": "Writes the answers families look for first.",
    "Budgets and payments": "How a Personal Budget is worked out, paid and checked.",
    "Roles and reviews": "Who does what, and how decisions are reviewed.",
}

FAQ = [
    (
        "What is a Personal Budget?",
        "Families' questions",
        "A Personal Budget is an amount of money identified by the local authority to deliver "
        "some of the provision in your child's Education, Health and Care Plan (EHCP). "
        "You can ask for one when your child's EHCP is being drawn up or reviewed. "
        "It gives you more say in how support is arranged, e.g. who provides it and when.",
    ),
    (
        "Who can ask for a Personal Budget?",
        "Families' questions",
        "You can ask if your child has an EHCP, or if an EHC needs assessment has decided that "
        "a plan will be written. "
        "Young people aged 16 to 25 can ask for a Personal Budget themselves. "
        "The Information, Advice and Support service (IASS) can help you make the request.",
    ),
    (
        "How is the amount worked out?",
        "Budgets and payments",
        "We look at the support described in Section F of the EHCP and what it would cost to "
        "provide. "
        "For example, 1.5 hours a week of speech and language therapy is costed at the rate "
        "the service pays. "
        "You will see how each amount was worked out before you agree to it.",
    ),
]

# Who in each section's sub-group wrote its text: the facilitator sets the sections
# up, the members write them, so the pages about whose words are in the policy show
# co-production rather than one person's draft (never FIRST_TIMERS, below).
WRITERS = {
    "What is a Personal Budget?": "facilitator@example.org",
    "Who can ask for a Personal Budget?": "young.person@example.org",
    "How is the amount worked out?": "parent@example.org",
    "Direct payments": "parent@example.org",
    "Roles and responsibilities": "carer@example.org",
    "If you disagree with a decision": "advice@example.org",
}

IN_DEPTH = [
    (
        "Direct payments",
        "Budgets and payments",
        "A direct payment is money paid to you so that you can arrange some of the support "
        "yourself. "
        "You will be asked to open a separate bank account and keep receipts. "
        'Mr. and Mrs. Patel, parents in our group, said "Keeping records was easier than we '
        'feared." '
        "We will check how the money is used every three months.",
    ),
    (
        "Roles and responsibilities",
        "Roles and reviews",
        "The SEND team is responsible for agreeing the Personal Budget. "
        "Your child's school or college is responsible for the support it delivers from its "
        "own budget. "
        "Health and social care services agree their parts of the budget in the same meeting, "
        "so you do not have to tell your story more than once.",
    ),
    (
        "If you disagree with a decision",
        "Roles and reviews",
        "You can ask us to look at the decision again within 28 days. "
        "A different officer will review it and write to you with the reasons. "
        "If you still disagree, you can ask for mediation or appeal to the SEND Tribunal.",
    ),
]


def load_demo(db: Session) -> list[tuple[str, str, str]]:
    """Create the demo group and policy if missing; return (email, name, role) logins."""
    began = utcnow()
    users = {}
    for email, name, _role, _subs in PEOPLE:
        users[email] = user_by_email(db, email) or create_user(db, email, name, DEMO_PASSWORD)
    group = db.scalar(select(Group).where(Group.name == GROUP_NAME))
    if group is None:
        group = _build(db, users, began)
    db.flush()
    return [(email, name, role.label) for email, name, role, _ in PEOPLE if group is not None]


def _session_title(starts_at) -> str:
    """Named by its month, so a title never disagrees with its date."""
    return f"{starts_at:%B} whole-group session"


def _at_six(day):
    return day.replace(hour=18, minute=0, second=0, microsecond=0)


def _build(db: Session, users: dict, began) -> Group:
    """The demo, told relative to today: the policy written about five weeks ago, the
    last session four weeks ago (a checkpoint, minutes, version 1 published the day
    after), the review since then happening now, the next session in two weeks."""
    first = PEOPLE[0][0]
    group = groups.create_group(
        db,
        users[first],
        GROUP_NAME,
        "Parents and carers, young people, the advice service and staff from education, "
        "health and social care, reviewing the EHCP Personal Budget policy together.",
    )
    memberships = {first: db.scalar(select(Membership).where(Membership.group_id == group.id))}
    for email, _name, role, _subs in PEOPLE[1:]:
        m = Membership(group_id=group.id, user_id=users[email].id, role=role)
        db.add(m)
        memberships[email] = m
    db.flush()
    subgroups = {
        name: groups.create_subgroup(db, group, name, desc) for name, desc in SUBGROUPS.items()
    }
    for email, _name, _role, subs in PEOPLE:
        for sub in subs:
            groups.add_to_subgroup(db, subgroups[sub], memberships[email])

    author = users[first]
    policy = policies.create_policy(
        db,
        group,
        author,
        POLICY_TITLE,
        "How Personal Budgets for Education, Health and Care Plans work, written with "
        "families for families.",
        ["Frequently asked questions", "Administration, roles and processes"],
    )
    faq_part, depth_part = policy.parts
    for part, kind, sections in ((faq_part, "faq", FAQ), (depth_part, "text", IN_DEPTH)):
        for title, sub, text in sections:
            section = policies.create_section(
                db, part, author, title=title, kind=kind, subgroup_id=subgroups[sub].id
            )
            writer = users[WRITERS[title]]
            for sentence in policies.parse_text(text):
                editing.insert(db, section, writer, sentence, Place(at="end"))
    facilitator = users[first]
    glossary.adopt_starter(db, group.id, facilitator)  # plain-language help (issue 15)
    held = _at_six(began - timedelta(days=28))
    last = meetings.schedule(
        db,
        group,
        facilitator,
        title=_session_title(held),
        starts_at=held,
        place="Northshire Library, meeting room 2, and online",
        notes="We agreed who drafts what.",
    )
    written = utcnow()
    meetings.start(db, last, facilitator)
    welcome = agenda.add(db, last, "Who drafts what", "")
    meetings.close(db, last, facilitator)
    _coproduction(db, last, welcome, policy, facilitator, memberships)
    closed = utcnow()
    _publish(db, policy, users)
    published = utcnow()
    db.flush()
    _backdate(db, began, written, held - timedelta(days=7))
    _backdate(db, written, closed, held)
    _backdate(db, closed, published, held + timedelta(days=1))
    _date_releases(db, policy)
    last.closed_at = held + timedelta(hours=2)
    _review(db, policy, users, memberships)
    upcoming = _at_six(began + timedelta(days=14))
    meetings.schedule(
        db,
        group,
        facilitator,
        title=_session_title(upcoming),
        starts_at=upcoming,
        place="Northshire Library, meeting room 2, and online",
        notes="Childcare and travel costs are paid: ask Fatima.",
    )
    return group


def _backdate(db: Session, since, until, to) -> None:
    """Move every time stamped in [since, until) back so that `since` falls on `to`,
    keeping their order: the services stamp "now", and the demo tells a story over
    weeks. Times set on purpose (a session's date, a vote's closing) are outside the
    band and stay."""
    db.flush()
    shift = since - to
    for table in Base.metadata.sorted_tables:
        key = list(table.primary_key.columns)
        if not key:
            continue
        for column in table.columns:
            if not isinstance(column.type, UTCDateTime):
                continue
            rows = db.execute(select(*key, column).where(column >= since, column < until)).all()
            for row in rows:
                db.execute(
                    update(table)
                    .where(*(k == v for k, v in zip(key, row[:-1], strict=True)))
                    .values({column.name: row[-1] - shift})
                )
    db.expire_all()


def _date_releases(db: Session, policy: Policy) -> None:
    """A release keeps the document it published, dated the day it was made, which
    `_backdate` cannot reach inside the JSON: date it as its row now is, so the public
    page says version 1 came the day after the session that agreed it."""
    for release in db.scalars(select(Release).where(Release.policy_id == policy.id)):
        release.document = {**release.document, "date": day_in_words(release.created_at)}


# Members who have not taken part yet: signed in as one, the group page says where
# to start (issue 17's first visit).
FIRST_TIMERS = ("education@example.org", "socialcare@example.org")

# Members who agreed to be named in the credits of published policies.
CREDITED = ("facilitator@example.org", "parent@example.org", "young.person@example.org")


def _publish(db: Session, policy: Policy, users: dict) -> None:
    """Version 1, public, before the review below changes the text: so the demo
    shows a public page and, once a facilitator publishes v2, what changed."""
    for email in CREDITED:
        users[email].credit_by_name = True
    facilitator = users[PEOPLE[0][0]]
    publishing.publish(
        db,
        policy,
        facilitator,
        f"The first version, agreed at the {_last_session_title(db, policy)}.",
    )
    publishing.set_public(db, policy, facilitator, True)


def _last_session_title(db: Session, policy: Policy) -> str:
    return meetings.last_started(db, policy.group_id).title


def _coproduction(db, meeting, item, policy, facilitator, memberships) -> None:
    """The last session, completed: who came, a note, an action, a few answers to
    the "I statements" check (anonymous: counts only) and places on the ladder."""
    people = list(memberships.values())
    entries = []
    for n, m in enumerate(people):
        if n % 4 == 3:
            entries.append({"user_id": m.user_id, "status": "apologies"})
        else:
            mode = "online" if n % 3 == 1 else "in_person"
            entries.append({"user_id": m.user_id, "status": "present", "mode": mode})
    attendance.record(db, meeting, facilitator.id, entries)
    notes.write(
        db,
        meeting,
        item.key,
        "Each sub-group takes one part. Families' questions go first, in plain words.",
        facilitator.id,
    )
    helper = next(m for m in people if m.role == Role.PARENT_CARER)
    actions.add(
        db,
        meeting,
        facilitator.id,
        what="Ask three families which questions they ask most about Personal Budgets.",
        assignee_id=helper.user_id,
        due_on=(utcnow() + timedelta(days=10)).date(),
    )
    asked = statements.statements_of(db, meeting.group_id)
    present = [m for m, e in zip(people, entries, strict=True) if e["status"] == "present"]
    for n, m in enumerate(present[:4]):
        choice = ["agree", "agree", "partly", "agree"][n]
        statements.answer(db, meeting, m, {s.id: choice for s in asked})
    for n, m in enumerate(people[:5]):
        ladder.place(db, policy, m.user_id, ["participation", "consultation"][n % 2])


def _review(db: Session, policy: Policy, users: dict, members: dict) -> None:
    """Some review under way, so every part of it can be seen at once: a discussion
    with a mention, a proposal being voted on, one still being discussed, and an
    agreed section that has been edited since."""
    sections = {s.title: s for _part, secs in policies.policy_outline(db, policy) for s in secs}
    text = policies.sentences_of(db, [s.id for s in sections.values()])

    what = sections["What is a Personal Budget?"]
    thread = comments.add(
        db,
        what,
        members["carer@example.org"],
        "Could we say what **provision** means in plain words? Parents in our forum often ask.",
        sentence_id=text[what.id][0].id,
    )
    comments.reply(
        db,
        thread,
        members["parent@example.org"],
        "Good point, @Joy Mensah. We will add an example, like speech therapy.",
    )

    direct = sections["Direct payments"]
    checking = proposals.create(
        db,
        direct,
        members["health@example.org"],
        kind="replace",
        reason="Families told us checks feel like being watched. Doing it with them, and "
        "sharing what we found, builds trust.",
        text="We will check with you how the money is used every three months, and tell "
        "you what we found.",
        sentence_ids=[text[direct.id][-1].id],
    )
    vote = votes.open_for_proposal(
        db, checking, members["health@example.org"], users["health@example.org"]
    )
    for email, choice in (
        ("health@example.org", "approve"),
        ("carer@example.org", "approve"),
        ("advice@example.org", "abstain"),
    ):
        votes.cast(db, vote, members[email], choice)

    who = sections["Who can ask for a Personal Budget?"]
    proposals.create(
        db,
        who,
        members["young.person@example.org"],
        kind="insert",
        reason="Young people should know they can ask on their own.",
        text="You do not need a parent's permission to ask.",
        sentence_ids=[text[who.id][1].id],
    )

    disagree = sections["If you disagree with a decision"]
    agreeing = votes.open_for_agreement(db, disagree, policy.group_id, users["carer@example.org"])
    for email, _name, _role, _subs in PEOPLE:
        if email not in FIRST_TIMERS:
            votes.cast(db, agreeing, members[email], "approve")
    votes.close(db, agreeing, users[PEOPLE[0][0]])
    first = text[disagree.id][0]
    editing.edit_text(
        db,
        disagree,
        first,
        users["health@example.org"],
        first.version,
        _dmp.patch_toText(
            _dmp.patch_make(first.text, first.text.replace("28 days", "28 days of our letter"))
        ),
    )


def demo_public_slug(db: Session) -> str | None:
    page = publishing.public_page_of(db, demo_policy_id(db) or 0)
    return page.slug if page is not None and page.is_public else None


def demo_policy_id(db: Session) -> int | None:
    return db.scalar(
        select(Policy.id).join(Group).where(Group.name == GROUP_NAME, Policy.title == POLICY_TITLE)
    )
