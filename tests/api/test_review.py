"""Review and decisions over the API: comments, proposals, votes, agreed sections and
decision rules, with every refusal the issue names (and nothing changed by one)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from server.accounts.models import User
from server.db import utcnow
from server.editing import services as editing
from server.policies.models import Section, Sentence
from server.review.models import Ballot, Comment, Proposal, Vote
from tests.api.review_support import (
    make_place,
    open_tally_is_hidden,
    reveals_no_ballots,
    texts,
)
from tests.api.support import error


@pytest.fixture
def place(api, world):
    return make_place(api, world)


def put(api, path, token, json):
    return api.call("PUT", path, token, json=json)


def propose(api, token, place, **body):
    reply = api.post(
        f"/sections/{place.section}/proposals", token, {"reason": "Plainer words", **body}
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def open_vote(api, token, proposal_id, **body):
    reply = api.post(f"/proposals/{proposal_id}/vote", token, body or None)
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json()


def set_rules(api, world, **changes):
    """The group's decision rules: the defaults, with `changes`."""
    rules = {
        "quorum_percent": 50,
        "threshold_percent": 50,
        "close_mode": "date",
        "vote_days": 7,
        "secret_ballot": False,
        **changes,
    }
    assert put(api, f"/groups/{world.group}/decision-rules", world.fac, rules).status_code == 200


def everyone_votes(api, world, vote_id, choice="approve"):
    for token in (world.fac, world.ed, world.mem):
        reply = put(api, f"/votes/{vote_id}/ballots/mine", token, {"choice": choice})
        assert reply.status_code == 200, reply.get_json()
    return reply.get_json()


def live_edit(db, world, sentence_id, patch):
    """Change a sentence through the live-editing engine, as Pat in the sub-group."""
    db.expire_all()
    row = db.get(Sentence, sentence_id)
    editing.edit_text(
        db, db.get(Section, row.section_id), row, db.get(User, world.editor), row.version, patch
    )
    db.commit()


# --- comments ------------------------------------------------------------------------------


def test_a_discussion_on_a_sentence_from_start_to_resolved(api, world, place):
    first = place.sentences[0]
    reply = api.post(
        f"/sections/{place.section}/comments",
        world.mem,
        {"body": "Is **monthly** right, @Pat Parent?", "sentence_id": first},
    )
    assert reply.status_code == 201, reply.get_json()
    root = reply.get_json()
    assert root["author"] == {"id": world.member, "name": "Hana Health"}
    assert "<strong>monthly</strong>" in root["body_html"]
    assert f'data-user-id="{world.editor}"' in root["body_html"]
    assert root["mentions"] == [world.editor]
    assert root["source"] == "Is **monthly** right, @Pat Parent?"
    assert (root["sentence_id"], root["anchor_sentence_id"]) == (first, first)
    assert root["quote"] == "You can ask for a personal budget."
    assert root["thread_id"] is None and root["resolved"] is None and root["replies"] == []
    assert not root["deleted"] and not root["on_removed_text"] and root["edited_at"] is None

    # Pat sees it among their mentions; the source is for its author only.
    [mention] = api.get(f"/groups/{world.group}/mentions", world.ed).get_json()
    assert mention["id"] == root["id"] and mention["source"] is None
    assert api.get(f"/groups/{world.group}/mentions", world.fac).get_json() == []

    answer = api.post(f"/comments/{root['id']}/replies", world.ed, {"body": "Yes, monthly."})
    assert answer.status_code == 201
    answer = answer.get_json()
    assert answer["thread_id"] == root["id"] and answer["anchor_sentence_id"] == first

    [thread] = api.get(f"/sections/{place.section}/comments", world.fac).get_json()
    assert [r["id"] for r in thread["replies"]] == [answer["id"]]
    assert thread["source"] is None and thread["replies"][0]["source"] is None

    edited = api.patch(f"/comments/{root['id']}", world.mem, {"body": "Is *monthly* right?"})
    assert edited.status_code == 200
    assert edited.get_json()["edited_at"] and edited.get_json()["mentions"] == []
    error(api.patch(f"/comments/{root['id']}", world.ed, {"body": "Hijack"}), 403)

    # Resolving: Hana started it, Pat owns the section; the facilitator may too.
    resolved = api.post(f"/comments/{answer['id']}/resolve", world.ed).get_json()
    assert resolved["id"] == root["id"]
    assert resolved["resolved"]["by"] == {"id": world.editor, "name": "Pat Parent"}
    reopened = api.post(f"/comments/{root['id']}/reopen", world.fac).get_json()
    assert reopened["resolved"] is None
    api.post(f"/comments/{root['id']}/resolve", world.mem)
    again = api.post(f"/comments/{root['id']}/replies", world.fac, {"body": "One more."})
    assert api.get(f"/comments/{root['id']}", world.fac).get_json()["resolved"] is None
    assert len(api.get(f"/comments/{root['id']}", world.fac).get_json()["replies"]) == 2
    single = api.get(f"/comments/{again.get_json()['id']}", world.fac).get_json()
    assert single["thread_id"] == root["id"] and single["replies"] == []

    # Deleting leaves a marker in the thread; replies stay.
    error(api.delete(f"/comments/{root['id']}", world.ed), 403)
    marker = api.delete(f"/comments/{root['id']}", world.mem)
    assert marker.status_code == 200
    marker = marker.get_json()
    assert marker["deleted"] and marker["body_html"] == "" and marker["source"] == ""
    [thread] = api.get(f"/sections/{place.section}/comments", world.fac).get_json()
    assert thread["deleted"] and len(thread["replies"]) == 2
    error(api.patch(f"/comments/{root['id']}", world.mem, {"body": "Back"}), 409, "deleted")


