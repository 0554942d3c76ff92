"""The kinds of notification, in the words members read on the settings page,
and how each is emailed unless the member chose otherwise."""

from __future__ import annotations

from dataclasses import dataclass

NOW, DIGEST, OFF = "now", "digest", "off"
CHOICES = {
    NOW: "Email me at once",
    DIGEST: "Put it in one email a day",
    OFF: "Do not email me",
}


@dataclass(frozen=True)
class Kind:
    name: str
    label: str  # "When ..." on the settings page
    default: str


KINDS: dict[str, Kind] = {
    k.name: k
    for k in (
        Kind("mention", "Someone mentions you in a comment", NOW),
        Kind("reply", "Someone replies in a discussion you are in", NOW),
        Kind(
            "suggestion",
            "Someone suggests a change to a section your sub-group looks after",
            DIGEST,
        ),
        Kind("vote_opened", "A vote opens", DIGEST),
        Kind("vote_closing", "A vote closes within a day and you have not voted", NOW),
        Kind("vote_result", "A vote has a result", DIGEST),
        Kind("section_ready", "A section is ready for the group to agree", DIGEST),
        Kind("session", "A session is planned, its agenda changes, or it has closed", NOW),
        Kind("action", "You are given an action in a session", NOW),
        Kind("date_poll", "You are asked which dates suit you for the next session", NOW),
        Kind("session_soon", "The day before a session: what changed and your votes", NOW),
        Kind("suggestion_decided", "Your suggestion is accepted or turned down", NOW),
    )
}


def valid_choice(kind: str, choice: str) -> bool:
    return kind in KINDS and choice in CHOICES
