"""Releases through the JSON API: numbered and frozen, "what changed since", the
public page switch, exports of any source, and every way of asking wrongly."""

from __future__ import annotations

import io
import re

import pytest
from diff_match_patch import diff_match_patch

from tests.api.support import error
from tests.publishing import readers

_dmp = diff_match_patch()


@pytest.fixture
def policy(api, world):
    """A policy in group Northshire with two sections and three sentences."""
    body = api.post(
        f"/groups/{world.group}/policies",
        world.fac,
        {"title": "Short breaks policy", "parts": ["About short breaks"]},
    ).get_json()
    part = body["parts"][0]["id"]
    for title, text in (
        ("What is a short break?", "A short break is time apart. It helps families rest."),
        ("Who decides", "The panel decides within four weeks."),
    ):
        reply = api.post(
            f"/parts/{part}/sections",
            world.fac,
            {"title": title, "subgroup_id": world.subgroup, "text": text},
        )
        assert reply.status_code == 201, reply.get_json()
    return body["id"]


def edit(db, old: str, new: str) -> None:
    """Change one sentence's text through the editing service, as a live edit does."""
    from sqlalchemy import select

    from server.accounts.models import User
    from server.editing import services as editing
    from server.policies.models import Sentence

    sentence = db.scalar(select(Sentence).where(Sentence.text == old))
    user = db.scalar(select(User).where(User.email == "pat@example.org"))
    editing.edit_text(
        db,
        sentence.section,
        sentence,
        user,
        sentence.version,
        _dmp.patch_toText(_dmp.patch_make(old, new)),
    )
    db.commit()


def export(api, token, policy, **query):
    return api.get(f"/policies/{policy}/export", token, query_string=query)


def test_a_release_is_frozen_and_v2_says_what_changed_since_v1(api, db, world, policy):
    v1 = api.post(f"/policies/{policy}/releases", world.fac, {"note": "Agreed in May."})
    assert v1.status_code == 201, v1.get_json()
    v1 = v1.get_json()
    assert (v1["number"], v1["label"], v1["note"], v1["changes"]) == (
        1,
        "v1",
        "Agreed in May.",
        None,
    )
    sentences = [
        s for p in v1["document"]["parts"] for sec in p["sections"] for s in sec["sentences"]
    ]
    assert sentences == [
        "A short break is time apart.",
        "It helps families rest.",
        "The panel decides within four weeks.",
    ]
    before = {
        fmt: export(api, world.mem, policy, format=fmt, release=1).data for fmt in ("md", "html")
    }

    edit(db, "The panel decides within four weeks.", "The panel decides within two weeks.")
    added = api.post(
        f"/sections/{_section_id(db, 'Who decides')}/sentences",
        world.ed,
        {"text": "You can ask why."},
    )
    assert added.status_code == 201, added.get_json()

    # v1 did not change: its document, its exports.
    again = api.get(f"/policies/{policy}/releases/1", world.mem).get_json()
    assert again["document"] == v1["document"]
    for fmt, data in before.items():
        assert export(api, world.mem, policy, format=fmt, release=1).data == data
    # "Now" shows the edit.
    now = readers.everything("md", export(api, world.mem, policy, format="md").data)
    assert "within two weeks" in now and "You can ask why." in now
    assert "within two weeks" not in readers.everything("md", before["md"])

    v2 = api.post(f"/policies/{policy}/releases", world.fac, {}).get_json()
    assert v2["number"] == 2
    changes = v2["changes"]
    assert changes["since"] == "v1"
    [section] = changes["sections"]
    assert section["title"] == "Who decides"
    assert section["summary"] == "1 sentence changed, 1 added."
    changed = [s for s in section["sentences"] if s["change"] == "changed"][0]
    assert changed["before"] == "The panel decides within four weeks."
    assert {"op": "delete", "text": "four"} in changed["pieces"]
    assert {"op": "insert", "text": "two"} in changed["pieces"]
    # The HTML of v2's public page and the members' page show it.
    page = api.client.get(
        f"/policies/{policy}/releases/2", headers={"Authorization": f"Bearer {world.mem}"}
    )
    assert page.status_code == 200
    assert "What changed since version 1" in page.get_data(as_text=True)
    # Said in words as well as underlined and struck through (a screen reader does
    # not announce <ins> and <del>); the public page shares this part.
    html = page.get_data(as_text=True)
    assert '<span class="visually-hidden">[removed: </span>four' in html
    assert '<span class="visually-hidden">[added: </span>two' in html

    listed = api.get(f"/policies/{policy}/releases", world.mem).get_json()
    assert [r["number"] for r in listed] == [2, 1]


def _section_id(db, title: str) -> int:
    from sqlalchemy import select

    from server.policies.models import Section

    return db.scalar(select(Section.id).where(Section.title == title))