def test_only_those_responsible_resolve_a_thread(api, world, place):
    root = api.post(f"/sections/{place.section}/comments", world.ed, {"body": "Hmm."}).get_json()
    error(api.post(f"/comments/{root['id']}/resolve", world.mem), 403)
    assert api.get(f"/comments/{root['id']}", world.mem).get_json()["resolved"] is None


def test_a_comment_on_removed_text_keeps_its_words(api, world, place, db):
    third = place.sentences[2]
    comment = api.post(
        f"/sections/{place.section}/comments",
        world.mem,
        {"body": "Who is that?", "sentence_id": third},
    ).get_json()
    db.expire_all()
    row = db.get(Sentence, third)
    editing.delete(db, db.get(Section, place.section), row, db.get(User, world.editor), row.version)
    db.commit()
    shown = api.get(f"/comments/{comment['id']}", world.fac).get_json()
    assert shown["on_removed_text"] and shown["anchor_sentence_id"] is None
    assert shown["quote"] == "Ask your coordinator for help."


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("x" * 5001, "too_long"),
        ("<b></b>", "empty"),
        ("<p><i> </i></p><br><script></script>", "empty"),
        ("   ", "invalid"),
        ("x" * 20_001, "invalid"),
    ],
)
def test_bad_comment_bodies_are_refused_and_nothing_is_stored(api, world, place, db, body, code):
    err = error(
        api.post(f"/sections/{place.section}/comments", world.mem, {"body": body}), 422, code
    )
    assert "body" in err["fields"]
    root = api.post(f"/sections/{place.section}/comments", world.mem, {"body": "Fine."})
    error(
        api.post(f"/comments/{root.get_json()['id']}/replies", world.mem, {"body": body}), 422, code
    )
    error(api.patch(f"/comments/{root.get_json()['id']}", world.mem, {"body": body}), 422, code)
    db.expire_all()
    assert [c.source for c in db.query(Comment)] == ["Fine."]


def test_comments_stay_inside_the_group(api, world, place):
    path = f"/sections/{place.section}/comments"
    error(api.get(path, world.other), 404)
    error(api.post(path, world.other, {"body": "Hello"}), 404)
    error(api.get(f"/sections/{world.other_section}/comments", world.fac), 404)
    error(
        api.post(path, world.mem, {"body": "On theirs", "sentence_id": world.other_sentence}), 404
    )
    root = api.post(path, world.mem, {"body": "Ours"}).get_json()
    for call in (
        api.get(f"/comments/{root['id']}", world.other),
        api.post(f"/comments/{root['id']}/replies", world.other, {"body": "Hi"}),
        api.delete(f"/comments/{root['id']}", world.other),
        api.post(f"/comments/{root['id']}/resolve", world.other),
        api.get(f"/groups/{world.group}/mentions", world.other),
    ):
        error(call, 404)
    error(api.get(path), 401)
    error(api.post(path, world.mem, {"body": "x", "colour": "red"}), 422)


