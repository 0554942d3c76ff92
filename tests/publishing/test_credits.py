"""Credits: counts by role always; a name only for a member who turned on "show my
name" on their account page. A member who has not is never named, in any format."""

from __future__ import annotations

import pytest

from server.exports.policy import render
from server.publishing import services as publishing
from tests.conftest import sign_in
from tests.publishing import readers

FORMATS = ["html", "md", "docx", "odt", "pdf"]


@pytest.fixture
def team(make):
    fac = make.user("Fran Facilitator", "fran@example.org")
    named = make.user("Nia Named", "nia@example.org")
    shy = make.user("Quentin Quiet", "quentin@example.org")
    group = make.group(fac, "Northshire")
    make.member(group, named, "parent_carer")
    make.member(group, shy, "young_person")
    sub = make.subgroup(group, "Money")
    policy = make.policy(group, fac, "Credits policy")
    make.section(policy.parts[0], fac, sub, "Money", "We pay on time.")
    return fac, named, shy, policy


def _csrf(page: str) -> str:
    import re

    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


def test_names_only_members_who_opted_in_on_their_account_page(app, db, client, team):
    fac, named, shy, policy = team
    assert named.credit_by_name is False  # off by default
    sign_in(client, "nia@example.org")
    page = client.get("/account").get_data(as_text=True)
    assert "Show my name in the credits of published policies" in page
    reply = client.post("/account/credit", data={"credit_by_name": "on", "csrf_token": _csrf(page)})
    assert reply.status_code == 302
    db.expire_all()
    assert named.credit_by_name is True

    release = publishing.publish(db, policy, fac)
    db.commit()
    doc = publishing.release_document(db, release)
    assert doc.credits.names == ["Nia Named"]
    assert {(r.role, r.count) for r in doc.credits.roles} == {
        ("Parent or carer", 1),
        ("Young person", 1),
        ("Facilitator", 1),
    }
    for fmt in FORMATS:
        words = readers.everything(fmt, render(doc, fmt))
        assert "Nia Named" in words, fmt
        assert "Quentin" not in words and "Fran" not in words, fmt
        assert "Written together by 3 people" in words, fmt
        assert "Young person (1)" in words, fmt


def test_turning_it_off_again_names_nobody_in_later_versions(db, client, team):
    fac, named, _shy, policy = team
    sign_in(client, "nia@example.org")
    page = client.get("/account").get_data(as_text=True)
    client.post("/account/credit", data={"credit_by_name": "on", "csrf_token": _csrf(page)})
    page = client.get("/account").get_data(as_text=True)
    assert 'id="credit_by_name" name="credit_by_name" checked' in page
    client.post("/account/credit", data={"csrf_token": _csrf(page)})
    db.expire_all()
    assert named.credit_by_name is False
    doc = publishing.document_for(db, policy, publishing.Source())
    assert doc.credits.names == []
    for fmt in FORMATS:
        words = readers.everything(fmt, render(doc, fmt))
        assert "Nia" not in words and "Named with their agreement" not in words, fmt


def test_withdrawing_agreement_removes_the_name_from_published_versions(make, db, client, team):
    from tests.api.conftest import Api

    fac, named, _shy, policy = team
    named.credit_by_name = True
    db.commit()
    publishing.publish(db, policy, fac)
    publishing.set_public(db, policy, fac, True)
    db.commit()
    page = publishing.public_page_of(db, policy.id)
    anonymous = client.application.test_client()
    assert "Nia Named" in anonymous.get(f"/published/{page.slug}/latest").get_data(as_text=True)

    sign_in(client, "nia@example.org")
    form = client.get("/account").get_data(as_text=True)
    client.post("/account/credit", data={"csrf_token": _csrf(form)})
    html = anonymous.get(f"/published/{page.slug}/latest").get_data(as_text=True)
    assert "Nia" not in html and "Parent or carer (1)" in html
    token = make.token(fac)
    api = Api(client.application.test_client())
    release = api.get(f"/policies/{policy.id}/releases/1", token).get_json()
    assert release["document"]["credits"] == {
        "roles": release["document"]["credits"]["roles"],
        "names": [],
    }
    words = readers.everything(
        "pdf",
        api.get(
            f"/policies/{policy.id}/export", token, query_string={"format": "pdf", "release": 1}
        ).data,
    )
    assert "Nia" not in words


def test_the_credit_setting_through_the_api(make, db, client, team):
    """`PATCH /me` turns the setting on and off; `GET /me` says where it stands; a
    public page follows at once; bad bodies change nothing."""
    from tests.api.conftest import Api

    fac, named, _shy, policy = team
    api = Api(client.application.test_client())
    token = make.token(named)
    assert api.get("/me", token).get_json()["credit_by_name"] is False
    assert api.patch("/me", None, {"credit_by_name": True}).status_code == 401
    for bad in ({}, {"credit_by_name": "maybe"}, {"credit_by_name": True, "name": "x"}):
        assert api.patch("/me", token, bad).status_code == 422, bad
    db.expire_all()
    assert named.credit_by_name is False

    reply = api.patch("/me", token, {"credit_by_name": True})
    assert reply.status_code == 200 and reply.get_json()["credit_by_name"] is True
    publishing.publish(db, policy, fac)
    publishing.set_public(db, policy, fac, True)
    db.commit()
    slug = publishing.public_page_of(db, policy.id).slug
    anonymous = client.application.test_client()
    assert "Nia Named" in anonymous.get(f"/published/{slug}/latest").get_data(as_text=True)

    assert api.patch("/me", token, {"credit_by_name": False}).get_json()["credit_by_name"] is False
    assert "Nia" not in anonymous.get(f"/published/{slug}/latest").get_data(as_text=True)
