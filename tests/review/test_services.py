"""Review services against a real database: comments, proposals, votes, applying
and agreeing. HTTP, pages and sockets are tested in tests/api, tests/web and
tests/browser; here each rule's edges."""

from __future__ import annotations

from datetime import timedelta

import pytest

from server.accounts.models import User
from server.db import utcnow
from server.editing import services as editing
from server.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from server.groups.services import remove_member
from server.policies.models import Section, SectionStatus, Sentence
from server.policies.services import sentences_of
from server.review import agreement, comments, proposals, votes
from server.review.models import Outcome, ProposalStatus


def texts(db, section) -> list[str]:
    db.expire_all()
    return [s.text for s in sentences_of(db, [section.id])[section.id]]


def user(db, membership) -> User:
    return db.get(User, membership.user_id)


def live(db, section) -> list[Sentence]:
    return sentences_of(db, [section.id])[section.id]


def everyone_votes(db, vote, members, choice="approve"):
    for m in members:
        if vote.is_open:
            votes.cast(db, vote, m, choice)
    db.commit()


# --- comments --------------------------------------------------------------------------------


def test_comment_threads_replies_and_resolve(db, world):
    first = live(db, world.section)[0]
    root = comments.add(
        db, world.section, world.others[0], "Is **monthly** right?", sentence_id=first.id
    )
    comments.reply(db, root, world.writer, "We think so, @Member 0.")
    db.commit()
    [thread] = comments.threads(db, world.section.id)
    assert thread.anchor.id == first.id and len(thread.replies) == 1
    assert "<strong>monthly</strong>" in thread.root.body_html
    assert comments.mentions_of(db, world.others[0].user_id, [world.section.policy_id])
    with pytest.raises(PermissionDenied):  # not the author, not the sub-group
        comments.set_resolved(db, root, world.others[1], world.section.subgroup_id, True)
    comments.set_resolved(db, root, world.writer, world.section.subgroup_id, True)
    assert comments.threads(db, world.section.id)[0].resolved
    comments.reply(db, root, world.others[1], "Reopening: still unsure.")
    assert not comments.threads(db, world.section.id)[0].resolved


def test_edit_and_delete_only_your_own_and_deleted_leaves_a_marker(db, world):
    root = comments.add(db, world.section, world.others[0], "First thought")
    comments.reply(db, root, world.others[1], "A reply")
    with pytest.raises(PermissionDenied):
        comments.edit(db, root, world.others[1], "Hijack")
    comments.edit(db, root, world.others[0], "Second thought")
    comments.delete(db, root, world.others[0])
    db.commit()
    [thread] = comments.threads(db, world.section.id)
    assert thread.root.deleted_at is not None and thread.root.body_html == ""
    assert thread.replies[0].source == "A reply"


@pytest.mark.parametrize(
    "body", ["", "   ", "<b></b>", "<p><i> </i></p>", "<script></script>", "x" * 5001]
)
def test_bad_comment_bodies_are_refused(db, world, body):
    with pytest.raises(InvalidInput):
        comments.add(db, world.section, world.others[0], body)


def test_comment_follows_a_merge_and_survives_a_delete(db, world):
    first, second, third = live(db, world.section)
    on_second = comments.add(
        db, world.section, world.others[0], "About the second", sentence_id=second.id
    )
    on_third = comments.add(
        db, world.section, world.others[0], "About the third", sentence_id=third.id
    )
    writer = user(db, world.writer)
    editing.merge(db, world.section, second, first, writer, second.version, first.version)
    editing.delete(db, world.section, db.get(Sentence, third.id), writer, third.version)
    db.commit()
    threads = {t.root.id: t for t in comments.threads(db, world.section.id)}
    assert threads[on_second.id].anchor.id == first.id
    assert threads[on_third.id].on_removed_text
    assert threads[on_third.id].root.quote == "Ask your coordinator for help."


# --- proposals and votes ---------------------------------------------------------------------


def propose(db, world, kind, text=None, ids=None, who=None):
    return proposals.create(
        db,
        world.section,
        who or world.others[0],
        kind=kind,
        reason="Plainer words",
        text=text,
        sentence_ids=ids,
    )