# --- proposals -----------------------------------------------------------------------------


def test_a_proposal_is_a_word_diff_its_author_may_change_or_withdraw(api, world, place):
    second = place.sentences[1]
    proposal = propose(
        api,
        world.mem,
        place,
        kind="replace",
        sentence_ids=[second],
        text="The council pays it every month.",
    )
    assert proposal["status"] == "open" and proposal["vote"] is None
    assert proposal["author"] == {"id": world.member, "name": "Hana Health"}
    assert not proposal["stale"] and proposal["conflict"] is None
    [change] = proposal["changes"]
    assert change["before"] == "The council pays it monthly."
    assert change["after"] == "The council pays it every month."
    assert {"op": "delete", "text": "monthly"} in change["pieces"]
    assert {"op": "insert", "text": "every month"} in change["pieces"]
    assert api.get(f"/proposals/{proposal['id']}", world.fac).get_json() == proposal
    assert [
        p["id"] for p in api.get(f"/sections/{place.section}/proposals", world.ed).get_json()
    ] == [proposal["id"]]

    error(api.patch(f"/proposals/{proposal['id']}", world.ed, {"reason": "Mine now"}), 403)
    changed = api.patch(
        f"/proposals/{proposal['id']}",
        world.mem,
        {"reason": "Clearer", "text": "The council pays it each month."},
    )
    assert changed.status_code == 200
    assert (changed.get_json()["reason"], changed.get_json()["text"]) == (
        "Clearer",
        "The council pays it each month.",
    )

    talk = api.post(f"/proposals/{proposal['id']}/comments", world.fac, {"body": "Agreed."})
    assert talk.status_code == 201 and talk.get_json()["proposal_id"] == proposal["id"]
    assert [
        c["id"] for c in api.get(f"/proposals/{proposal['id']}/comments", world.ed).get_json()
    ] == [talk.get_json()["id"]]
    assert api.get(f"/sections/{place.section}/comments", world.ed).get_json() == []

    error(api.post(f"/proposals/{proposal['id']}/withdraw", world.ed), 403)
    withdrawn = api.post(f"/proposals/{proposal['id']}/withdraw", world.mem).get_json()
    assert withdrawn["status"] == "withdrawn" and withdrawn["decided_at"]
    # Voting on a withdrawn proposal is refused, and so is changing it.
    error(api.post(f"/proposals/{proposal['id']}/vote", world.mem), 409, "not_open")
    error(api.post(f"/proposals/{proposal['id']}/vote", world.fac), 409, "not_open")
    error(api.patch(f"/proposals/{proposal['id']}", world.mem, {"reason": "x"}), 409, "decided")
    assert texts(api, world, place.section)[1] == "The council pays it monthly."


def test_every_kind_of_proposal_reads_against_the_text(api, world, place):
    first, second, third = place.sentences
    insert = propose(
        api,
        world.mem,
        place,
        kind="insert",
        sentence_ids=[first],
        text="It is yours to spend. Keep receipts.",
    )
    assert insert["changes"][0]["after"] == "It is yours to spend. Keep receipts."
    delete = propose(api, world.mem, place, kind="delete", sentence_ids=[second, third])
    assert [c["after"] for c in delete["changes"]] == ["", ""]
    rewrite = propose(api, world.mem, place, kind="rewrite", text="A budget is money for you.")
    assert rewrite["changes"][0]["sentence_ids"] == place.sentences
    listed = api.get(f"/sections/{place.section}/proposals", world.fac).get_json()
    assert [p["kind"] for p in listed] == ["rewrite", "delete", "insert"]


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"kind": "teleport", "sentence_ids": []}, 422, "kind"),
        ({"kind": "replace", "sentence_ids": [], "text": "New."}, 422, "sentence_ids"),
        ({"kind": "replace", "sentence_ids": "first", "text": ""}, 422, "text"),
        ({"kind": "replace", "sentence_ids": "first", "text": "x", "reason": " "}, 422, "reason"),
        ({"kind": "delete", "sentence_ids": [999999]}, 404, "sentence_ids"),
        ({"kind": "delete", "sentence_ids": "theirs"}, 404, "sentence_ids"),
        ({"kind": "rewrite", "text": "x" * 20_001}, 422, "text"),
    ],
)
def test_bad_proposals_are_refused_and_nothing_is_stored(
    api, world, place, db, body, status, field
):
    body = {"reason": "Because", **body}
    if body.get("sentence_ids") == "first":
        body["sentence_ids"] = place.sentences[:1]
    if body.get("sentence_ids") == "theirs":
        body["sentence_ids"] = [world.other_sentence]
    err = error(api.post(f"/sections/{place.section}/proposals", world.mem, body), status)
    assert field in err.get("fields", {}), err
    assert db.query(Proposal).count() == 0


