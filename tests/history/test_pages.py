"""History pages through the test client: they render, forms work, rights hold."""

from __future__ import annotations

import re

from diff_match_patch import diff_match_patch

from server.history.models import Checkpoint
from tests.conftest import sign_in

dmp = diff_match_patch()


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def _edit(db, team, user, new):
    from server.editing import services as editing

    s = team.section.sentences[0]
    db.refresh(s)
    editing.edit_text(
        db, team.section, s, user, s.version, dmp.patch_toText(dmp.patch_make(s.text, new))
    )
    db.commit()


def test_history_pages_render_and_checkpoints_work(db, team, client):
    _edit(db, team, team.alice, "A budget is an amount of money.")
    sign_in(client, "carol@example.org")
    pid = team.policy.id
    page = client.get(f"/policies/{pid}")
    assert f"/policies/{pid}/history" in page.get_data(as_text=True)
    page = client.get(f"/policies/{pid}/history")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "Alice Parent" in text and "changed a sentence" in text
    assert "Rename or remove" not in text  # Carol is not a facilitator
    reply = client.post(
        f"/policies/{pid}/checkpoints", data={"name": "Session 1", "csrf_token": _csrf(text)}
    )
    assert reply.status_code == 302
    cp = db.query(Checkpoint).one()
    assert cp.name == "Session 1" and cp.created_by_id == team.carol.id
    bad = client.post(f"/policies/{pid}/checkpoints", data={"name": "", "csrf_token": _csrf(text)})
    assert bad.status_code == 422 and "Give the checkpoint a name." in bad.get_data(as_text=True)
    assert (
        client.post(
            f"/checkpoints/{cp.id}/rename", data={f"cp{cp.id}-name": "X", "csrf_token": _csrf(text)}
        ).status_code
        == 403
    )
    _edit(db, team, team.bob, "A budget is an amount of money for you.")
    read = client.get(f"/policies/{pid}/history/read?point=checkpoint:{cp.id}")
    assert read.status_code == 200
    assert "A budget is an amount of money." in read.get_data(as_text=True)
    assert "This is not the current text." in read.get_data(as_text=True)
    now = client.get(f"/policies/{pid}/history/read").get_data(as_text=True)
    assert "You are reading the current text" in now and "not the current text" not in now
    diff = client.get(f"/policies/{pid}/history/diff?from=checkpoint:{cp.id}&to=now")
    body = diff.get_data(as_text=True)
    assert '<ins class="diff-ins"><span class="visually-hidden">[added: </span>' in body
    assert "for you" in body
    early = client.get(f"/policies/{pid}/history/read?moment=1999-01-01T10:00")
    assert early.status_code == 422 and "before the policy existed" in early.get_data(as_text=True)
    assert client.get(f"/policies/{pid}/history/read?point=checkpoint:99999").status_code == 404
    section = client.get(f"/sections/{team.section.id}").get_data(as_text=True)
    assert "Who wrote this" in section and "Written by Fatima Facilitator" in section
    sec = client.get(f"/sections/{team.section.id}/history").get_data(as_text=True)
    assert "Restore the text to this point" not in sec  # Carol may not edit it
    sid = team.section.sentences[0].id
    assert "Version 3 (now)" in client.get(f"/sentences/{sid}/history").get_data(as_text=True)
    assert (
        client.post(
            f"/sentences/{sid}/restore", data={"version": "1", "csrf_token": _csrf(text)}
        ).status_code
        == 403
    )


