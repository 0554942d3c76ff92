"""Mentions are stored by member id: names with apostrophes, ampersands and
letters from any alphabet are mentioned and shown once-escaped, through the API
and on the page; a renamed member still resolves; someone outside the group is
plain text and is mentioned nowhere."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from server.review import comments
from server.review.models import Comment
from tests.conftest import sign_in

V1 = "/api/v1"
NAMES = ["Tom O'Neill", "Tom & Jerry", "Zoë", "Ана", "李雷"]


@pytest.fixture(autouse=True)
def fast_passwords(monkeypatch):
    from server.accounts import passwords

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    monkeypatch.setattr(passwords, "_hasher", lambda: cheap)


@pytest.fixture
def people(make, world):
    group = world.section.part.policy.group
    members = {name: make.member(group, make.user(name)) for name in NAMES}
    outsider = make.user("Olu Outsider")
    make.group(outsider, "Elsewhere")
    return members, outsider


def post_comment(client, make, membership, section_id, body):
    token = make.token(membership.user)
    reply = client.post(
        f"{V1}/sections/{section_id}/comments",
        json={"body": body},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert reply.status_code == 201, reply.get_json()
    return reply.get_json(), token


BODY = "Thanks @Tom O'Neill, @Tom & Jerry, @zoë, @Ана and @李雷 — and @Olu Outsider."


def test_names_of_every_kind_are_mentioned_and_escaped_once(client, make, world, people, db):
    members, outsider = people
    got, _ = post_comment(client, make, world.writer, world.section.id, BODY)
    html = got["body_html"]
    for name, escaped in [
        ("Tom O'Neill", "Tom O'Neill"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("Zoë", "Zoë"),
        ("Ана", "Ана"),
        ("李雷", "李雷"),
    ]:
        uid = members[name].user_id
        assert f'<span class="mention" data-user-id="{uid}">@{escaped}</span>' in html, html
    assert "&#x27;" not in html and "&amp;amp;" not in html and "&amp;#" not in html
    # Someone outside the group is words, not a mention, and is not recorded.
    assert "and @Olu Outsider.</p>" in html
    assert got["mentions"] == sorted(m.user_id for m in members.values())
    comment = db.get(Comment, got["id"])
    assert outsider.id not in comments.mentioned_user_ids(db, comment)
    assert comments.mentioned_user_ids(db, comment) == got["mentions"]

    sign_in(client, members["Zoë"].user.email)
    page = client.get(f"/sections/{world.section.id}").get_data(as_text=True)
    assert "@Tom O&#39;Neill" not in page and "O&amp;#x27;Neill" not in page
    tom = members["Tom O'Neill"].user_id
    assert f'data-user-id="{tom}">@Tom O\'Neill</span>' in page
    assert "@Tom &amp; Jerry</span>" in page


def test_a_renamed_member_still_resolves_and_stays_mentioned_after_an_edit(
    client, make, world, people, db
):
    members, _ = people
    tom = members["Tom O'Neill"]
    got, token = post_comment(client, make, world.writer, world.section.id, "Over to @Tom O'Neill.")
    tom.user.display_name = "Thomas <O'Neill>"
    db.commit()

    shown = client.get(
        f"{V1}/comments/{got['id']}", headers={"Authorization": f"Bearer {token}"}
    ).get_json()
    assert f'data-user-id="{tom.user_id}">@Thomas &lt;O\'Neill&gt;</span>' in shown["body_html"]
    assert shown["mentions"] == [tom.user_id]

    # Changing the comment keeps the mention typed under the old name.
    changed = client.patch(
        f"{V1}/comments/{got['id']}",
        json={"body": "Over to @Tom O'Neill, please."},
        headers={"Authorization": f"Bearer {token}"},
    ).get_json()
    assert changed["mentions"] == [tom.user_id]
    assert "@Thomas &lt;O'Neill&gt;</span>, please." in changed["body_html"]


def test_mention_candidates_for_the_name_picker(client, make, world, people):
    members, outsider = people
    token = make.token(world.writer.user)
    group_id = world.section.part.policy.group_id

    def candidates(q, who=token):
        return client.get(
            f"{V1}/groups/{group_id}/mention-candidates",
            query_string={"q": q},
            headers={"Authorization": f"Bearer {who}"},
        )

    assert [c["name"] for c in candidates("tom").get_json()] == ["Tom & Jerry", "Tom O'Neill"]
    assert [c["name"] for c in candidates("o'n").get_json()] == ["Tom O'Neill"]
    assert [c["name"] for c in candidates("zoe").get_json()] == ["Zoë"]
    assert [c["name"] for c in candidates("ан").get_json()] == ["Ана"]
    assert candidates("jerry").get_json() == [
        {"id": members["Tom & Jerry"].user_id, "name": "Tom & Jerry"}
    ]
    assert candidates("olu").get_json() == []  # not in the group
    assert len(candidates("").get_json()) == 10  # the first ten, by name
    assert candidates("tom", make.token(outsider)).status_code == 404
    assert client.get(f"{V1}/groups/{group_id}/mention-candidates?q=tom").status_code == 401
