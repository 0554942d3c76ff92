"""Review pages through the test client: the section margin, comments, suggested
changes (proposals), votes, agreeing a section and the group's decision rules.
Rights (403 for a member without the right, 404 outside the group), bad input
(re-rendered with messages, nothing changed) and what a secret ballot hides."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from server.policies.models import SectionStatus
from server.policies.services import sentences_of
from server.review import votes
from server.review.models import Comment, Proposal, ProposalStatus, Vote
from tests.conftest import sign_in
from tests.web.conftest import post, text


@pytest.fixture
def other(make, world):
    """A member of the group outside the sub-group that owns the section."""
    user = make.user("Ola Other", "ola@example.org")
    make.member(world.group, user, "health")
    return user


@pytest.fixture
def as_other(client, other):
    assert sign_in(client, other.email).status_code == 302
    return client


def live(db, world):
    db.expire_all()
    return sentences_of(db, [world.section.id])[world.section.id]


def count(db, model) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(model))


def comment_on(client, world, body, sentence_id=None):
    return post(
        client,
        f"/sections/{world.section.id}/comments",
        {"body": body, "sentence_id": str(sentence_id or "")},
    )


# --- the section margin ------------------------------------------------------------------------


def test_section_page_has_a_margin_with_links_for_every_sentence(as_other, world, db):
    first, second = live(db, world)
    page = text(as_other.get(f"/sections/{world.section.id}"))
    assert "Soon you will be able to comment" not in page
    assert 'id="margin"' in page and "Comments and suggestions" in page
    for s in (first, second):
        assert f'id="notes-{s.id}"' in page
        assert f"/sections/{world.section.id}/comments?sentence={s.id}" in page
        # Named by its words, not by a number that moves (issue 17).
        assert f'Suggest a change<span class="visually-hidden"> to “{s.text}”' in page
    # A member outside the sub-group cannot mark it ready.
    assert "Mark ready for the group to agree" not in page
    fragment = as_other.get(f"/sections/{world.section.id}/margin")
    assert fragment.status_code == 200 and fragment.headers["Cache-Control"] == "no-store"
    assert "<html" not in text(fragment) and f'id="notes-{first.id}"' in text(fragment)


def test_margin_and_fragments_are_for_members_only(as_outsider, world):
    for url in (
        f"/sections/{world.section.id}/margin",
        f"/sections/{world.section.id}/decision",
        f"/sections/{world.section.id}/comments",
        f"/sections/{world.section.id}/proposals/new",
        f"/policies/{world.policy.id}/decisions",
        f"/groups/{world.group.id}/decision-rules",
    ):
        assert as_outsider.get(url).status_code == 404, url


# --- comments ------------------------------------------------------------------------------------


def test_comment_on_a_sentence_reply_edit_delete_and_resolve(as_other, world, db, other):
    first = live(db, world)[0]
    form = text(as_other.get(f"/sections/{world.section.id}/comments?sentence={first.id}"))
    assert "Comment on this sentence" in form and first.text in form
    assert "Type @ and a member" in form
    response = comment_on(as_other, world, "Is **support** clear, @Sam Parent?", first.id)
    assert response.status_code == 302
    root = db.scalar(select(Comment))
    assert response.headers["Location"].endswith(f"/sections/{world.section.id}#thread-{root.id}")
    page = text(as_other.get(f"/sections/{world.section.id}"))
    assert "<strong>support</strong>" in page
    assert f'<span class="mention" data-user-id="{world.member.id}">@Sam Parent</span>' in page
    assert "1 open discussion" in page
    # Reply, then change and delete the first comment: a marker stays.
    assert (
        post(as_other, f"/comments/{root.id}/replies", {"body": "And *money*?"}).status_code == 302
    )
    assert "Change your comment" in text(as_other.get(f"/comments/{root.id}/edit"))
    assert post(as_other, f"/comments/{root.id}/edit", {"body": "Is it clear?"}).status_code == 302
    assert post(as_other, f"/comments/{root.id}/delete").status_code == 302
    page = text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert "This comment was deleted." in page and "<em>money</em>" in page
    assert "Is it clear?" not in page
    # The starter resolves it; a resolved thread shows as such and can be reopened.
    assert post(as_other, f"/comments/{root.id}/resolve").status_code == 302
    page = text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert "Resolved" in page and "Reopen" in page
    assert post(as_other, f"/comments/{root.id}/reopen").status_code == 302
    assert "Mark as resolved" in text(as_other.get(f"/sections/{world.section.id}/margin"))


def signed_in(app, email):
    client = app.test_client()
    assert sign_in(client, email).status_code == 302
    return client


def test_comment_rights(app, world, db, other, make):
    first = live(db, world)[0]
    comment_on(signed_in(app, other.email), world, "Mine", first.id)
    root = db.scalar(select(Comment))
    third = make.user("Tia Third", "tia@example.org")
    make.member(world.group, third, "education")
    client = signed_in(app, third.email)
    assert client.get(f"/comments/{root.id}/edit").status_code == 403
    assert post(client, f"/comments/{root.id}/edit", {"body": "Hijack"}).status_code == 403
    assert post(client, f"/comments/{root.id}/delete").status_code == 403
    assert post(client, f"/comments/{root.id}/resolve").status_code == 403
    page = text(client.get(f"/sections/{world.section.id}/margin"))
    assert f"/comments/{root.id}/edit" not in page and "Mark as resolved" not in page
    db.expire_all()
    assert db.get(Comment, root.id).source == "Mine" and db.get(Comment, root.id).deleted_at is None
    # The owning sub-group may resolve it.
    member = signed_in(app, world.member.email)
    assert "Mark as resolved" in text(member.get(f"/sections/{world.section.id}/margin"))
    assert post(member, f"/comments/{root.id}/resolve").status_code == 302


@pytest.mark.parametrize("body", ["", "   ", "<b></b>", "x" * 5001])
def test_bad_comments_are_shown_again_and_change_nothing(as_other, world, db, body):
    first = live(db, world)[0]
    response = comment_on(as_other, world, body, first.id)
    assert response.status_code == 422
    page = text(response)
    assert "There is a problem" in page and "<title>Error:" in page
    assert first.text in page  # still about the same sentence
    assert count(db, Comment) == 0


def test_words_typed_by_someone_who_cannot_select_them_are_commented_on(as_other, world, db):
    """Outside the sub-group a sentence is not editable, so a keyboard cannot select
    its words: the comment page lets them be typed instead, found whatever their case
    or spacing, and the comment is then on those words as if they were selected."""
    first = live(db, world)[0]
    form = text(as_other.get(f"/sections/{world.section.id}/comments?sentence={first.id}"))
    assert "Only some of its words? (optional)" in form
    words = first.text.split()[1:3]  # two words from inside the sentence
    typed = "  " + "   ".join(words).upper() + " "
    response = post(
        as_other,
        f"/sections/{world.section.id}/comments",
        {"body": "Which ones?", "sentence_id": str(first.id), "words": typed},
    )
    assert response.status_code == 302
    page = text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert f'On the words <span class="thread__words">“{" ".join(words)}”</span>' in page

    refused = post(
        as_other,
        f"/sections/{world.section.id}/comments",
        {"body": "And these?", "sentence_id": str(first.id), "words": "not in it at all"},
    )
    assert refused.status_code == 422
    page = text(refused)
    assert "Those words are not in the sentence." in page and 'value="not in it at all"' in page
    assert count(db, Comment) == 1


def test_comment_on_removed_text_is_shown_struck_and_labelled(as_member, world, db):
    from server.editing import services as editing

    first, second = live(db, world)
    comment_on(as_member, world, "About the second", second.id)
    editing.delete(db, world.section, second, world.member_ship.user, second.version)
    db.commit()
    page = text(as_member.get(f"/sections/{world.section.id}/margin"))
    assert "On text that was removed" in page and "On removed text" in page
    assert f"<del>{second.text}</del>" in page


# --- proposals ---------------------------------------------------------------------------------


def test_propose_a_replacement_and_see_the_word_diff(as_other, world, db):
    first = live(db, world)[0]
    form = text(
        as_other.get(f"/sections/{world.section.id}/proposals/new?sentence={first.id}&kind=replace")
    )
    assert f"New words for “{first.text}”" in form  # its words, not a number that moves
    assert f">{first.text}</textarea>" in form  # prefilled with the sentence
    response = post(
        as_other,
        f"/sections/{world.section.id}/proposals/new",
        {
            "kind": "replace",
            "sentence_id": str(first.id),
            "text": "It is money for your child's support.",
            "reason": "Say whose support.",
        },
    )
    assert response.status_code == 302
    p = db.scalar(select(Proposal))
    assert response.headers["Location"] == f"/proposals/{p.id}"
    page = text(as_other.get(f"/proposals/{p.id}"))
    # Titled by its words (issue 17).
    assert "‘for support’ → ‘for your child&#39;s support’" in page
    assert "Say whose support." in page
    assert re.search(
        r'<ins class="diff-ins"><span class="visually-hidden">\[added: </span>'
        r"your child&#39;s ",
        page,
    )
    assert "Ask the group to vote" in page and "Change my suggestion" in page
    margin = text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert f'href="/proposals/{p.id}"' in margin and "1 suggestion" in margin


def test_other_kinds_of_proposal(as_other, world, db):
    first, second = live(db, world)
    rewrite = text(as_other.get(f"/sections/{world.section.id}/proposals/new?kind=rewrite"))
    assert f"{first.text}\n{second.text}</textarea>" in rewrite
    for data in (
        {"kind": "insert", "after": "start", "text": "Read this first."},
        {"kind": "insert", "after": str(first.id), "text": "It is yours."},
        {"kind": "delete", "sentence_ids": [str(second.id)]},
        {"kind": "rewrite", "text": f"{first.text}\nAsk your coordinator."},
    ):
        response = post(
            as_other, f"/sections/{world.section.id}/proposals/new", {**data, "reason": "Clearer"}
        )
        assert response.status_code == 302, text(response)
    kinds = [
        (p.kind.value, p.sentence_ids) for p in db.scalars(select(Proposal).order_by(Proposal.id))
    ]
    assert kinds[0] == ("insert", []) and kinds[1] == ("insert", [first.id])
    assert kinds[2] == ("delete", [second.id]) and kinds[3][0] == "rewrite"


@pytest.mark.parametrize(
    "data",
    [
        {"kind": "replace", "text": "New words.", "reason": ""},
        {"kind": "replace", "text": "", "reason": "Why not"},
        {"kind": "replace", "text": "SAME", "reason": "No change"},
        {"kind": "delete", "reason": "Nothing chosen"},
        {"kind": "insert", "after": "", "text": "Where?", "reason": "Unclear"},
    ],
)
def test_bad_proposals_are_shown_again_and_change_nothing(as_other, world, db, data):
    first = live(db, world)[0]
    data = {**data, "sentence_id": str(first.id)}
    if data.get("text") == "SAME":
        data["text"] = first.text
    response = post(as_other, f"/sections/{world.section.id}/proposals/new", data)
    assert response.status_code in (409, 422)
    assert "There is a problem" in text(response)
    assert count(db, Proposal) == 0


def test_only_the_author_edits_or_withdraws_and_only_until_voting(client, world, db, other):
    first = live(db, world)[0]
    sign_in(client, other.email)
    post(
        client,
        f"/sections/{world.section.id}/proposals/new",
        {
            "kind": "replace",
            "sentence_id": str(first.id),
            "text": "Money for support.",
            "reason": "Shorter",
        },
    )
    p = db.scalar(select(Proposal))
    # Someone else: no buttons, 403.
    member = signed_in(client.application, world.member.email)
    page = text(member.get(f"/proposals/{p.id}"))
    assert "Change my suggestion" not in page and "Ask the group to vote" not in page
    assert member.get(f"/proposals/{p.id}/edit").status_code == 403
    assert post(member, f"/proposals/{p.id}/withdraw").status_code == 403
    assert post(member, f"/proposals/{p.id}/vote").status_code == 403
    # The author edits it; a bad edit changes nothing.
    bad = post(client, f"/proposals/{p.id}/edit", {"text": "", "reason": "Shorter"})
    assert bad.status_code == 422 and "Write the words you suggest." in text(bad)
    assert (
        post(
            client,
            f"/proposals/{p.id}/edit",
            {"text": "Money for your support.", "reason": "Shorter still"},
        ).status_code
        == 302
    )
    db.expire_all()
    assert db.get(Proposal, p.id).text == "Money for your support."
    # A facilitator may ask for the vote; then it can no longer change.
    chair = signed_in(client.application, world.facilitator.email)
    assert post(chair, f"/proposals/{p.id}/vote").status_code == 302
    assert client.get(f"/proposals/{p.id}/edit").status_code == 409
    assert post(client, f"/proposals/{p.id}/withdraw").status_code == 409
    assert "Change my suggestion" not in text(client.get(f"/proposals/{p.id}"))


def test_withdraw(as_other, world, db):
    first = live(db, world)[0]
    post(
        as_other,
        f"/sections/{world.section.id}/proposals/new",
        {"kind": "delete", "sentence_ids": [str(first.id)], "reason": "Not needed"},
    )
    p = db.scalar(select(Proposal))
    assert post(as_other, f"/proposals/{p.id}/withdraw").status_code == 302
    db.expire_all()
    assert db.get(Proposal, p.id).status == ProposalStatus.WITHDRAWN
    margin = text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert "Decided suggestions" in margin and "Withdrawn" in margin


def test_discussion_on_a_proposal(as_other, world, db):
    first = live(db, world)[0]
    post(
        as_other,
        f"/sections/{world.section.id}/proposals/new",
        {"kind": "delete", "sentence_ids": [str(first.id)], "reason": "Not needed"},
    )
    p = db.scalar(select(Proposal))
    response = post(as_other, f"/proposals/{p.id}/comments", {"body": "Thoughts?"})
    assert (
        response.status_code == 302 and f"/proposals/{p.id}#thread-" in response.headers["Location"]
    )
    assert "Thoughts?" in text(as_other.get(f"/proposals/{p.id}"))
    # Not in the section margin: it belongs to the proposal.
    assert "Thoughts?" not in text(as_other.get(f"/sections/{world.section.id}/margin"))
    assert post(as_other, f"/proposals/{p.id}/comments", {"body": ""}).status_code == 422


# --- votes -------------------------------------------------------------------------------------


def _suggest(client, world, db):
    first = live(db, world)[0]
    post(
        client,
        f"/sections/{world.section.id}/proposals/new",
        {
            "kind": "replace",
            "sentence_id": str(first.id),
            "text": "It is money for care.",
            "reason": "Plainer",
        },
    )
    return db.scalar(select(Proposal))


def _voting(client, world, db, other):
    p = _suggest(client, world, db)
    assert post(client, f"/proposals/{p.id}/vote").status_code == 302
    return p, db.scalar(select(Vote))


def test_vote_panel_cast_change_and_outcome(as_other, world, db, other):
    p, vote = _voting(as_other, world, db, other)
    page = text(as_other.get(f"/proposals/{p.id}"))
    assert "0 of 3 members have voted." in page and "Cast my vote" in page
    assert "At least 2 of 3 members must vote." in page
    response = post(
        as_other,
        f"/votes/{vote.id}/ballot",
        {"choice": "reject", "next": f"/proposals/{p.id}#vote"},
    )
    assert response.status_code == 302 and response.headers["Location"] == f"/proposals/{p.id}#vote"
    page = text(as_other.get(f"/proposals/{p.id}"))
    assert "1 of 3 members has voted." in page and "Change my vote" in page
    assert "You voted: <strong>Reject</strong>" in page
    assert '<span class="people__name">Ola Other</span> Reject' in page  # not secret
    post(as_other, f"/votes/{vote.id}/ballot", {"choice": "approve"})
    assert votes.current_tally(db, db.get(Vote, vote.id)).approve == 1
    # Bad input: shown again, nothing changes.
    bad = post(as_other, f"/votes/{vote.id}/ballot", {"choice": "maybe"})
    assert bad.status_code == 422 and "Choose approve, reject or abstain." in text(bad)
    # Everyone votes: it closes, and the proposal is applied.
    for person in (world.member, world.facilitator):
        c = signed_in(as_other.application, person.email)
        post(c, f"/votes/{vote.id}/ballot", {"choice": "approve"})
    db.expire_all()
    assert db.get(Proposal, p.id).status == ProposalStatus.APPLIED
    assert live(db, world)[0].text == "It is money for care."
    page = text(as_other.get(f"/proposals/{p.id}"))
    assert "Outcome: Approved." in page and "Approved and now in the text" in page
    closed = post(as_other, f"/votes/{vote.id}/ballot", {"choice": "reject"})
    assert closed.status_code == 409 and "This vote has closed." in text(closed)
    decisions = text(as_other.get(f"/policies/{world.policy.id}/decisions"))
    assert "Closed votes (1)" in decisions and "Open votes (0)" in decisions


def test_an_open_vote_shows_what_is_voted_on(as_other, world, db, other):
    """Wherever an open vote on a suggestion is cast (its own page, the decisions page,
    the review before a session), the panel shows the reason and the change itself,
    not only a shortened title. The suggestion's page shows them once, above."""
    p, vote = _voting(as_other, world, db, other)
    change = '<ins class="diff-ins"><span class="visually-hidden">[added: </span>care'
    for url in (f"/votes/{vote.id}", f"/policies/{world.policy.id}/decisions"):
        page = text(as_other.get(url))
        panel = page[page.index('data-vote-panel="') :]
        assert "<strong>Why:</strong> Plainer" in panel, url
        assert change in panel, url
    page = text(as_other.get(f"/proposals/{p.id}"))
    assert "<strong>Why:</strong>" not in page[page.index('data-vote-panel="') :]
    post(as_other, f"/votes/{vote.id}/close")  # refused (not a facilitator): still open
    for person in (world.member, world.facilitator, other):
        c = signed_in(as_other.application, person.email)
        post(c, f"/votes/{vote.id}/ballot", {"choice": "approve"})
    closed = text(as_other.get(f"/votes/{vote.id}"))
    assert "Outcome: Approved." in closed and "<strong>Why:</strong>" not in closed


