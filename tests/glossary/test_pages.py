"""The glossary pages, marked terms in the policy text, and stored XSS staying inert."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.web.conftest import post, text

XSS_TERM = '<img src=x onerror="alert(1)">'
XSS_TEXT = "<script>alert('explained')</script>"


@pytest.fixture
def fran(client, world):
    sign_in(client, "fran@example.org")
    return client


@pytest.fixture
def policy_with_text(api, world):
    policy = api.post(
        f"/groups/{world.group}/policies", world.fac, {"title": "Budgets", "parts": ["FAQ"]}
    ).get_json()
    section = api.post(
        f"/parts/{policy['parts'][0]['id']}/sections",
        world.fac,
        {
            "title": "Your plan",
            "subgroup_id": world.subgroup,
            "text": "Your EHCP says what help you get. Ask the SENCo about it.",
        },
    ).get_json()
    return policy, section


def test_facilitator_adds_changes_and_removes_a_term_on_the_page(fran, world):
    page = f"/groups/{world.group}/glossary"
    reply = post(fran, page, {"term": "EHCP", "explanation": "A plan for your child's help."})
    assert reply.status_code == 302
    body = text(fran.get(page))
    assert "A plan for your child&#39;s help." in body or "A plan for your child's help." in body
    term_id = int(re.search(r"/glossary/(\d+)/edit", body).group(1))

    reply = post(
        fran, f"/glossary/{term_id}/edit", {"term": "EHC plan", "explanation": "Changed words."}
    )
    assert reply.status_code == 302
    body = text(fran.get(page))
    assert "EHC plan" in body and "Changed words." in body

    assert post(fran, f"/glossary/{term_id}/remove").status_code == 302
    body = text(fran.get(page))
    assert "No terms yet." in body
    assert "removed by Fran Facilitator" in body


def test_duplicate_on_the_page_is_a_clear_error_and_nothing_saved(fran, world):
    page = f"/groups/{world.group}/glossary"
    post(fran, page, {"term": "SEND", "explanation": "Special educational needs."})
    reply = post(fran, page, {"term": "send", "explanation": "Again."})
    assert reply.status_code == 409
    assert "already in the glossary" in text(reply)
    empty = post(fran, page, {"term": "", "explanation": ""})
    assert empty.status_code == 422
    assert "Write the word or short phrase" in text(empty)
    assert text(fran.get(page)).count("<dt>") == 1


def test_member_suggests_and_sees_no_facilitator_buttons(client, world):
    sign_in(client, "hana@example.org")
    page = f"/groups/{world.group}/glossary"
    reply = post(client, page, {"term": "IASS", "explanation": "Free advice about SEND."})
    assert reply.status_code == 302
    body = text(client.get(page))
    assert "Suggested by Hana Health" in body
    assert "Add the starter list" not in body and "Turn down" not in body


def test_defined_term_is_marked_in_the_policy_text(fran, api, world, policy_with_text):
    policy, _section = policy_with_text
    post(fran, f"/groups/{world.group}/glossary", {"term": "EHCP", "explanation": "A plan."})
    body = text(fran.get(f"/policies/{policy['id']}"))
    assert re.search(
        r'<dfn class="term__dfn"><button class="term__button" type="button" '
        r'aria-expanded="false" aria-controls="([^"]+)" data-term-toggle>EHCP</button></dfn>',
        body,
    )
    assert "(EHCP: A plan.)" in body
    # The group's page lists what it uses but has not explained.
    assert "SENCo" in text(fran.get(f"/groups/{world.group}/glossary"))


def test_a_term_keeps_the_characters_touching_it_on_its_line(fran, api, world, policy_with_text):
    """A browser may start a new line right after a term's button: the brackets,
    full stops and "'s" that touch a term are kept with it (in a run that does not
    wrap), so no line starts with a lone ")" or "."."""
    policy, _section = policy_with_text
    post(fran, f"/groups/{world.group}/glossary", {"term": "EHCP", "explanation": "A plan."})
    api.post(
        f"/parts/{policy['parts'][0]['id']}/sections",
        world.fac,
        {
            "title": "More",
            "subgroup_id": world.subgroup,
            "text": "Ask for a plan (EHCP). Then read your EHCP's notes.",
        },
    )
    body = text(fran.get(f"/policies/{policy['id']}"))
    term = r'<span class="term"><dfn[^>]*><button[^>]*>EHCP</button></dfn>.*?</span></span>'
    assert re.search(rf'a plan <span class="term-run">\({term}\)\.</span> Then', body)
    assert re.search(rf'your <span class="term-run">{term}&#39;s</span> notes', body)
    assert re.search(rf'Your <span class="term-run">{term}</span> says', body)  # nothing touching


def test_stored_xss_as_term_or_explanation_is_inert(fran, api, world, policy_with_text):
    policy, section = policy_with_text
    reply = api.post(
        f"/groups/{world.group}/glossary", world.fac, {"term": XSS_TERM, "explanation": XSS_TEXT}
    )
    assert reply.status_code == 201
    api.post(
        f"/groups/{world.group}/glossary", world.fac, {"term": "SENCo", "explanation": XSS_TEXT}
    )
    for path in (f"/groups/{world.group}/glossary", f"/policies/{policy['id']}"):
        body = text(fran.get(path))
        assert "<script>alert" not in body
        assert "<img src=x" not in body
        assert "&lt;script&gt;alert(&#39;explained&#39;)&lt;/script&gt;" in body
    assert "&lt;img src=x onerror=&#34;alert(1)&#34;&gt;" in text(
        fran.get(f"/groups/{world.group}/glossary")
    )


def test_facilitator_sees_each_list_with_its_own_actions(fran, world):
    """Both lists come from one macro: accepted terms offer Change and Remove,
    suggested ones say who suggested them and offer Accept, Change and Turn down."""
    page = f"/groups/{world.group}/glossary"
    post(fran, page, {"term": "SEND", "explanation": "Special educational needs."})
    hana = fran.application.test_client()
    sign_in(hana, "hana@example.org")
    post(hana, page, {"term": "IASS", "explanation": "Free advice about SEND."})
    body = text(fran.get(page))
    accepted = body[body.index('id="terms-title"') : body.index('id="suggested-title"')]
    suggested = body[body.index('id="suggested-title"') : body.index('id="undefined-title"')]
    assert "SEND" in accepted and "Remove<" in accepted and "Turn down" not in accepted
    assert "Accept" not in accepted and "Suggested by" not in accepted
    assert "IASS" in suggested and "Suggested by Hana Health" in suggested
    assert "Accept" in suggested and "Turn down" in suggested and "Remove<" not in suggested
    assert body.count("Change<span") == 2