def test_editors_restore_and_facilitators_manage_checkpoints(db, team, client, make):
    _edit(db, team, team.alice, "Changed once.")
    sign_in(client, "alice@example.org")
    sid = team.section.sentences[0].id
    page = client.get(f"/sentences/{sid}/history").get_data(as_text=True)
    assert "Restore" in page
    reply = client.post(
        f"/sentences/{sid}/restore", data={"version": "1", "csrf_token": _csrf(page)}
    )
    assert reply.status_code == 302
    db.expire_all()
    assert team.section.sentences[0].text == "A budget is money."
    sec = client.get(f"/sections/{team.section.id}/history").get_data(as_text=True)
    assert "restored an earlier text" in sec and "Restore the text to this point" in sec
    client.post("/sign-out", data={"csrf_token": _csrf(sec)})
    sign_in(client, "fatima@example.org")
    page = client.get(f"/policies/{team.policy.id}/history").get_data(as_text=True)
    client.post(
        f"/policies/{team.policy.id}/checkpoints", data={"name": "First", "csrf_token": _csrf(page)}
    )
    cp = db.query(Checkpoint).one()
    page = client.get(f"/policies/{team.policy.id}/history").get_data(as_text=True)
    assert "Rename or remove" in page
    assert (
        client.post(
            f"/checkpoints/{cp.id}/rename",
            data={f"cp{cp.id}-name": "Renamed", "csrf_token": _csrf(page)},
        ).status_code
        == 302
    )
    db.expire_all()
    assert db.get(Checkpoint, cp.id).name == "Renamed"
    assert (
        client.post(f"/checkpoints/{cp.id}/delete", data={"csrf_token": _csrf(page)}).status_code
        == 302
    )
    db.expire_all()
    assert db.get(Checkpoint, cp.id) is None


def test_published_versions_and_session_starts_are_points_to_pick(db, team, client):
    """The compare, read and restore menus offer each published version beside the
    checkpoints (a session's start is one), and a page names the point as the menu
    does ("version 1"), not by its change number."""
    from server.db import utcnow
    from server.meetings import services as meetings
    from server.publishing import services as publishing

    facilitator = team.fac
    publishing.publish(db, team.policy, facilitator)
    db.commit()
    _edit(db, team, team.alice, "A budget is an amount of money.")
    meeting = meetings.schedule(
        db, team.group, facilitator, title="March session", starts_at=utcnow()
    )
    meetings.start(db, meeting, facilitator)
    db.commit()
    _edit(db, team, team.alice, "A budget is an amount of money for support.")
    sign_in(client, "carol@example.org")
    pid = team.policy.id
    page = client.get(f"/policies/{pid}/history").get_data(as_text=True)
    assert '<optgroup label="Published versions">' in page
    assert '<optgroup label="Checkpoints">' in page
    version = re.search(r'<option value="(seq:\d+)">Version 1 \(', page).group(1)
    started = re.search(r'<option value="(checkpoint:\d+)">Start of session: March', page).group(1)
    read = client.get(f"/policies/{pid}/history/read", query_string={"point": version})
    assert "You are reading the policy as it was at version 1" in read.get_data(as_text=True)
    diff = client.get(
        f"/policies/{pid}/history/diff", query_string={"from": version, "to": started}
    ).get_data(as_text=True)
    assert "Changes from <strong>version 1</strong>" in diff
    assert "to <strong>checkpoint “Start of session: March session”</strong>" in diff
    assert "[added: </span>an amount of" in diff
    assert "for support" not in diff  # typed after the session started


def test_a_sentence_lists_one_version_per_change_not_per_saved_key(db, team, client):
    """Typing is kept as one change until its writer pauses: the sentence page lists
    that change once (it listed every saved batch of keys, seven for one phrase)."""
    first = team.section.sentences[0]
    base = first.text
    for end in (" Ask", " Ask us", " Ask us how."):
        _edit(db, team, team.alice, base + end)
    sign_in(client, "carol@example.org")
    page = client.get(f"/sentences/{first.id}/history").get_data(as_text=True)
    shown = re.findall(r'<span class="row__title">Version (\d+)', page)
    assert shown == ["4", "1"]
    assert "Version 4 (now)" in page and base + " Ask us how." in page


def test_a_split_shows_its_new_sentence_not_removed_words(db, team, client):
    """A split removes nothing: the sentence's history shows the first half and the
    new sentence, where it showed the words after the cut struck through."""
    from server.editing import services as editing

    first = team.section.sentences[0]
    db.refresh(first)
    cut = first.text.index(" ") + 1
    editing.split(db, team.section, first, team.alice, first.version, cut)
    db.commit()
    sign_in(client, "carol@example.org")
    page = client.get(f"/sentences/{first.id}/history").get_data(as_text=True)
    item = page[page.index("split a sentence in two") :]
    item = item[: item.index("</li>")]
    assert "Its new sentence:" in item and "[removed: " not in item