def test_secret_ballot_reveals_nobody(as_facilitator, world, db, other, client):
    response = post(
        as_facilitator,
        f"/groups/{world.group.id}/decision-rules",
        {
            "quorum_percent": "50",
            "threshold_percent": "50",
            "close_mode": "date",
            "vote_days": "7",
            "secret": "yes",
        },
    )
    assert response.status_code == 302
    p, vote = _voting(as_facilitator, world, db, other)
    post(as_facilitator, f"/votes/{vote.id}/ballot", {"choice": "reject"})
    for url in (
        f"/proposals/{p.id}",
        f"/votes/{vote.id}",
        f"/votes/{vote.id}/panel",
        f"/policies/{world.policy.id}/decisions",
        f"/proposals/{p.id}/live",
    ):
        page = text(as_facilitator.get(url))
        assert "This is a secret ballot: nobody can see how anyone voted." in page, url
        assert "Who voted how" not in page and "people__name" not in page, url
        # With one vote in, a running count would say how that person voted.
        assert "tally__label" not in page and "The count is shown when the vote closes." in page
    # A facilitator closes it early.
    assert "Close the vote now" in text(as_facilitator.get(f"/proposals/{p.id}"))
    assert (
        post(as_facilitator, f"/votes/{vote.id}/close", {"next": f"/proposals/{p.id}"}).status_code
        == 302
    )
    page = text(as_facilitator.get(f"/proposals/{p.id}"))
    assert "Outcome: Not decided: too few members voted." in page  # 1 of 3 voted
    assert "people__name" not in page
    assert 'Reject</span> <strong class="tally__n">1</strong>' in page  # the recorded count


