"""The "done when" journey, through the API alone: from a facilitator's password to
a new member adding a sentence to a section their sub-group owns. Run on SQLite and
on PostgreSQL."""

from __future__ import annotations

import pytest

from tests.api.conftest import Api
from tests.api.support import error
from tests.conftest import PASSWORD, Factory, made_app

PASTED = (
    "You can ask for a Personal Budget, e.g. for transport. Mr. Smith said 1.5 hours "
    'a week is fine. It is part of your EHCP. The officer said "You will hear soon."'
)
SENTENCES = [
    "You can ask for a Personal Budget, e.g. for transport.",
    "Mr. Smith said 1.5 hours a week is fine.",
    "It is part of your EHCP.",
    'The officer said "You will hear soon."',
]


def journey(app) -> None:
    Factory(app).user("Fran Facilitator", "fran@example.org")
    api = Api(app.test_client())

    def ok(reply, status=200):
        assert reply.status_code == status, reply.get_json()
        return reply.get_json()

    fran = api.token("fran@example.org")
    group = ok(api.post("/groups", fran, {"name": "Northshire SEND co-production"}), 201)

    def join(email, role, name):
        inv = ok(
            api.post(f"/groups/{group['id']}/invitations", fran, {"email": email, "role": role}),
            201,
        )
        assert ok(api.get(f"/invitations/{inv['token']}"))["group"]["name"] == group["name"]
        joined = ok(
            api.post(
                f"/invitations/{inv['token']}/accept",
                json={"display_name": name, "password": PASSWORD},
            ),
            201,
        )
        return joined["user"]["id"], api.token(email)

    pat_id, pat = join("pat@example.org", "parent_carer", "Pat")
    _hana_id, hana = join("hana@example.org", "health", "Hana")

    money = ok(api.post(f"/groups/{group['id']}/subgroups", fran, {"name": "Money"}), 201)
    ok(api.post(f"/subgroups/{money['id']}/members", pat, {"user_id": pat_id}), 403)
    ok(api.post(f"/subgroups/{money['id']}/members", fran, {"user_id": pat_id}), 201)

    policy = ok(
        api.post(f"/groups/{group['id']}/policies", fran, {"title": "EHCP Personal Budget policy"}),
        201,
    )
    part = ok(
        api.post(f"/policies/{policy['id']}/parts", fran, {"title": "Frequently asked questions"}),
        201,
    )
    section = ok(
        api.post(
            f"/parts/{part['id']}/sections",
            fran,
            {
                "title": "What is a Personal Budget?",
                "kind": "faq",
                "subgroup_id": money["id"],
                "text": PASTED,
            },
        ),
        201,
    )
    assert [s["text"] for s in section["sentences"]] == SENTENCES

    added = ok(
        api.post(
            f"/sections/{section['id']}/sentences", pat, {"text": "Ask your EHCP coordinator."}
        ),
        201,
    )
    assert [s["text"] for s in added] == ["Ask your EHCP coordinator."]
    error(
        api.post(f"/sections/{section['id']}/sentences", hana, {"text": "Me too."}),
        403,
        "forbidden",
    )

    whole = ok(api.get(f"/policies/{policy['id']}", hana))
    [read_part] = whole["parts"]
    [read_section] = read_part["sections"]
    assert read_section["subgroup"]["name"] == "Money"
    assert [s["text"] for s in read_section["sentences"]] == [
        *SENTENCES,
        "Ask your EHCP coordinator.",
    ]


def test_the_journey_on_sqlite(app):
    journey(app)


@pytest.mark.postgres
def test_the_journey_on_postgresql(migrated_postgres_url, tmp_path):
    with made_app(tmp_path, migrated_postgres_url) as app:
        journey(app)