def test_proposing_on_another_groups_policy_is_not_found(api, world, place, db):
    body = {"kind": "rewrite", "reason": "Ours is better", "text": "Mine."}
    error(api.post(f"/sections/{world.other_section}/proposals", world.fac, body), 404)
    error(api.post(f"/sections/{place.section}/proposals", world.other, body), 404)
    error(api.get(f"/sections/{world.other_section}/proposals", world.fac), 404)
    proposal = propose(api, world.mem, place, kind="rewrite", text="Mine.")
    for call in (
        api.get(f"/proposals/{proposal['id']}", world.other),
        api.patch(f"/proposals/{proposal['id']}", world.other, {"reason": "x"}),
        api.post(f"/proposals/{proposal['id']}/withdraw", world.other),
        api.post(f"/proposals/{proposal['id']}/vote", world.other),
        api.get(f"/proposals/{proposal['id']}/comments", world.other),
    ):
        error(call, 404)
    db.expire_all()
    assert db.query(Proposal).count() == 1


# --- votes ---------------------------------------------------------------------------------


def test_an_approved_proposal_changes_the_text(api, world, place, db):
    second = place.sentences[1]
    proposal = propose(
        api,
        world.mem,
        place,
        kind="replace",
        sentence_ids=[second],
        text="The council pays it every month.",
    )
    error(api.post(f"/proposals/{proposal['id']}/vote", world.ed), 403)  # not author or chair
    closes = (utcnow() + timedelta(days=2)).replace(microsecond=0)
    vote = open_vote(api, world.mem, proposal["id"], closes_at=closes.isoformat())
    assert vote["subject"] == "proposal" and vote["proposal_id"] == proposal["id"]
    assert vote["open"] and vote["closes_at"].startswith(closes.isoformat()[:19])
    assert vote["rules"]["quorum_percent"] == 50 and not vote["rules"]["secret"]
    assert vote["rules"]["explain"].startswith("At least 2 of 3 members must vote.")
    assert vote["tally"] == {"approve": 0, "reject": 0, "abstain": 0, "cast": 0, "members": 3}
    assert vote["ballots"] == [] and vote["my_choice"] is None
    assert api.get(f"/proposals/{proposal['id']}", world.fac).get_json()["status"] == "voting"
    error(
        api.patch(f"/proposals/{proposal['id']}", world.mem, {"reason": "x"}), 409, "voting_started"
    )
    error(api.post(f"/proposals/{proposal['id']}/withdraw", world.mem), 409, "voting_started")
    error(api.post(f"/proposals/{proposal['id']}/vote", world.mem), 409, "not_open")

    path = f"/votes/{vote['id']}"
    first = api.post(f"{path}/ballots", world.ed, {"choice": "approve"})
    assert first.status_code == 201 and first.get_json()["my_choice"] == "approve"
    # Voting twice with POST: 409, and the tally is as it was.
    error(api.post(f"{path}/ballots", world.ed, {"choice": "reject"}), 409, "already_voted")
    shown = api.get(path, world.mem).get_json()
    assert shown["tally"]["approve"] == 1 and shown["tally"]["reject"] == 0
    assert shown["my_choice"] is None
    assert shown["ballots"][0]["user"] == {"id": world.editor, "name": "Pat Parent"}
    assert shown["ballots"][0]["choice"] == "approve"
    db.expire_all()
    assert [b.choice for b in db.query(Ballot)] == ["approve"]

    changed = put(api, f"{path}/ballots/mine", world.ed, {"choice": "reject"}).get_json()
    assert changed["my_choice"] == "reject" and changed["tally"]["reject"] == 1
    error(put(api, f"{path}/ballots/mine", world.ed, {"choice": "maybe"}), 422)
    put(api, f"{path}/ballots/mine", world.ed, {"choice": "approve"})
    api.post(f"{path}/ballots", world.fac, {"choice": "approve"})
    last = api.post(f"{path}/ballots", world.mem, {"choice": "abstain"}).get_json()
    # Everyone has voted, so it closed, and the outcome was carried out.
    assert not last["open"] and last["outcome"] == "approved" and last["closed_at"]
    assert last["tally"] == {"approve": 2, "reject": 0, "abstain": 1, "cast": 3, "members": 3}
    assert texts(api, world, place.section)[1] == "The council pays it every month."
    decided = api.get(f"/proposals/{proposal['id']}", world.ed).get_json()
    assert decided["status"] == "applied" and decided["vote"]["outcome"] == "approved"
    assert not decided["vote"]["open"]

    # A closed vote takes no more votes and cannot be closed again.
    error(put(api, f"{path}/ballots/mine", world.ed, {"choice": "reject"}), 409, "vote_closed")
    error(api.post(f"{path}/close", world.fac), 409, "vote_closed")
    assert api.get(path, world.ed).get_json()["tally"] == last["tally"]


