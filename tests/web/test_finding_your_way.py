"""Finding your way (issue 17): the group's tabs, counts per section on the policy
page, one word for a suggestion, a first visit that says where to start, and an
FAQ part's new section that defaults to a question."""

from __future__ import annotations

import re

import pytest

from tests.conftest import sign_in
from tests.web.conftest import text


@pytest.fixture
def as_member(client, world):
    assert sign_in(client, world.member.email).status_code == 302
    return client


def tabs(page: str) -> list[tuple[str, bool]]:
    nav = re.search(r'<nav class="tabs".*?</nav>', page, re.S).group(0)
    return [
        (label, "aria-current" in attrs)
        for attrs, label in re.findall(r'<a class="tabs__link"([^>]*)>([^<]+)</a>', nav)
    ]


@pytest.mark.parametrize(
    ("path", "current"),
    [
        ("/groups/{g}", "Overview"),
        ("/groups/{g}/sessions", "Sessions"),
        ("/groups/{g}/review", "Review"),
        ("/groups/{g}/decisions", "Decisions"),
        ("/policies/{p}/decisions", "Decisions"),
    ],
)
def test_sessions_review_and_decisions_are_tabs_of_the_group(as_member, world, path, current):
    reply = as_member.get(path.format(g=world.group.id, p=world.policy.id))
    assert reply.status_code == 200
    found = tabs(text(reply))
    assert [label for label, _ in found] == ["Overview", "Sessions", "Review", "Decisions"]
    assert [label for label, on in found if on] == [current]


def test_the_decisions_tab_is_for_members_only(client, world):
    assert sign_in(client, world.outsider.email).status_code == 302
    assert client.get(f"/groups/{world.group.id}/decisions").status_code == 404