def test_only_facilitators_close_votes(as_other, world, db, other):
    _p, vote = _voting(as_other, world, db, other)
    assert "Close the vote now" not in text(as_other.get(f"/votes/{vote.id}"))
    assert post(as_other, f"/votes/{vote.id}/close").status_code == 403
    db.expire_all()
    assert db.get(Vote, vote.id).is_open


def test_a_facilitator_gives_a_vote_more_time_from_its_page(as_other, app, world, db, other):
    from datetime import timedelta

    from server.web.times import for_input

    as_facilitator = app.test_client()
    assert sign_in(as_facilitator, world.facilitator.email).status_code == 302
    _p, vote = _voting(as_other, world, db, other)
    was = vote.closes_at
    field = f"vote-{vote.id}-closes_at"
    # Members see when it closes, not the form; asking anyway is refused.
    assert "Give it more time" not in text(as_other.get(f"/votes/{vote.id}"))
    assert (
        post(as_other, f"/votes/{vote.id}/more-time", {field: "2099-01-01T18:00"}).status_code
        == 403
    )
    page = text(as_facilitator.get(f"/policies/{world.policy.id}/decisions"))
    assert "Give it more time" in page and f'id="{field}"' in page
    # Offered a week past the time it closes now.
    week = for_input(was + timedelta(days=7)).strftime("%Y-%m-%dT%H:%M")
    assert f'value="{week}"' in page

    # A half-typed date is named in plain words, and so is a six-digit year.
    half = post(as_facilitator, f"/votes/{vote.id}/more-time", {field: "2026-12-01T1"})
    assert half.status_code == 422
    assert "Enter the whole date and time: the day, month and year" in text(half)
    long_year = post(as_facilitator, f"/votes/{vote.id}/more-time", {field: "202612-12-20T18:00"})
    assert "Enter a year with 4 digits, for example 2026." in text(long_year)
    # It closes before the next session: the panel says it will leave that agenda.
    from server.meetings import services as meetings

    later = was + timedelta(days=3)
    meetings.schedule(db, world.group, world.facilitator, title="Winter session", starts_at=later)
    db.commit()
    page = text(as_other.get(f"/votes/{vote.id}"))
    assert "That is before the next session, “Winter session”" in page
    assert "so it will not be on its agenda." in page
    # An earlier time is refused beside the box, and nothing changes.
    earlier = for_input(was - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    refused = post(as_facilitator, f"/votes/{vote.id}/more-time", {field: earlier})
    assert refused.status_code == 422
    page = text(refused)
    assert "There is a problem" in page and f'href="#{field}"' in page
    assert "Choose a later time than when the vote closes now" in page
    assert f'value="{earlier}"' in page  # what was typed is kept
    db.expire_all()
    assert db.get(Vote, vote.id).closes_at == was

    later = for_input(was + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    back = f"/policies/{world.policy.id}/decisions"
    done = post(
        as_facilitator, f"/votes/{vote.id}/more-time", {field: later, f"vote-{vote.id}-next": back}
    )
    assert done.status_code == 302 and done.headers["Location"] == back
    db.expire_all()
    assert db.get(Vote, vote.id).closes_at == (was + timedelta(days=3)).replace(
        second=0, microsecond=0
    )
    page = text(as_other.get(f"/votes/{vote.id}"))
    assert "A facilitator gave it more time on" in page


def test_decisions_list_suggestions_not_yet_put_to_a_vote(as_other, world, db, other):
    p = _suggest(as_other, world, db)
    page = text(as_other.get(f"/policies/{world.policy.id}/decisions"))
    assert "Suggestions not yet put to a vote (1)" in page
    assert f'href="/proposals/{p.id}"' in page and "suggested by" in page
    group = text(as_other.get(f"/groups/{world.group.id}/decisions"))
    assert "1 suggestion not yet put to a vote" in group
    assert "Suggestions not yet put to a vote (1)" in group and f'href="/proposals/{p.id}"' in group
    assert post(as_other, f"/proposals/{p.id}/vote").status_code == 302
    page = text(as_other.get(f"/policies/{world.policy.id}/decisions"))
    assert "Suggestions not yet put to a vote (0)" in page
    assert "None: every suggestion has been put to a vote or decided." in page


# --- agreeing a section ------------------------------------------------------------------------


def test_sub_group_marks_ready_group_agrees_and_later_changes_are_flagged(
    as_member, world, db, other
):
    page = text(as_member.get(f"/sections/{world.section.id}"))
    assert "Mark ready for the group to agree" in page
    assert post(as_member, f"/sections/{world.section.id}/ready").status_code == 302
    page = text(as_member.get(f"/sections/{world.section.id}"))
    assert "The whole group is voting on whether to agree it" in page
    assert "Mark ready for the group to agree" not in page
    vote = db.scalar(select(Vote))
    for person in (world.member, world.facilitator, other):
        c = signed_in(as_member.application, person.email)
        post(c, f"/votes/{vote.id}/ballot", {"choice": "approve"})
    db.expire_all()
    assert world.section.status == SectionStatus.AGREED
    from server.editing import services as editing

    first, second = live(db, world)
    editing.edit_text(
        db,
        world.section,
        first,
        world.member_ship.user,
        first.version,
        "@@ -1,2 +1,4 @@\n-It\n+This\n",
    )
    editing.delete(db, world.section, second, world.member_ship.user, second.version)
    db.commit()
    page = text(as_member.get(f"/sections/{world.section.id}"))
    assert "The group agreed this section on" in page
    assert "1 sentence changed, 1 removed" in page
    assert "Changed since the group agreed it." in page and "Show the agreed words" in page
    assert f'<del><span class="visually-hidden">Removed: </span>{second.text}</del>' in page
    assert "Ask the group to agree the changed text" in page


def test_only_the_sub_group_marks_ready(as_other, world, db):
    assert post(as_other, f"/sections/{world.section.id}/ready").status_code == 403
    assert count(db, Vote) == 0


# --- the group's rules -------------------------------------------------------------------------


def test_members_read_the_rules_and_facilitators_change_them(as_member, world, db):
    assert "How the group decides" in text(as_member.get(f"/groups/{world.group.id}"))
    page = text(as_member.get(f"/groups/{world.group.id}/decision-rules"))
    assert "At least 1 of 2 members must vote." in page and "Save the rules" not in page
    assert (
        post(
            as_member,
            f"/groups/{world.group.id}/decision-rules",
            {
                "quorum_percent": "10",
                "threshold_percent": "50",
                "close_mode": "date",
                "vote_days": "7",
                "secret": "no",
            },
        ).status_code
        == 403
    )


@pytest.mark.parametrize(
    "data",
    [
        {
            "quorum_percent": "101",
            "threshold_percent": "50",
            "close_mode": "date",
            "vote_days": "7",
            "secret": "no",
        },
        {
            "quorum_percent": "50",
            "threshold_percent": "100",
            "close_mode": "date",
            "vote_days": "7",
            "secret": "no",
        },
        {
            "quorum_percent": "50",
            "threshold_percent": "50",
            "close_mode": "never",
            "vote_days": "7",
            "secret": "no",
        },
        {
            "quorum_percent": "fifty",
            "threshold_percent": "50",
            "close_mode": "date",
            "vote_days": "0",
            "secret": "maybe",
        },
    ],
)
def test_bad_rules_are_shown_again_and_change_nothing(as_facilitator, world, db, data):
    response = post(as_facilitator, f"/groups/{world.group.id}/decision-rules", data)
    assert response.status_code == 422
    assert "There is a problem" in text(response)
    assert votes.group_rules(db, world.group.id).quorum_percent == 50
    from server.review.models import DecisionRules

    assert count(db, DecisionRules) == 0
