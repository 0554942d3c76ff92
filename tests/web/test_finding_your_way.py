"""Finding your way (issue 17): the group's tabs, counts per section on the policy
page, one word for a suggestion, a first visit that says where to start, and an
FAQ part's new section that defaults to a question."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.web.conftest import text


@pytest.fixture
def as_member(client, world):
    assert sign_in(client, world.member.email).status_code == 302
    return client


def tabs(page: str) -> list[tuple[str, bool]]:
    nav = re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)
    return [
        (label, "aria-current" in attrs)
        for attrs, label in re.findall(r'<a class="tabs__link"([^>]*)>([^<]+)</a>', nav)
    ]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/groups/{g}", "Overview"),
        ("/groups/{g}/sessions", "Sessions"),
        ("/groups/{g}/review", "Review"),
        ("/groups/{g}/decisions", "Decisions"),
        ("/policies/{p}/decisions", "Decisions"),
        ("/groups/{g}/glossary", "Glossary"),
        ("/groups/{g}/participation", "Who takes part"),
    ],
)
def test_sessions_review_and_decisions_are_tabs_of_the_group(as_member, world, path, current):
    reply = as_member.get(path.format(g=world.group.id, p=world.policy.id))
    assert reply.status_code == 200
    found = tabs(text(reply))
    assert [label for label, _ in found] == [
        "Overview",
        "Sessions",
        "Review",
        "Decisions",
        "Glossary",
        "Who takes part",
    ]
    assert [label for label, on in found if on] == [current]


@pytest.mark.parametrize(
    ("path", "title"),
    [
        ("sessions", "Sessions of the whole group"),
        ("review", "What changed since the last session"),
        ("decisions", "Decisions"),
        ("glossary", "Glossary"),
        ("participation", "Who takes part"),
    ],
)
def test_the_group_tab_pages_share_one_head(as_member, world, path, title):
    """Each tab page starts the same way: the group's name linking to its overview,
    one h1, then the tabs (templates/groups/_page_head.html)."""
    page = text(as_member.get(f"/groups/{world.group.id}/{path}"))
    head = re.search(
        r'<p class="eyebrow">(.*?)</p>\s*<h1>(.*?)</h1>\s*<nav class="tabs"', page, re.S
    )
    assert head is not None, path
    assert f'href="/groups/{world.group.id}"' in head.group(1)
    assert world.group.name in head.group(1)
    assert head.group(2) == title
    assert page.count("<h1") == 1


def test_the_decisions_tab_is_for_members_only(client, world):
    assert sign_in(client, world.outsider.email).status_code == 302
    assert client.get(f"/groups/{world.group.id}/decisions").status_code == 404


def test_the_policy_page_counts_open_comments_and_suggestions_per_section(
    as_member, world, db, make
):
    from server.permissions import membership_of
    from server.policies.services import sentences_of
    from server.review import comments, proposals

    ship = membership_of(db, world.member.id, world.group.id)
    first = sentences_of(db, [world.section.id])[world.section.id][0]
    quiet = make.section(world.part, world.facilitator, world.subgroup, "Who decides?", "We do.")
    comments.add(db, world.section, ship, "Is this clear?", sentence_id=first.id)
    done = comments.add(db, world.section, ship, "Typo fixed.")
    comments.set_resolved(db, done, ship, world.subgroup.id, True)
    proposals.create(
        db,
        world.section,
        ship,
        kind="replace",
        reason="Plainer",
        text="It is money.",
        sentence_ids=[first.id],
    )
    db.commit()
    page = text(as_member.get(f"/policies/{world.policy.id}"))
    cards = dict(
        re.findall(r'id="section-(\d+)-title".*?section-card__waiting">(.*?)</p>', page, re.S)
    )
    assert "1 open comment and 1 open suggestion" in cards[str(world.section.id)]
    assert "No open comments or suggestions" in cards[str(quiet.id)]


def checked_kind(page: str) -> str:
    return re.search(r'name="kind" value="(\w+)"\s*checked', page).group(1)


def test_add_a_section_in_an_faq_part_defaults_to_a_question(client, world, db):
    from server.policies.services import create_part

    assert sign_in(client, world.facilitator.email).status_code == 302
    faq, admin = world.policy.parts  # the first holds a question; the second is empty
    assert checked_kind(text(client.get(f"/parts/{faq.id}/sections/new"))) == "faq"
    assert checked_kind(text(client.get(f"/parts/{admin.id}/sections/new"))) == "text"
    asked = create_part(db, world.policy, "Questions parents ask", by=world.facilitator)
    db.commit()
    assert checked_kind(text(client.get(f"/parts/{asked.id}/sections/new"))) == "faq"


def test_a_first_visit_says_where_to_start_until_you_take_part(as_member, world, db):
    from server.permissions import membership_of
    from server.review import comments

    page = text(as_member.get(f"/groups/{world.group.id}"))
    assert "Where to start" in page
    assert "Families&#39; questions" in page and f'/sections/{world.section.id}"' in page
    assert f"/groups/{world.group.id}/review" in page and "Comment on these words" in page
    comments.add(db, world.section, membership_of(db, world.member.id, world.group.id), "Hello")
    db.commit()
    assert "Where to start" not in text(as_member.get(f"/groups/{world.group.id}"))


def test_writing_in_the_text_counts_as_taking_part(as_member, world, db):
    """A sub-group member who drafts its section has found their way, as much as one
    who comments: the group's page stops saying where to start."""
    from server.editing import services as editing
    from server.sync import Place

    assert "Where to start" in text(as_member.get(f"/groups/{world.group.id}"))
    editing.insert(db, world.section, world.member, "Ask us anything.", Place(at="end"))
    db.commit()
    assert "Where to start" not in text(as_member.get(f"/groups/{world.group.id}"))


