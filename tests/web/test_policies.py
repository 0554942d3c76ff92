"""Policies, parts and sections: creating them, reading them, adding text."""

from __future__ import annotations

import re

from sqlalchemy import select

from server.policies.models import Part, Policy, Section, Sentence
from tests.web.conftest import post, text

PARAGRAPH = (
    "You can ask for a Personal Budget, e.g. for transport. Mr. Patel asked for "
    "1.5 hours of support a week. It is part of your EHCP. Ask the SEND team."
)
EXPECTED = [
    "You can ask for a Personal Budget, e.g. for transport.",
    "Mr. Patel asked for 1.5 hours of support a week.",
    "It is part of your EHCP.",
    "Ask the SEND team.",
]


def test_new_policy_form_suggests_the_two_usual_parts(as_facilitator, world):
    page = text(as_facilitator.get(f"/groups/{world.group.id}/policies/new"))
    assert "Frequently asked questions\nAdministration, roles and processes</textarea>" in page


def test_create_a_policy_with_parts(as_facilitator, world, db):
    response = post(
        as_facilitator,
        f"/groups/{world.group.id}/policies/new",
        {
            "title": "Short breaks policy",
            "summary": "For families.",
            "part_titles": "Questions\n\n  Processes  \n",
        },
    )
    assert response.status_code == 302
    policy = db.scalar(select(Policy).where(Policy.title == "Short breaks policy"))
    assert [p.title for p in policy.parts] == ["Questions", "Processes"]
    page = text(as_facilitator.get(response.headers["Location"]))
    assert "Short breaks policy" in page and "For families." in page
    assert "Part 1</span> Questions" in page and "Part 2</span> Processes" in page


def test_policy_title_is_required(as_facilitator, world):
    response = post(as_facilitator, f"/groups/{world.group.id}/policies/new", {"title": ""})
    assert response.status_code == 422
    assert "Enter a title for the policy." in text(response)


def test_policy_page_shows_parts_sections_owner_and_text(as_member, world):
    page = text(as_member.get(f"/policies/{world.policy.id}"))
    assert "Frequently asked questions" in page and "Administration" in page
    assert "What is a Personal Budget?" in page
    assert "Written by the sub-group Families&#39; questions" in page
    assert "It is money for support. You can ask for one." in page
    assert ">Question<" in page and ">Answer<" in page
    assert "Add a section" not in page and "Add a part" not in page


def test_facilitator_adds_a_part(as_facilitator, world, db):
    page = text(as_facilitator.get(f"/policies/{world.policy.id}"))
    assert "Add a part" in page and f"/parts/{world.part.id}/sections/new" in page
    response = post(
        as_facilitator, f"/policies/{world.policy.id}/parts", {"title": "How to complain"}
    )
    assert response.status_code == 302
    titles = db.scalars(
        select(Part.title).where(Part.policy_id == world.policy.id).order_by(Part.position)
    ).all()
    assert titles[-1] == "How to complain"
    empty = post(as_facilitator, f"/policies/{world.policy.id}/parts", {"title": ""})
    assert empty.status_code == 422
    assert "Enter a title for the part." in text(empty)


def test_new_section_form(as_facilitator, world):
    page = text(as_facilitator.get(f"/parts/{world.part.id}/sections/new"))
    assert "Paste the text; it will be split into sentences" in page
    assert "<legend" in page and "Question and answer (FAQ)" in page
    assert f'<option value="{world.subgroup.id}">Families&#39; questions</option>' in page


def test_add_a_section_and_see_its_sentences(as_facilitator, world, db):
    response = post(
        as_facilitator,
        f"/parts/{world.part.id}/sections/new",
        {
            "title": "Asking for a budget",
            "kind": "text",
            "subgroup_id": str(world.subgroup.id),
            "text": PARAGRAPH,
        },
    )
    assert response.status_code == 302
    section = db.scalar(select(Section).where(Section.title == "Asking for a budget"))
    assert response.headers["Location"] == f"/sections/{section.id}"
    page = text(as_facilitator.get(response.headers["Location"]))
    assert "Section created with 4 sentences." in page
    shown = re.findall(
        r'<li class="sentence" id="sentence-(\d+)" data-sentence-id="(\d+)" '
        r'data-version="(\d+)">([^<]*)</li>',
        page,
    )
    assert [s[3] for s in shown] == EXPECTED
    assert all(a == b for a, b, _v, _t in shown)
    assert {v for _a, _b, v, _t in shown} == {"1"}