def test_publish_from_a_checkpoint_and_export_a_checkpoint(api, db, world, policy):
    cp = api.post(
        f"/policies/{policy}/checkpoints", world.mem, {"name": "Before the panel"}
    ).get_json()
    edit(db, "It helps families rest.", "It helps the whole family rest.")
    v1 = api.post(f"/policies/{policy}/releases", world.fac, {"checkpoint_id": cp["id"]}).get_json()
    assert v1["checkpoint_id"] == cp["id"]
    words = readers.everything("md", export(api, world.mem, policy, format="md", release=1).data)
    assert "It helps families rest." in words
    words = readers.everything(
        "md", export(api, world.mem, policy, format="md", checkpoint=cp["id"]).data
    )
    assert "It helps families rest." in words and "whole family" not in words


@pytest.mark.parametrize("fmt", ["html", "md", "docx", "odt", "pdf"])
def test_export_replies_with_the_file(api, world, policy, fmt):
    reply = export(api, world.mem, policy, format=fmt)
    assert reply.status_code == 200
    assert (
        reply.headers["Content-Disposition"]
        == f'attachment; filename="short-breaks-policy-draft.{fmt}"'
    )
    assert "The panel decides within four weeks." in readers.everything(fmt, reply.data)


def test_who_may_do_what(api, world, policy):
    # Anonymous: 401 whatever the body or id.
    error(api.get(f"/policies/{policy}/releases"), 401)
    error(api.post(f"/policies/{policy}/releases", json={"note": 5}), 401)
    error(api.get("/policies/999999/export", query_string={"format": "nope"}), 401)
    # A member reads and exports, but may not publish or make it public.
    error(api.post(f"/policies/{policy}/releases", world.mem, {}), 403, "forbidden")
    error(api.call("PUT", f"/policies/{policy}/public", world.mem, json={"public": True}), 403)
    # Another group's people learn nothing.
    error(api.get(f"/policies/{policy}/releases", world.other), 404)
    error(export(api, world.other, policy, format="pdf"), 404)
    error(api.post(f"/policies/{policy}/releases", world.other, {}), 404)


def test_bad_input_is_a_clear_4xx_and_changes_nothing(api, world, policy):
    error(export(api, world.mem, policy, format="exe"), 422, "invalid")
    error(export(api, world.mem, policy), 422, "invalid")
    error(export(api, world.mem, policy, format="pdf", release=1), 404, "not_found")
    error(export(api, world.mem, policy, format="pdf", release="one"), 422)
    error(export(api, world.mem, policy, format="pdf", checkpoint=424242), 404)
    error(export(api, world.mem, policy, format="pdf", release=1, checkpoint=1), 422)
    error(api.get(f"/policies/{policy}/releases/7", world.mem), 404)
    error(api.post(f"/policies/{policy}/releases", world.fac, {"checkpoint_id": 424242}), 404)
    error(api.post(f"/policies/{policy}/releases", world.fac, {"note": "x" * 1001}), 422)
    error(api.post(f"/policies/{policy}/releases", world.fac, {"colour": "red"}), 422)
    # Another policy's checkpoint is not this policy's.
    cp = api.post(
        f"/policies/{world.other_policy}/checkpoints", world.other, {"name": "Theirs"}
    ).get_json()
    error(api.post(f"/policies/{policy}/releases", world.fac, {"checkpoint_id": cp["id"]}), 404)
    error(export(api, world.mem, policy, format="md", checkpoint=cp["id"]), 404)
    assert api.get(f"/policies/{policy}/releases", world.mem).get_json() == []
    # A yes/no is JSON's true or false: "yes" or 1 is the wrong type, not a yes.
    for wrong in ("yes", "true", 1):
        refused = error(
            api.call("PUT", f"/policies/{policy}/public", world.fac, json={"public": wrong}),
            422,
            "invalid",
        )
        assert refused["fields"] == {"public": ["Not a valid boolean."]}
    # Nothing published yet: the page cannot be made public.
    error(
        api.call("PUT", f"/policies/{policy}/public", world.fac, json={"public": True}),
        422,
        "nothing_published",
    )