def test_restore_says_as_it_was_after_change_n(as_member, world, db):
    from server.editing import services as editing
    from server.policies.models import Policy
    from server.policies.services import sentences_of
    from tests.web.conftest import post

    seq = db.get(Policy, world.policy.id).seq
    first = sentences_of(db, [world.section.id])[world.section.id][0]
    editing.delete(db, world.section, first, world.member, first.version)
    db.commit()
    reply = post(
        as_member,
        f"/sections/{world.section.id}/restore",
        {"point": f"seq:{seq}"},
        follow_redirects=True,
    )
    page = text(reply)
    assert f"The text is back as it was after change {seq} (1 change)" in page
    assert "as it was at after" not in page


def test_history_credits_the_groups_vote_even_when_a_facilitator_closed_it(as_member, world, db):
    """The outcome is the group's: closing the vote early does not make the
    facilitator the one who "marked the section agreed"."""
    from server.permissions import membership_of
    from server.review import votes

    ship = membership_of(db, world.member.id, world.group.id)
    vote = votes.open_for_agreement(db, world.section, world.group.id, world.member)
    votes.cast(db, vote, ship, "approve")
    votes.close(db, vote, world.facilitator)
    db.commit()
    page = text(as_member.get(f"/sections/{world.section.id}/history"))
    said = re.findall(r'<p class="timeline__what"><strong>(.*?)</strong>\s*(.*?)</p>', page, re.S)
    agreed = [who for who, what in said if what.startswith("marked the section agreed")]
    assert agreed == ["The group&#39;s vote"], said


def test_the_review_list_names_a_suggestion_by_its_words(as_member, world, db):
    """One word, "suggestion", and a title from its words, never "proposal"."""
    from server.permissions import membership_of
    from server.policies.services import sentences_of
    from server.review import proposals

    ship = membership_of(db, world.member.id, world.group.id)
    first = sentences_of(db, [world.section.id])[world.section.id][0]
    made = proposals.create(
        db,
        world.section,
        ship,
        kind="replace",
        reason="Plainer",
        text="It is money for help.",
        sentence_ids=[first.id],
    )
    db.commit()
    page = text(as_member.get(f"/groups/{world.group.id}/review"))
    assert proposals.title(made) in page
    assert "→" in proposals.title(made)
    assert "proposal " not in re.sub(r"<[^>]+>", " ", page).lower()


def test_a_page_of_another_group_says_what_a_missing_one_says(client, world, make):
    """Ids from other groups reveal nothing, on the pages as in the API: a section's
    history in a group you are not in is "not found" in the same words as one that
    does not exist (it named the policy)."""
    theirs = make.section(
        world.policy.parts[0], world.facilitator, world.subgroup, "Theirs", "Private words."
    )
    assert sign_in(client, world.outsider.email).status_code == 302
    elsewhere = client.get(f"/sections/{theirs.id}/history")
    missing = client.get("/sections/424242/history")
    assert elsewhere.status_code == missing.status_code == 404
    for page in (text(elsewhere), text(missing)):
        assert "That section was not found." in page and "policy was not found" not in page