def test_section_form_errors(as_facilitator, world):
    response = post(
        as_facilitator,
        f"/parts/{world.part.id}/sections/new",
        {"title": "", "kind": "poem", "subgroup_id": "", "text": ""},
    )
    assert response.status_code == 422
    page = text(response)
    assert "Enter a title, or the question for a question and answer." in page
    assert "Choose text, or question and answer." in page
    assert "Choose the sub-group that will write this section." in page
    too_long = post(
        as_facilitator,
        f"/parts/{world.part.id}/sections/new",
        {
            "title": "Long",
            "kind": "text",
            "subgroup_id": str(world.subgroup.id),
            "text": "word " * 500 + "end.",
        },
    )
    assert too_long.status_code == 422
    assert "longer than 2000 characters" in text(too_long)


def test_new_section_without_subgroups_says_make_one(as_facilitator, make, world):
    group = make.group(world.facilitator, "Empty group")
    policy = make.policy(group, world.facilitator, "Empty policy")
    page = text(as_facilitator.get(f"/parts/{policy.parts[0].id}/sections/new"))
    assert "Make a sub-group first" in page


def test_section_page_for_a_reader_who_does_not_own_it(as_facilitator, world):
    page = text(as_facilitator.get(f"/sections/{world.section.id}"))
    assert 'aria-label="Breadcrumb"' in page
    crumbs = page.split('aria-label="Breadcrumb"')[1].split("</nav>")[0]
    assert "Northshire group" in crumbs and "Personal Budget policy" in crumbs
    assert "Frequently asked questions" in crumbs
    assert "<h1>What is a Personal Budget?</h1>" in page
    assert ">Question<" in page and ">Answer<" in page
    assert "Drafting" in page and "Families&#39; questions" in page
    assert "You can read this section. Only members of the sub-group" in page
    assert "Add text at the end" not in page


def test_owner_adds_text_at_the_end(as_member, world, db):
    page = text(as_member.get(f"/sections/{world.section.id}"))
    assert "You can read this section" not in page and "Add text at the end" in page
    response = post(
        as_member,
        f"/sections/{world.section.id}/text",
        {"text": "It is paid to you. Keep receipts."},
    )
    assert response.status_code == 302
    texts = db.scalars(
        select(Sentence.text)
        .where(Sentence.section_id == world.section.id)
        .order_by(Sentence.position)
    ).all()
    assert texts == [
        "It is money for support.",
        "You can ask for one.",
        "It is paid to you.",
        "Keep receipts.",
    ]
    empty = post(as_member, f"/sections/{world.section.id}/text", {"text": "  "})
    assert empty.status_code == 422
    assert "Paste some text to add." in text(empty)


def test_non_owner_cannot_add_text(as_facilitator, world):
    response = post(as_facilitator, f"/sections/{world.section.id}/text", {"text": "Mine."})
    assert response.status_code == 403
    assert "Only members of the sub-group that owns this section" in text(response)


def test_sentences_with_markup_are_shown_as_text(as_member, world, make):
    evil = make.section(
        world.part,
        world.facilitator,
        world.subgroup,
        "<i>Title</i>",
        "<script>alert(1)</script> is here. <b>Bold</b> too.",
    )
    for url in (f"/sections/{evil.id}", f"/policies/{world.policy.id}"):
        page = text(as_member.get(url))
        assert "<script>alert(1)</script>" not in page and "<b>Bold</b>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt; is here." in page
        assert "&lt;i&gt;Title&lt;/i&gt;" in page