def test_replace_approved_applies_through_the_engine(db, world):
    second = live(db, world.section)[1]
    p = propose(db, world, "replace", "The council pays it every month.", [second.id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    everyone_votes(db, vote, world.everyone)
    assert vote.outcome == Outcome.APPROVED and p.status == ProposalStatus.APPLIED
    assert texts(db, world.section)[1] == "The council pays it every month."
    assert vote.tally == {"approve": 5, "reject": 0, "abstain": 0, "members": 5, "cast": 5}


def test_author_edits_or_withdraws_only_until_voting(db, world):
    first = live(db, world.section)[0]
    p = propose(db, world, "replace", "You may ask for a personal budget.", [first.id])
    with pytest.raises(PermissionDenied):
        proposals.update(db, p, world.others[1], reason="Not mine")
    proposals.update(db, p, world.others[0], text="You can always ask for a personal budget.")
    votes.open_for_proposal(db, p, world.facilitator, user(db, world.facilitator))
    with pytest.raises(Conflict):
        proposals.withdraw(db, p, world.others[0])
    with pytest.raises(Conflict):
        proposals.update(db, p, world.others[0], reason="Too late")


def test_stale_proposal_merges_when_different_words_changed(db, world):
    second = live(db, world.section)[1]
    p = propose(db, world, "replace", "The council pays it every month.", [second.id])
    writer = user(db, world.writer)
    patch = "@@ -1,3 +1,3 @@\n-The\n+Our\n"
    editing.edit_text(db, world.section, second, writer, second.version, patch)
    db.commit()
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    everyone_votes(db, vote, world.everyone)
    assert p.status == ProposalStatus.APPLIED
    assert texts(db, world.section)[1] == "Our council pays it every month."


def test_stale_proposal_conflicts_when_the_same_words_changed(db, world):
    second = live(db, world.section)[1]
    p = propose(db, world, "replace", "The council pays it every month.", [second.id])
    before_edit = second.text
    writer = user(db, world.writer)
    editing.edit_text(
        db,
        world.section,
        second,
        writer,
        second.version,
        "@@ -20,13 +20,12 @@\n it \n-monthly\n+weekly\n .\n",
    )
    db.commit()
    edited = texts(db, world.section)[1]
    assert edited != before_edit
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    everyone_votes(db, vote, world.everyone)
    assert p.status == ProposalStatus.CONFLICT
    assert p.conflict["current"] == edited
    assert p.conflict["proposed"] == "The council pays it every month."
    assert texts(db, world.section)[1] == edited  # nothing applied half way


def test_insert_delete_and_rewrite(db, world):
    first, second, third = live(db, world.section)
    ins = propose(db, world, "insert", "It is yours to spend. Keep receipts.", [first.id])
    dele = propose(db, world, "delete", ids=[third.id])
    for p in (ins, dele):
        everyone_votes(
            db,
            votes.open_for_proposal(db, p, world.facilitator, user(db, world.facilitator)),
            world.everyone,
        )
    assert texts(db, world.section) == [
        first.text,
        "It is yours to spend.",
        "Keep receipts.",
        second.text,
    ]
    rw = propose(
        db,
        world,
        "rewrite",
        f"{first.text} It is yours. Keep receipts. The council pays it every month.",
    )
    everyone_votes(
        db,
        votes.open_for_proposal(db, rw, world.facilitator, user(db, world.facilitator)),
        world.everyone,
    )
    assert texts(db, world.section) == [
        first.text,
        "It is yours.",
        "Keep receipts.",
        "The council pays it every month.",
    ]
    assert live(db, world.section)[0].id == first.id  # unchanged sentences keep their ids


@pytest.mark.parametrize(
    ("kind", "text", "ids", "error"),
    [
        ("replace", "New", [], InvalidInput),
        ("replace", "", "first", InvalidInput),
        ("replace", "same", "first", InvalidInput),
        ("delete", None, [999999], NotFound),
        ("insert", "New.", [1, 2], InvalidInput),
        ("teleport", "x", [], InvalidInput),
        ("rewrite", "", [], InvalidInput),
    ],
)
def test_bad_proposals_are_refused(db, world, kind, text, ids, error):
    first = live(db, world.section)[0]
    if ids == "first":
        ids = [first.id]
    if text == "same":
        text = first.text
    with pytest.raises(error):
        propose(db, world, kind, text, ids)


def test_reason_is_required(db, world):
    first = live(db, world.section)[0]
    with pytest.raises(InvalidInput):
        proposals.create(
            db,
            world.section,
            world.others[0],
            kind="replace",
            reason=" ",
            text="x",
            sentence_ids=[first.id],
        )


def test_one_member_one_vote_and_changes_until_close(db, world):
    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    votes.cast(db, vote, world.others[1], "approve")
    with pytest.raises(Conflict):
        votes.cast(db, vote, world.others[1], "approve", change=False)
    votes.cast(db, vote, world.others[1], "reject")
    assert votes.current_tally(db, vote).reject == 1
    assert votes.current_tally(db, vote).cast == 1
    with pytest.raises(InvalidInput):
        votes.cast(db, vote, world.others[1], "maybe")


def test_a_member_who_leaves_mid_vote_is_not_counted(db, world):
    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    votes.cast(db, vote, world.others[2], "reject")
    votes.cast(db, vote, world.others[0], "approve")
    remove_member(db, world.others[2])
    db.commit()
    tally = votes.current_tally(db, vote)
    assert (tally.approve, tally.reject, tally.members) == (1, 0, 4)


def test_votes_after_closing_are_refused(db, world):
    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    votes.close(db, vote, user(db, world.facilitator))
    assert vote.outcome == Outcome.NO_QUORUM and p.status == ProposalStatus.NOT_DECIDED
    with pytest.raises(Conflict):
        votes.cast(db, vote, world.others[1], "approve")
    with pytest.raises(Conflict):
        votes.close(db, vote, user(db, world.facilitator))


def test_a_due_vote_closes_in_the_scheduled_job_not_when_looked_at(db, world):
    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(
        db, p, world.others[0], user(db, world.others[0]), closes_at=utcnow() + timedelta(hours=1)
    )
    for m in world.everyone[:3]:
        votes.cast(db, vote, m, "approve")
    later = utcnow() + timedelta(hours=2)
    assert votes.is_due(db, vote, later) and vote.is_open  # reading changes nothing
    with pytest.raises(Conflict):  # no ballot after its time
        votes.cast(db, vote, world.everyone[3], "reject", now=later)
    assert votes.close_due(db, later) == 1
    assert vote.outcome == Outcome.APPROVED and p.status == ProposalStatus.APPLIED


def test_rules_are_copied_when_a_vote_opens(db, world):
    chair = user(db, world.facilitator)
    votes.set_group_rules(
        db,
        world.section.part.policy.group_id,
        chair,
        quorum_percent=100,
        threshold_percent=50,
        close_mode="all_voted",
        vote_days=7,
        secret_ballot=True,
    )
    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    votes.set_group_rules(
        db,
        world.section.part.policy.group_id,
        chair,
        quorum_percent=10,
        threshold_percent=50,
        close_mode="date",
        vote_days=7,
        secret_ballot=False,
    )
    assert vote.quorum_percent == 100 and vote.secret and vote.closes_at is None
    assert votes.ballots_shown(db, vote) is None


def test_bad_rules_are_refused(db, world):
    with pytest.raises(InvalidInput) as err:
        votes.set_group_rules(
            db,
            1,
            user(db, world.facilitator),
            quorum_percent=101,
            threshold_percent=100,
            close_mode="never",
            vote_days=0,
            secret_ballot=False,
        )
    assert set(err.value.fields) == {
        "quorum_percent",
        "threshold_percent",
        "close_mode",
        "vote_days",
    }


# --- agreeing a section ----------------------------------------------------------------------


def test_agree_a_section_then_flag_later_changes(db, world):
    writer = user(db, world.writer)
    vote = votes.open_for_agreement(db, world.section, world.section.part.policy.group_id, writer)
    assert world.section.status == SectionStatus.READY_FOR_REVIEW
    with pytest.raises(Conflict):
        votes.open_for_agreement(db, world.section, world.section.part.policy.group_id, writer)
    everyone_votes(db, vote, world.everyone)
    assert db.get(Section, world.section.id).status == SectionStatus.AGREED
    first = live(db, world.section)[0]
    assert not agreement.since_agreed(db, world.section).any
    editing.edit_text(
        db, world.section, first, writer, first.version, "@@ -1,3 +1,3 @@\n-You\n+We\n"
    )
    db.commit()
    flags = agreement.since_agreed(db, world.section)
    assert flags.changed == {first.id: "You can ask for a personal budget."}


def test_a_rejected_agreement_goes_back_to_drafting(db, world):
    vote = votes.open_for_agreement(
        db, world.section, world.section.part.policy.group_id, user(db, world.writer)
    )
    everyone_votes(db, vote, world.everyone, "reject")
    assert db.get(Section, world.section.id).status == SectionStatus.DRAFTING
    assert agreement.latest(db, world.section.id) is None


def test_the_scheduled_job_closes_votes_past_their_time(app, db, world):
    from server import jobs

    def close_due_votes(database):
        return jobs.run_all(database)["close_due_votes"]

    p = propose(db, world, "delete", ids=[live(db, world.section)[2].id])
    vote = votes.open_for_proposal(db, p, world.others[0], user(db, world.others[0]))
    for m in world.everyone[:3]:
        votes.cast(db, vote, m, "approve")
    db.commit()
    assert close_due_votes(app.extensions["codraft_db"]) == 0  # not yet due
    # Each job ends its session (fresh state next run): load what we look at again.
    vote, p = votes.get_vote(db, vote.id), db.get(type(p), p.id)
    vote.closes_at = utcnow() - timedelta(seconds=1)
    db.commit()
    assert close_due_votes(app.extensions["codraft_db"]) == 1
    vote, p = votes.get_vote(db, vote.id), db.get(type(p), p.id)
    assert vote.outcome == Outcome.APPROVED and p.status == ProposalStatus.APPLIED
    assert len(texts(db, world.section)) == 2
