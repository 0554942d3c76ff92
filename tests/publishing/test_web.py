"""The "Publish and export" page through the Flask test client: facilitators
publish and switch the public page; members download; bad requests are clear 4xx
pages; nobody outside the group learns anything."""

from __future__ import annotations

import pytest

from server.publishing import services as publishing
from tests.conftest import sign_in
from tests.publishing import readers
from tests.web.conftest import post, text


@pytest.fixture
def setup(make, db):
    fac = make.user("Fran Facilitator", "fran@example.org")
    mem = make.user("Hana Health", "hana@example.org")
    make.user("Olu Outsider", "olu@example.org")
    group = make.group(fac, "Northshire")
    make.member(group, mem, "health")
    from sqlalchemy import select

    from server.groups.models import Membership

    sub = make.subgroup(
        group, "Money", members=[db.scalar(select(Membership).filter_by(user_id=fac.id))]
    )
    policy = make.policy(group, fac, "Travel policy")
    make.section(policy.parts[0], fac, sub, "Buses", "Buses are free. Trains are not.")
    return policy


def test_the_policy_page_links_to_publish_and_export(client, setup):
    sign_in(client, "hana@example.org")
    page = text(client.get(f"/policies/{setup.id}"))
    assert f'href="/policies/{setup.id}/publish"' in page


def test_facilitator_publishes_and_makes_it_public(client, db, setup):
    sign_in(client, "fran@example.org")
    page = client.get(f"/policies/{setup.id}/publish")
    assert page.status_code == 200 and "Nothing has been published yet." in text(page)
    reply = post(
        client, f"/policies/{setup.id}/releases", {"source": "now", "note": "First.", "sure": "y"}
    )
    assert reply.status_code == 302 and reply.location.endswith(f"/policies/{setup.id}/releases/1")
    release = client.get(reply.location)
    assert "This is the first published version." in text(release)
    reply = post(client, f"/policies/{setup.id}/public", {"public": "on"})
    assert reply.status_code == 302
    page = text(client.get(f"/policies/{setup.id}/publish"))
    assert "/published/" in page and "Hide the public page" in page
    assert "on the public page" in text(client.get(f"/policies/{setup.id}/releases/1"))
    # A second release says what changed.
    from sqlalchemy import select

    from server.policies.models import Section

    section = db.scalar(select(Section).where(Section.title == "Buses"))
    added = post(client, f"/sections/{section.id}/text", {"text": "Taxis are booked for you."})
    assert added.status_code == 302, added.status_code
    assert (
        post(client, f"/policies/{setup.id}/releases", {"source": "now", "sure": "y"}).status_code
        == 302
    )
    page = text(client.get(f"/policies/{setup.id}/releases/2"))
    assert "What changed since version 1" in page and "1 sentence added." in page


def test_publish_form_errors_are_shown_on_the_form(client, db, setup):
    sign_in(client, "fran@example.org")
    reply = post(client, f"/policies/{setup.id}/releases", {"source": "now", "note": "x" * 1001})
    assert reply.status_code == 422
    assert "Use at most 1000 characters." in text(reply)
    reply = post(client, f"/policies/{setup.id}/releases", {"source": "999999", "sure": "y"})
    assert reply.status_code == 422
    # Not ticked: asked to, with how many sections the group has not agreed.
    reply = post(client, f"/policies/{setup.id}/releases", {"source": "now"})
    assert reply.status_code == 422
    assert "Tick the box to say you understand it cannot be changed." in text(reply)
    assert "1 of 1 section is not agreed by the group yet." in text(reply)
    assert publishing.releases_of(db, setup.id) == []


def test_members_download_but_may_not_publish(client, db, setup):
    publishing.publish(db, setup, None, "First")
    db.commit()
    sign_in(client, "hana@example.org")
    page = text(client.get(f"/policies/{setup.id}/publish"))
    assert "Publish a new version" not in page and "Make the published versions public" not in page
    assert post(client, f"/policies/{setup.id}/releases", {"source": "now"}).status_code == 403
    assert post(client, f"/policies/{setup.id}/public", {"public": "on"}).status_code == 403
    for fmt in ("html", "md", "docx", "odt", "pdf"):
        for query in ("", "&release=1"):
            reply = client.get(f"/policies/{setup.id}/export?format={fmt}{query}")
            assert reply.status_code == 200, (fmt, query)
            assert reply.headers["Content-Disposition"].startswith("attachment;")
            assert "Buses are free." in readers.everything(fmt, reply.data)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("format=exe", 422),
        ("", 422),
        ("format=pdf&release=3", 404),
        ("format=pdf&release=x", 422),
        ("format=pdf&checkpoint=4242", 404),
        ("format=md&release=1&checkpoint=1", 422),
    ],
)
def test_bad_export_requests_are_clear_errors(client, setup, query, status):
    sign_in(client, "hana@example.org")
    reply = client.get(f"/policies/{setup.id}/export?{query}")
    assert reply.status_code == status
    assert "Content-Disposition" not in reply.headers


def test_outsiders_and_strangers_learn_nothing(client, setup):
    reply = client.get(f"/policies/{setup.id}/export?format=md")
    assert reply.status_code == 302 and "/sign-in" in reply.location
    sign_in(client, "olu@example.org")
    for url in (
        f"/policies/{setup.id}/publish",
        f"/policies/{setup.id}/export?format=md",
        f"/policies/{setup.id}/releases/1",
    ):
        reply = client.get(url)
        assert reply.status_code == 404, url
        assert "Travel policy" not in text(reply)
