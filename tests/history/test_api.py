"""The history API: checkpoints, reading the past, diffs, timelines, restores and
attribution, with the errors people get for bad input and missing rights."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from diff_match_patch import diff_match_patch
from sqlalchemy import func, select

from server.policies.models import PolicyOp, Sentence
from tests.history.conftest import live_outline

dmp = diff_match_patch()


def _tokens(make, team):
    return {name: make.token(getattr(team, name)) for name in ("fac", "alice", "bob", "carol")}


def _outline_from_api(body) -> list:
    return [
        (
            p["title"],
            [
                (
                    s["id"],
                    s["title"],
                    s["subgroup_id"],
                    s["status"],
                    [(x["id"], x["text"]) for x in s["sentences"]],
                )
                for s in p["sections"]
            ],
        )
        for p in body["parts"]
    ]


def _error(reply, status, code):
    assert reply.status_code == status, reply.get_json()
    body = reply.get_json()
    assert set(body) == {"error"} and body["error"]["code"] == code
    assert body["error"]["message"]
    return body["error"]


def test_random_history_through_the_api(db, team, make, api):
    """Changes made through the API (and the editing services, as live sockets make
    them), read back at every saved point and every checkpoint through the API."""
    from server.editing import services as editing

    tokens = _tokens(make, team)
    rng = random.Random(5)
    saved = []
    checkpoints = []
    part_ids = [p.id for p in team.policy.parts]
    for step in range(80):
        roll = rng.random()
        section_ids = [s[0] for _t, secs in live_outline(db, team.policy) for s in secs]
        if roll < 0.1 or not section_ids:
            reply = api.post(
                f"/parts/{rng.choice(part_ids)}/sections",
                tokens["fac"],
                {
                    "title": f"Section {step}",
                    "subgroup_id": team.sub.id,
                    "text": f"First of {step}. Second of {step}.",
                },
            )
            assert reply.status_code == 201
        elif roll < 0.15 and len(section_ids) > 1:
            assert (
                api.delete(f"/sections/{rng.choice(section_ids)}", tokens["fac"]).status_code == 204
            )
        elif roll < 0.2:
            assert (
                api.patch(
                    f"/sections/{rng.choice(section_ids)}",
                    tokens["fac"],
                    {"title": f"Renamed {step}"},
                ).status_code
                == 200
            )
        elif roll < 0.45:
            assert (
                api.post(
                    f"/sections/{rng.choice(section_ids)}/sentences",
                    tokens["alice"],
                    {"text": f"Added at {step}. And more."},
                ).status_code
                == 201
            )
        else:
            rows = list(
                db.scalars(
                    select(Sentence).where(
                        Sentence.section_id.in_(section_ids), Sentence.deleted_at.is_(None)
                    )
                )
            )
            if rows:
                s = rng.choice(rows)
                new = s.text.replace(".", f" at step {step}.", 1)
                editing.edit_text(
                    db,
                    s.section,
                    s,
                    rng.choice([team.alice, team.bob]),
                    s.version,
                    dmp.patch_toText(dmp.patch_make(s.text, new)),
                )
                db.commit()
        saved.append(
            (
                db.scalar(
                    select(func.max(PolicyOp.seq)).where(PolicyOp.policy_id == team.policy.id)
                ),
                live_outline(db, team.policy),
            )
        )
        if step % 10 == 0:
            reply = api.post(
                f"/policies/{team.policy.id}/checkpoints", tokens["carol"], {"name": f"Step {step}"}
            )
            assert reply.status_code == 201
            checkpoints.append((reply.get_json(), saved[-1][1]))
    for seq, expected in saved:
        reply = api.get(f"/policies/{team.policy.id}/history/text?point=seq:{seq}", tokens["carol"])
        assert reply.status_code == 200
        assert _outline_from_api(reply.get_json()) == expected
    for checkpoint, expected in checkpoints:
        reply = api.get(
            f"/policies/{team.policy.id}/history/text?point={checkpoint['point']}", tokens["bob"]
        )
        body = reply.get_json()
        assert body["point"]["checkpoint_id"] == checkpoint["id"]
        assert _outline_from_api(body) == expected
    # The diff between the first and last checkpoints says what changed.
    first, last = checkpoints[0][0], checkpoints[-1][0]
    body = api.get(
        f"/policies/{team.policy.id}/history/diff?from={first['point']}&to={last['point']}",
        tokens["carol"],
    ).get_json()
    assert body["from"]["seq"] == first["seq"] and body["to"]["seq"] == last["seq"]
    assert sum(body["summary"].values()) > 0 and body["sections"]


def test_checkpoints_any_member_makes_facilitators_rename_and_remove(team, make, api):
    t = _tokens(make, team)
    made = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "Draft for session 3"}
    )
    assert made.status_code == 201
    cp = made.get_json()
    assert cp["name"] == "Draft for session 3" and cp["created_by"]["name"] == "Carol Nurse"
    assert cp["seq"] == team.policy.seq and cp["point"] == f"checkpoint:{cp['id']}"
    assert [
        c["id"] for c in api.get(f"/policies/{team.policy.id}/checkpoints", t["alice"]).get_json()
    ] == [cp["id"]]
    _error(api.patch(f"/checkpoints/{cp['id']}", t["carol"], {"name": "Mine"}), 403, "forbidden")
    _error(api.delete(f"/checkpoints/{cp['id']}", t["alice"]), 403, "forbidden")
    assert (
        api.patch(f"/checkpoints/{cp['id']}", t["fac"], {"name": "Session 3"}).get_json()["name"]
        == "Session 3"
    )
    _error(
        api.post(f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "  "}),
        422,
        "invalid",
    )
    assert api.delete(f"/checkpoints/{cp['id']}", t["fac"]).status_code == 204
    _error(api.get(f"/checkpoints/{cp['id']}", t["fac"]), 404, "not_found")


def test_bad_points_are_clear_errors(team, make, api):
    t = _tokens(make, team)
    base = f"/policies/{team.policy.id}/history/text?point="
    _error(api.get(base + "checkpoint:999999", t["alice"]), 404, "not_found")
    before = (team.policy.created_at - timedelta(days=1)).isoformat()
    err = _error(api.get(base + "time:" + before.replace("+", "%2B"), t["alice"]), 422, "invalid")
    assert "before the policy existed" in err["message"]
    future = (datetime.now(UTC) + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert (
        "future" in _error(api.get(base + "time:" + future, t["alice"]), 422, "invalid")["message"]
    )
    _error(api.get(base + "time:yesterday", t["alice"]), 422, "invalid")
    _error(api.get(base + "seq:99999", t["alice"]), 422, "invalid")
    _error(api.get(base + "whenever", t["alice"]), 422, "invalid")
    _error(api.get(f"/policies/{team.policy.id}/history/diff", t["alice"]), 422, "invalid")
    _error(
        api.get(f"/policies/{team.policy.id}/history/diff?from=checkpoint:424242", t["alice"]),
        404,
        "not_found",
    )
    # A checkpoint of another policy is unknown here.
    other = make.policy(team.group, team.fac, "Another")
    cp = api.post(f"/policies/{other.id}/checkpoints", t["alice"], {"name": "x"}).get_json()
    _error(api.get(base + f"checkpoint:{cp['id']}", t["alice"]), 404, "not_found")
    _error(api.get(f"/policies/{team.policy.id}/history?limit=0", t["alice"]), 422, "invalid")


def test_restores_need_the_right_to_edit_and_change_nothing_otherwise(db, team, make, api):
    t = _tokens(make, team)
    section = api.get(f"/sections/{team.section.id}", t["alice"]).get_json()
    first = section["sentences"][0]
    cp = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["alice"], {"name": "Start"}
    ).get_json()
    seq = team.policy.seq
    # Carol is a member but not in the owning sub-group; the facilitator neither.
    for who in ("carol", "fac"):
        _error(
            api.post(f"/sentences/{first['id']}/restore", t[who], {"version": 1}), 403, "forbidden"
        )
        _error(
            api.post(f"/sections/{team.section.id}/restore", t[who], {"point": cp["point"]}),
            403,
            "forbidden",
        )
    _error(
        api.post(f"/sentences/{first['id']}/restore", t["alice"], {"version": 7}), 404, "not_found"
    )
    _error(
        api.post(
            f"/sections/{team.section.id}/restore", t["alice"], {"point": "checkpoint:999999"}
        ),
        404,
        "not_found",
    )
    _error(
        api.post(
            f"/sections/{team.section.id}/restore",
            t["alice"],
            {"point": "time:1999-01-01T00:00:00Z"},
        ),
        422,
        "invalid",
    )
    db.expire_all()
    assert (
        db.scalar(select(func.max(PolicyOp.seq)).where(PolicyOp.policy_id == team.policy.id)) == seq
    )


def test_other_groups_see_nothing(team, make, api):
    t = _tokens(make, team)
    outsider = make.user("Olu Other", "olu@example.org")
    other_group = make.group(outsider, "Elsewhere")
    token = make.token(outsider)
    cp = api.post(f"/policies/{team.policy.id}/checkpoints", t["alice"], {"name": "A"}).get_json()
    sentence = team.section.sentences[0].id
    for path in (
        f"/policies/{team.policy.id}/checkpoints",
        f"/checkpoints/{cp['id']}",
        f"/policies/{team.policy.id}/history/text",
        f"/policies/{team.policy.id}/history/diff?from=seq:0",
        f"/policies/{team.policy.id}/history",
        f"/sections/{team.section.id}/history",
        f"/sentences/{sentence}/history",
        f"/sentences/{sentence}/versions",
        f"/sections/{team.section.id}/attribution",
    ):
        _error(api.get(path, token), 404, "not_found")
    _error(api.post(f"/sentences/{sentence}/restore", token, {"version": 1}), 404, "not_found")
    _error(
        api.post(f"/sections/{team.section.id}/restore", token, {"point": "seq:1"}),
        404,
        "not_found",
    )
    _error(api.patch(f"/checkpoints/{cp['id']}", token, {"name": "B"}), 404, "not_found")
    assert other_group.id != team.group.id


def test_restore_round_trip_timeline_and_attribution(db, team, make, api):
    """Alice and Bob change a section; Bob restores a sentence and then the whole
    section; the text, the timelines and the attribution all say so."""
    from server.editing import services as editing

    t = _tokens(make, team)
    cp = api.post(
        f"/policies/{team.policy.id}/checkpoints", t["carol"], {"name": "Before"}
    ).get_json()
    rows = list(team.section.sentences)
    s0 = rows[0]
    for user, new in (
        (team.alice, "A budget is an amount of money."),
        (team.bob, "A Personal Budget is an amount of money."),
    ):
        db.refresh(s0)
        editing.edit_text(
            db, team.section, s0, user, s0.version, dmp.patch_toText(dmp.patch_make(s0.text, new))
        )
        db.commit()
    api.post(f"/sections/{team.section.id}/sentences", t["alice"], {"text": "New one."})
    # Sentence restore: back to version 2 (Alice's text).
    reply = api.post(f"/sentences/{s0.id}/restore", t["bob"], {"version": 2})
    assert reply.status_code == 200, reply.get_json()
    body = reply.get_json()
    assert (
        body["ops"][0]["cause"] == "restore"
        and body["ops"][0]["text"] == "A budget is an amount of money."
    )
    # Nothing to do: the same again makes no change.
    assert api.post(f"/sentences/{s0.id}/restore", t["bob"], {"version": 2}).get_json() == {
        "seq": None,
        "ops": [],
    }
    timeline = api.get(f"/sentences/{s0.id}/history", t["carol"]).get_json()["revisions"]
    assert [r["summary"] for r in timeline][:1] == ["restored an earlier text: changed a sentence"]
    assert timeline[0]["before"] == "A Personal Budget is an amount of money."
    assert {"op": "insert", "text": "budget"} in timeline[0]["pieces"]
    # Filter by member.
    mine = api.get(
        f"/policies/{team.policy.id}/history?member={team.alice.id}", t["carol"]
    ).get_json()["revisions"]
    assert mine and all(r["author"]["id"] == team.alice.id for r in mine)
    # Attribution: the facilitator wrote it, Alice and Bob changed it.
    att = api.get(f"/sections/{team.section.id}/attribution", t["carol"]).get_json()
    first = next(a for a in att if a["sentence_id"] == s0.id)
    assert first["written_by"]["name"] == "Fatima Facilitator"
    assert {c["person"]["name"] for c in first["changed_by"]} == {"Alice Parent", "Bob Teacher"}
    # Section restore to the checkpoint: the text is as it was, history grew.
    before = api.get(
        f"/policies/{team.policy.id}/history/text?point={cp['point']}", t["carol"]
    ).get_json()
    reply = api.post(f"/sections/{team.section.id}/restore", t["alice"], {"point": cp["point"]})
    assert reply.status_code == 200 and all(
        o["cause"] == "restore" for o in reply.get_json()["ops"]
    )
    now = api.get(f"/sections/{team.section.id}", t["carol"]).get_json()
    want = before["parts"][0]["sections"][0]["sentences"]
    assert [s["text"] for s in now["sentences"]] == [s["text"] for s in want]
    diff = api.get(
        f"/policies/{team.policy.id}/history/diff?from={cp['point']}&to=now", t["carol"]
    ).get_json()
    assert diff["sections"] == [] and sum(diff["summary"].values()) == 0
    # Paging the policy timeline.
    page1 = api.get(f"/policies/{team.policy.id}/history?limit=2", t["carol"]).get_json()
    page2 = api.get(
        f"/policies/{team.policy.id}/history?limit=2&before={page1['next_before']}", t["carol"]
    ).get_json()
    assert page1["revisions"][-1]["first_seq"] > page2["revisions"][0]["first_seq"]