def test_a_facilitator_closes_a_vote_early(api, world, place):
    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.fac, proposal["id"])
    api.post(f"/votes/{vote['id']}/ballots", world.ed, {"choice": "approve"})
    error(api.post(f"/votes/{vote['id']}/close", world.ed), 403)
    error(api.post(f"/votes/{vote['id']}/close", world.other), 404)
    closed = api.post(f"/votes/{vote['id']}/close", world.fac)
    assert closed.status_code == 200
    assert closed.get_json()["outcome"] == "no_quorum"  # 1 of 3 voted; 2 needed
    assert api.get(f"/proposals/{proposal['id']}", world.fac).get_json()["status"] == "not_decided"
    error(
        api.post(f"/votes/{vote['id']}/ballots", world.mem, {"choice": "approve"}),
        409,
        "vote_closed",
    )
    assert len(texts(api, world, place.section)) == 3


def test_a_facilitator_gives_a_vote_more_time_never_less(api, world, place, db):
    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.mem, proposal["id"])
    path = f"/votes/{vote['id']}"
    was = datetime.fromisoformat(vote["closes_at"])
    later = (was + timedelta(days=3)).isoformat()
    assert vote["extended_at"] is None

    def patch(token, body):
        return api.call("PATCH", path, token, json=body)

    # Refused, and nothing changes: not a facilitator, not in the group, no time, an
    # earlier or the same time, not a time.
    error(patch(world.mem, {"closes_at": later}), 403)
    error(patch(world.other, {"closes_at": later}), 404)
    error(patch(None, {"closes_at": later}), 401)
    for body in (
        {},
        {"closes_at": (was - timedelta(hours=1)).isoformat()},
        {"closes_at": was.isoformat()},
        {"closes_at": "next Tuesday"},
    ):
        assert "closes_at" in error(patch(world.fac, body), 422)["fields"]
    assert api.get(path, world.mem).get_json()["closes_at"] == vote["closes_at"]

    moved = patch(world.fac, {"closes_at": later})
    assert moved.status_code == 200, moved.get_json()
    body = moved.get_json()
    assert datetime.fromisoformat(body["closes_at"]) == was + timedelta(days=3)
    assert body["open"] and body["extended_at"] is not None
    assert api.get(path, world.ed).get_json()["closes_at"] == body["closes_at"]

    # A vote whose time is up is being counted: no more time for it, nor for a closed one.
    db.expire_all()
    db.get(Vote, vote["id"]).closes_at = utcnow() - timedelta(seconds=1)
    db.commit()
    error(patch(world.fac, {"closes_at": later}), 409, "vote_closed")
    api.post(f"{path}/close", world.fac)
    error(patch(world.fac, {"closes_at": later}), 409, "vote_closed")


