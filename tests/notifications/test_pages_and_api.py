"""Reading notifications through the pages and the API, marking them read,
password reset by email, and bad SMTP settings refused at start."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from server.config import ConfigError
from tests.conftest import ROOT, sign_in
from tests.notifications.conftest import BASE_URL, run_jobs


def mention(world, body="Hi @Ann Parent"):
    made = world.writer.api.ok(
        world.writer.api.post(f"/sections/{world.section.id}/comments", {"body": body}), 201
    )
    world.settle()
    return made


def csrf(client, path="/notifications"):
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_anonymous_callers_get_401_whatever_they_send(client):
    assert client.get("/api/v1/notifications").status_code == 401
    assert client.patch("/api/v1/notifications/email", json={"nonsense": 1}).status_code == 401
    assert client.post("/api/v1/notifications/99999/read", json=[]).status_code == 401


def test_the_api_lists_marks_read_and_refuses_a_bad_choice(world):
    ann = world.members[0]
    mention(world)
    mention(world, "And again @Ann Parent")
    listed = ann.api.ok(ann.api.get("/notifications"))
    assert listed["unread"] == 2 and len(listed["items"]) == 2
    first = listed["items"][0]
    assert first["kind"] == "mention" and first["url"].endswith(first["link"])
    assert first["link"].startswith(f"/sections/{world.section.id}#comment-")

    ann.api.ok(ann.api.post(f"/notifications/{first['id']}/read"))
    assert ann.api.ok(ann.api.get("/notifications"))["unread"] == 1
    # Someone else's notification is not found.
    assert world.members[1].api.post(f"/notifications/{first['id']}/read").status_code == 404
    done = ann.api.ok(ann.api.post("/notifications/read-all"))
    assert done == {"marked": 1, "unread": 0}

    bad = ann.api.patch("/notifications/email", {"choices": {"mention": "sometimes"}})
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "invalid"
    assert ann.api.ok(ann.api.get("/notifications/email"))["choices"]["mention"] == "now"


def test_opening_the_page_a_notification_points_at_marks_it_read(world, client):
    ann = world.members[0]
    mention(world)
    sign_in(client, ann.email)
    page = client.get("/notifications").get_data(as_text=True)
    assert "Wren Writer mentioned you" in page and 'class="tag"' in page
    token = csrf(client)
    seen = client.post(
        "/notifications/seen",
        data={"path": f"/sections/{world.section.id}", "csrf_token": token},
    )
    assert seen.get_json() == {"marked": 1, "unread": 0}

    mention(world, "Once more @Ann Parent")
    note = ann.api.ok(ann.api.get("/notifications"))["items"][0]
    opened = client.post(f"/notifications/{note['id']}/open", data={"csrf_token": token})
    assert opened.status_code == 303 and opened.headers["Location"] == note["link"]
    assert ann.api.ok(ann.api.get("/notifications"))["unread"] == 0


def test_a_member_who_left_the_group_no_longer_sees_its_notifications(world, db):
    from server.groups.models import Membership

    ann = world.members[0]
    mention(world)
    db.query(Membership).filter_by(user_id=ann.user.id, group_id=world.group.id).delete()
    db.commit()
    assert ann.api.ok(ann.api.get("/notifications")) == {
        "unread": 0,
        "items": [],
        "next_before": None,
    }


def test_password_reset_by_email_works_once_and_revokes_api_tokens(app, world, inbox, client):
    ann = world.members[0]
    page = client.get("/sign-in").get_data(as_text=True)
    assert "Forgot your password?" in page
    token = csrf(client, "/forgot-password")
    for address in (ann.email, "nobody@example.org"):
        sent = client.post("/forgot-password", data={"email": address, "csrf_token": token})
        assert sent.status_code == 200 and "Check your email" in sent.get_data(as_text=True)
    run_jobs(app)
    assert inbox.to("nobody@example.org") == []
    (msg,) = inbox.to(ann.email)
    text = msg.get_body(("plain",)).get_content()
    link = re.search(rf"{BASE_URL}(/reset/\S+)", text).group(1)

    form = client.get(link)
    assert form.status_code == 200
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.get_data(as_text=True)).group(1)
    new = "a brand new password here"
    done = client.post(link, data={"password": new, "confirm": new, "csrf_token": token})
    assert done.status_code == 302
    assert ann.api.get("/notifications").status_code == 401  # the old API token is revoked
    assert client.get(link).status_code in (404, 410)  # used once


def test_with_email_off_the_forgot_page_points_to_a_facilitator(app, client):
    app.config["MAIL"] = None
    assert "Forgot your password?" not in client.get("/sign-in").get_data(as_text=True)
    page = client.get("/forgot-password").get_data(as_text=True)
    assert "Ask a facilitator" in page


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"CODRAFT_SMTP_URL": "ftp://mail.example.org"}, "must start with smtp://"),
        ({"CODRAFT_SMTP_URL": "smtp://mail.example.org:notaport"}, "port that is not a number"),
        ({"CODRAFT_SMTP_URL": "smtp://mail.example.org"}, "CODRAFT_MAIL_FROM"),
        (
            {"CODRAFT_SMTP_HOST": "mail.example.org", "CODRAFT_MAIL_FROM": "a@example.org"},
            "CODRAFT_BASE_URL",
        ),
    ],
)
def test_bad_smtp_settings_are_a_clear_message_at_start(env, words, tmp_path):
    from server.config import load

    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)
    try:
        with pytest.raises(ConfigError, match=re.escape(words)):
            load({"INSTANCE_PATH": str(tmp_path), "SECRET_KEY": "x" * 20})
    finally:
        for k, v in old.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def test_the_jobs_command_refuses_bad_settings_with_a_message_not_a_traceback(tmp_path):
    env = {
        **os.environ,
        "CODRAFT_INSTANCE_PATH": str(tmp_path),
        "CODRAFT_SMTP_URL": "smtps://",
    }
    done = subprocess.run(
        [sys.executable, "-m", "server.cli", "jobs", "--once"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 1
    assert "Codraft cannot start: CODRAFT_SMTP_URL has no host name" in done.stderr
    assert "Traceback" not in done.stderr