def test_public_page_on_off_and_never_a_title_when_hidden(api, client, world, policy):
    assert api.get(f"/policies/{policy}/public", world.mem).get_json() == {
        "public": False,
        "url": None,
    }
    api.post(f"/policies/{policy}/releases", world.fac, {})
    on = api.call("PUT", f"/policies/{policy}/public", world.fac, json={"public": True}).get_json()
    assert on["public"] and on["url"].endswith("/latest")
    path = on["url"].split("://", 1)[1].split("/", 1)[1]
    anonymous = client.application.test_client()
    page = anonymous.get("/" + path)
    assert page.status_code == 200
    # Every cache asks again (hiding takes effect at once); unchanged, the answer is
    # a 304 without the page.
    assert page.headers["Cache-Control"] == "public, no-cache"
    unchanged = anonymous.get("/" + path, headers={"If-None-Match": page.headers["ETag"]})
    assert unchanged.status_code == 304 and unchanged.get_data() == b""
    assert "Set-Cookie" not in page.headers
    html = page.get_data(as_text=True)
    assert "Short breaks policy" in html and "The panel decides within four weeks." in html
    versioned = anonymous.get("/" + path.replace("/latest", "/v1"))
    assert versioned.status_code == 200
    assert anonymous.get("/" + path.replace("/latest", "/v9")).status_code == 404
    release = api.get(f"/policies/{policy}/releases/1", world.mem).get_json()
    assert release["public_url"].endswith("/v1")

    off = api.call(
        "PUT", f"/policies/{policy}/public", world.fac, json={"public": False}
    ).get_json()
    assert off == {"public": False, "url": None}
    for url in ("/" + path, "/" + path.replace("/latest", "/v1")):
        gone = anonymous.get(url)
        assert gone.status_code == 410
        assert gone.headers["Cache-Control"] == "no-store"  # a browser would keep a 410
        assert "Short breaks" not in gone.get_data(as_text=True)
        # A family with an old link is told whom to ask, not sent to a sign-in page.
        assert "ask the group or the service that gave you the link" in gone.get_data(as_text=True)
        assert "sign-in page" not in gone.get_data(as_text=True)
    missing = anonymous.get("/published/not-a-real-address/latest")
    assert missing.status_code == 404 and missing.headers["Cache-Control"] == "no-store"
    assert "Short breaks" not in missing.get_data(as_text=True)
    # Back on: the same address works again.
    again = api.call(
        "PUT", f"/policies/{policy}/public", world.fac, json={"public": True}
    ).get_json()
    assert again["url"] == on["url"]
    assert anonymous.get("/" + path).status_code == 200


def test_public_page_shows_no_drafts_comments_or_votes(api, db, client, world, policy):
    api.post(f"/policies/{policy}/releases", world.fac, {})
    url = api.call(
        "PUT", f"/policies/{policy}/public", world.fac, json={"public": True}
    ).get_json()["url"]
    edit(db, "It helps families rest.", "DRAFT-ONLY words not yet published.")
    from sqlalchemy import select

    from server.groups.models import Membership
    from server.policies.models import Section
    from server.review import comments

    section = db.scalar(select(Section).where(Section.title == "Who decides"))
    member = db.scalar(select(Membership).where(Membership.user_id == world.member))
    comments.add(db, section, member, "SECRET-COMMENT about the panel")
    db.commit()
    html = client.application.test_client().get("/" + url.split("/", 3)[3]).get_data(as_text=True)
    assert "It helps families rest." in html
    for hidden in ("DRAFT-ONLY", "SECRET-COMMENT", "vote", "Hana Health", "Pat Parent"):
        assert hidden not in html


def test_pdf_export_via_api_is_tagged(api, world, policy):
    from pypdf import PdfReader

    data = export(api, world.mem, policy, format="pdf").data
    root = PdfReader(io.BytesIO(data)).trailer["/Root"]
    assert "/StructTreeRoot" in root and root["/Lang"] == "en-GB"


def test_a_family_downloads_a_public_version_without_signing_in(api, client, world, policy):
    api.post(f"/policies/{policy}/releases", world.fac, {})
    url = api.call(
        "PUT", f"/policies/{policy}/public", world.fac, json={"public": True}
    ).get_json()["url"]
    anonymous = client.application.test_client()
    page = anonymous.get("/" + url.split("/", 3)[3]).get_data(as_text=True)
    # The newest version's page links to its own numbered files.
    links = re.findall(r'<a href="([^"]+/v1/download/(\w+))" download>([^<]+)</a>', page)
    assert [(fmt, label) for _href, fmt, label in links] == [
        ("pdf", "PDF, to print or keep"),
        ("docx", "Word document"),
        ("odt", "OpenDocument (LibreOffice)"),
    ]
    files = {fmt: anonymous.get(href) for href, fmt, _label in links}
    assert all(reply.status_code == 200 for reply in files.values())
    pdf = files["pdf"]
    assert pdf.headers["Content-Type"] == "application/pdf"
    assert pdf.headers["Content-Disposition"] == 'attachment; filename="short-breaks-policy-v1.pdf"'
    assert pdf.headers["Cache-Control"] == "public, no-cache"
    said = ("p", "The panel decides within four weeks.")
    assert said[1] in readers.pdf_text(pdf.data)
    assert said in readers.docx_blocks(files["docx"].data)
    assert said in readers.odt_blocks(files["odt"].data)
    # Asked again, the same file (made once), and a 304 for a reader who has it.
    again = anonymous.get(links[0][0], headers={"If-None-Match": pdf.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert anonymous.get(links[0][0]).data == pdf.data

    href = links[0][0]
    assert anonymous.get(href.replace("/v1/", "/v2/")).status_code == 404
    for fmt in ("html", "md", "exe"):
        assert anonymous.get(href.replace("/pdf", f"/{fmt}")).status_code == 404
    api.call("PUT", f"/policies/{policy}/public", world.fac, json={"public": False})
    gone = anonymous.get(href)
    assert gone.status_code == 410 and gone.headers["Cache-Control"] == "no-store"
    assert b"%PDF" not in gone.data