def test_a_vote_that_closes_when_everyone_voted_has_no_time_to_move(api, world, place):
    set_rules(api, world, close_mode="all_voted")
    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.mem, proposal["id"])
    assert vote["closes_at"] is None
    later = (utcnow() + timedelta(days=3)).isoformat()
    reply = api.call("PATCH", f"/votes/{vote['id']}", world.fac, json={"closes_at": later})
    error(reply, 409, "no_closing_time")
    assert api.get(f"/votes/{vote['id']}", world.fac).get_json()["extended_at"] is None


def test_a_policys_suggestions_not_yet_put_to_a_vote(api, world, place):
    first = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    second = propose(api, world.ed, place, kind="delete", sentence_ids=place.sentences[1:2])
    path = f"/policies/{place.policy}/proposals"
    listed = api.get(path, world.mem).get_json()
    assert [p["id"] for p in listed] == [first["id"], second["id"]]  # oldest first
    open_vote(api, world.mem, first["id"])
    waiting = api.get(f"{path}?status=open", world.mem).get_json()
    assert [(p["id"], p["status"]) for p in waiting] == [(second["id"], "open")]
    assert waiting[0]["changes"] and waiting[0]["decided_by"] == "group"
    voting = api.get(f"{path}?status=voting", world.mem).get_json()
    assert [p["id"] for p in voting] == [first["id"]]
    assert "status" in error(api.get(f"{path}?status=maybe", world.mem), 422)["fields"]
    error(api.get(path, world.other), 404)
    error(api.get(path, None), 401)


def test_a_non_member_cannot_see_or_vote(api, world, place, db):
    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.mem, proposal["id"])
    error(api.get(f"/votes/{vote['id']}", world.other), 404)
    error(api.post(f"/votes/{vote['id']}/ballots", world.other, {"choice": "approve"}), 404)
    error(put(api, f"/votes/{vote['id']}/ballots/mine", world.other, {"choice": "approve"}), 404)
    error(api.get(f"/policies/{place.policy}/votes", world.other), 404)
    error(api.post(f"/votes/{vote['id']}/ballots", None, {"choice": "approve"}), 401)
    db.expire_all()
    assert db.query(Ballot).count() == 0


def test_a_due_vote_shows_closing_on_reads_and_closes_in_the_scheduled_job(
    app, api, world, place, db
):
    from server import jobs

    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.mem, proposal["id"])
    for token in (world.ed, world.mem):
        api.post(f"/votes/{vote['id']}/ballots", token, {"choice": "approve"})
    error(api.post(f"/proposals/{proposal['id']}/vote", world.fac), 409, "not_open")
    db.expire_all()
    db.get(Vote, vote["id"]).closes_at = utcnow() - timedelta(seconds=1)
    db.commit()
    # Reads change nothing: the due vote is still open, shown as closing.
    for _ in range(2):
        seen = api.get(f"/votes/{vote['id']}", world.fac).get_json()
        assert seen["open"] is True and seen["closing"] is True and seen["outcome"] is None
        listed = api.get(f"/policies/{place.policy}/votes?open=true", world.fac).get_json()
        assert [v["id"] for v in listed] == [vote["id"]] and listed[0]["closing"] is True
        api.get(f"/proposals/{proposal['id']}", world.fac)
        assert len(texts(api, world, place.section)) == 3
    error(api.post(f"/votes/{vote['id']}/ballots", world.fac, {"choice": "reject"}), 409)
    assert jobs.run_all(app.extensions["codraft_db"])["close_due_votes"] == 1
    listed = api.get(f"/policies/{place.policy}/votes?open=false", world.fac).get_json()
    assert [v["id"] for v in listed] == [vote["id"]] and listed[0]["outcome"] == "approved"
    assert listed[0]["closing"] is False
    assert api.get(f"/policies/{place.policy}/votes?open=true", world.fac).get_json() == []
    assert len(texts(api, world, place.section)) == 2


