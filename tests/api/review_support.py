"""Helpers for the review API tests: a section to review, and a check that a reply
reveals nobody else's vote."""

from __future__ import annotations

from dataclasses import dataclass

CHOICES = {"approve", "reject", "abstain"}
TEXT = (
    "You can ask for a personal budget. The council pays it monthly. Ask your coordinator for help."
)


@dataclass
class Place:
    """A policy with one section owned by sub-group "Money", three sentences long."""

    policy: int
    section: int
    sentences: list[int]


def make_place(api, world) -> Place:
    policy = api.post(
        f"/groups/{world.group}/policies",
        world.fac,
        {"title": "Personal budgets", "parts": ["Questions"]},
    ).get_json()
    section = api.post(
        f"/parts/{policy['parts'][0]['id']}/sections",
        world.fac,
        {"title": "What is it?", "subgroup_id": world.subgroup, "text": TEXT},
    )
    assert section.status_code == 201, section.get_json()
    body = section.get_json()
    return Place(policy["id"], body["id"], [s["id"] for s in body["sentences"]])


def texts(api, world, section_id: int) -> list[str]:
    return [
        s["text"] for s in api.get(f"/sections/{section_id}", world.fac).get_json()["sentences"]
    ]


def reveals_no_ballots(body, my_choice: str | None) -> None:
    """Assert that nothing in a JSON reply says how anyone voted, except the caller's
    own `my_choice`: no ballots, no choice under any other key, and no running counts."""

    def walk(node, key=None):
        if isinstance(node, dict):
            assert node.get("ballots") is None, node
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for item in node:
                walk(item, key)
        elif isinstance(node, str) and node in CHOICES:
            assert key == "my_choice" and node == my_choice, (key, node)

    walk(body)


def open_tally_is_hidden(vote: dict) -> None:
    assert set(vote["tally"]) == {"cast", "members"}, vote["tally"]


# The default decision rules, with suggestions on wording decided by the owning sub-group.
SUBGROUP_DECIDES_RULES = {
    "quorum_percent": 50,
    "threshold_percent": 50,
    "close_mode": "date_or_all_voted",
    "vote_days": 7,
    "secret_ballot": False,
    "wording_decided_by": "subgroup",
}