def test_votes_are_listed_by_policy_and_filtered(api, world, place):
    a = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    b = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[1:2])
    va, vb = open_vote(api, world.mem, a["id"]), open_vote(api, world.mem, b["id"])
    api.post(f"/votes/{va['id']}/close", world.fac)
    path = f"/policies/{place.policy}/votes"
    assert [v["id"] for v in api.get(path, world.ed).get_json()] == [vb["id"], va["id"]]
    assert [v["id"] for v in api.get(f"{path}?open=true", world.ed).get_json()] == [vb["id"]]
    assert [v["id"] for v in api.get(f"{path}?open=false", world.ed).get_json()] == [va["id"]]
    error(api.get(f"{path}?open=maybe", world.ed), 422)
    error(
        api.post(f"/proposals/{a['id']}/vote", world.mem, {"closes_at": "2001-01-01T00:00"}),
        409,
        "not_open",
    )
    c = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[:1])
    err = error(
        api.post(f"/proposals/{c['id']}/vote", world.mem, {"closes_at": "2001-01-01T00:00:00Z"}),
        422,
    )
    assert "closes_at" in err["fields"]
    assert api.get(f"/proposals/{c['id']}", world.mem).get_json()["status"] == "open"


# --- secret ballots ------------------------------------------------------------------------


def test_a_secret_ballot_never_shows_who_voted_how(api, world, place):
    set_rules(api, world, secret_ballot=True)
    proposal = propose(api, world.mem, place, kind="delete", sentence_ids=place.sentences[2:])
    vote = open_vote(api, world.mem, proposal["id"])
    assert vote["rules"]["secret"] and vote["ballots"] is None
    path = f"/votes/{vote['id']}"
    api.post(f"{path}/ballots", world.ed, {"choice": "approve"})
    api.post(f"{path}/ballots", world.mem, {"choice": "reject"})

    def everything(token):
        return [
            api.get(path, token).get_json(),
            api.get(f"/policies/{place.policy}/votes", token).get_json(),
            api.get(f"/policies/{place.policy}/votes?open=true", token).get_json(),
            api.get(f"/proposals/{proposal['id']}", token).get_json(),
            api.get(f"/sections/{place.section}/proposals", token).get_json(),
        ]

    for token, mine in ((world.mem, "reject"), (world.fac, None), (world.ed, "approve")):
        seen = everything(token)
        reveals_no_ballots(seen, mine)
        open_tally_is_hidden(seen[0])
        assert seen[0]["tally"] == {"cast": 2, "members": 3}
        assert seen[0]["my_choice"] == mine

    # Changing a vote and casting one answer with your own choice only.
    changed = put(api, f"{path}/ballots/mine", world.ed, {"choice": "abstain"}).get_json()
    reveals_no_ballots(changed, "abstain")
    closed = api.post(f"{path}/close", world.fac).get_json()
    reveals_no_ballots(closed, None)
    # The outcome is recorded with the tally, still without who voted how.
    assert closed["outcome"] == "rejected"
    assert closed["tally"] == {"approve": 0, "reject": 1, "abstain": 1, "cast": 2, "members": 3}
    for token, mine in ((world.mem, "reject"), (world.fac, None)):
        seen = everything(token)
        reveals_no_ballots([seen[0], seen[1], seen[3], seen[4]], mine)


# --- applying stale proposals ------------------------------------------------------------


def test_a_stale_proposal_merges_words_changed_elsewhere(api, world, place, db):
    second = place.sentences[1]
    proposal = propose(
        api,
        world.mem,
        place,
        kind="replace",
        sentence_ids=[second],
        text="The council pays it every month.",
    )
    live_edit(db, world, second, "@@ -1,3 +1,3 @@\n-The\n+Our\n")
    shown = api.get(f"/proposals/{proposal['id']}", world.fac).get_json()
    assert shown["stale"] and shown["changes"][0]["before"] == "Our council pays it monthly."
    # Shown as what approving it does now: "Our" stays (it was shown struck through,
    # as if the suggestion would undo the newer change).
    change = shown["changes"][0]
    assert change["after"] == "Our council pays it every month."
    assert [p["text"] for p in change["pieces"] if p["op"] == "delete"] == ["monthly"]
    vote = open_vote(api, world.mem, proposal["id"])
    everyone_votes(api, world, vote["id"])
    decided = api.get(f"/proposals/{proposal['id']}", world.fac).get_json()
    assert decided["status"] == "applied" and decided["conflict"] is None
    assert texts(api, world, place.section)[1] == "Our council pays it every month."


def test_a_stale_proposal_on_the_same_words_is_a_conflict_with_both_texts(api, world, place, db):
    second = place.sentences[1]
    proposal = propose(
        api,
        world.mem,
        place,
        kind="replace",
        sentence_ids=[second],
        text="The council pays it every month.",
    )
    live_edit(db, world, second, "@@ -20,13 +20,12 @@\n it \n-monthly\n+weekly\n .\n")
    edited = texts(api, world, place.section)[1]
    assert edited == "The council pays it weekly."
    vote = open_vote(api, world.mem, proposal["id"])
    everyone_votes(api, world, vote["id"])
    decided = api.get(f"/proposals/{proposal['id']}", world.fac).get_json()
    assert decided["status"] == "conflict" and decided["stale"]
    assert decided["conflict"]["current"] == edited
    assert decided["conflict"]["proposed"] == "The council pays it every month."
    assert decided["conflict"]["reason"]
    assert texts(api, world, place.section)[1] == edited  # nothing applied half way


# --- agreeing a section --------------------------------------------------------------------


def test_the_sub_group_marks_a_section_ready_and_the_group_agrees_it(api, world, place):
    path = f"/sections/{place.section}"
    none_yet = api.get(f"{path}/agreement", world.mem).get_json()
    assert none_yet["agreed"] is None and none_yet["open_vote_id"] is None
    error(api.post(f"{path}/ready", world.mem), 403)
    error(api.post(f"{path}/ready", world.fac), 403)  # facilitators do not own it
    error(api.post(f"/sections/{world.other_section}/ready", world.ed), 404)
    vote = api.post(f"{path}/ready", world.ed)
    assert vote.status_code == 201, vote.get_json()
    vote = vote.get_json()
    assert vote["subject"] == "agreement" and vote["proposal_id"] is None
    error(api.post(f"{path}/ready", world.ed), 409, "already_open")
    waiting = api.get(f"{path}/agreement", world.mem).get_json()
    assert waiting["status"] == "ready_for_review" and waiting["open_vote_id"] == vote["id"]

    everyone_votes(api, world, vote["id"])
    agreed = api.get(f"{path}/agreement", world.mem).get_json()
    assert agreed["status"] == "agreed" and agreed["open_vote_id"] is None
    assert agreed["agreed"]["vote_id"] == vote["id"]
    assert [s["id"] for s in agreed["agreed"]["sentences"]] == place.sentences
    assert not agreed["changed_since_agreed"]
    assert api.get(path, world.mem).get_json()["status"] == "agreed"

    added = api.post(f"{path}/sentences", world.ed, {"text": "Keep receipts."}).get_json()
    flags = api.get(f"{path}/agreement", world.mem).get_json()
    assert flags["changed_since_agreed"] and flags["added"] == [added[0]["id"]]
    assert flags["changed"] == [] and flags["removed"] == []


# --- decision rules ------------------------------------------------------------------------


def test_facilitators_set_the_decision_rules_members_read_them(api, world):
    path = f"/groups/{world.group}/decision-rules"
    defaults = api.get(path, world.mem).get_json()
    assert defaults == {
        "group_id": world.group,
        "quorum_percent": 50,
        "threshold_percent": 50,
        "close_mode": "date_or_all_voted",
        "vote_days": 7,
        "secret_ballot": False,
        "wording_decided_by": "group",
        "explain": defaults["explain"],
    }
    assert defaults["explain"].startswith("At least 2 of 3 members must vote.")
    rules = {
        "quorum_percent": 100,
        "threshold_percent": 66,
        "close_mode": "all_voted",
        "vote_days": 3,
        "secret_ballot": True,
    }
    error(put(api, path, world.mem, rules), 403)
    error(put(api, f"/groups/{world.other_group}/decision-rules", world.fac, rules), 404)
    error(api.get(f"/groups/{world.other_group}/decision-rules", world.fac), 404)
    err = error(
        put(
            api,
            path,
            world.fac,
            {**rules, "quorum_percent": 101, "vote_days": 0, "close_mode": "never"},
        ),
        422,
    )
    assert set(err["fields"]) == {"quorum_percent", "vote_days", "close_mode"}
    error(put(api, path, world.fac, {"quorum_percent": 10}), 422)
    assert api.get(path, world.mem).get_json() == defaults
    saved = put(api, path, world.fac, rules)
    assert saved.status_code == 200
    assert api.get(path, world.ed).get_json() == saved.get_json()
    assert saved.get_json()["explain"].startswith("At least 3 of 3 members must vote.")
