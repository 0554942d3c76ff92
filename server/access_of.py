"""A group's things, each loaded by id with the caller's right to act on it.

Why one place: the pages and the API take the same things by id (sessions, date
polls, glossary terms, comments, votes...). For each kind both must check the
same scope (the thing's group, its policy or its section) and answer an id from
another group with the very 404 that an id that does not exist gets, so that ids
reveal nothing (docs/api.md). Written once per kind here, the two cannot drift:
the thing's own loader names it when it is missing, and the same name goes to the
access check (server.access) when it is in a group the caller is not in.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from server.access import Access, group_access, policy_access, section_access
from server.glossary import services as glossary
from server.glossary.models import GlossaryTerm
from server.history import services as history
from server.history.models import Checkpoint
from server.meetings import actions
from server.meetings import date_poll as polls
from server.meetings import services as meetings
from server.meetings.models import ActionItem, DatePoll, Meeting
from server.participation import statements
from server.participation.models import Statement
from server.permissions import Action
from server.policies.models import Policy, Section, Sentence
from server.review import comments, proposals, votes
from server.review.models import Comment, Proposal, Vote

# --- things of a group ---------------------------------------------------------------------


def _in_group(db: Session, user_id: int | None, row, action: Action, what: str):
    return row, group_access(db, user_id, row.group_id, action, what=what)


def session(
    db: Session, user_id: int | None, meeting_id: int, action: Action = Action.VIEW
) -> tuple[Meeting, Access]:
    return _in_group(db, user_id, meetings.get_meeting(db, meeting_id), action, "That session")


def date_poll(
    db: Session, user_id: int | None, poll_id: int, action: Action = Action.VIEW
) -> tuple[DatePoll, Access]:
    return _in_group(db, user_id, polls.get_poll(db, poll_id), action, "That date poll")


def action_item(
    db: Session, user_id: int | None, action_id: int, action: Action = Action.VIEW
) -> tuple[ActionItem, Access]:
    return _in_group(db, user_id, actions.get_action(db, action_id), action, "That action")


def glossary_term(
    db: Session, user_id: int | None, term_id: int, action: Action = Action.VIEW
) -> tuple[GlossaryTerm, Access]:
    return _in_group(db, user_id, glossary.get_term(db, term_id), action, "That glossary term")


def statement(
    db: Session, user_id: int | None, statement_id: int, action: Action = Action.VIEW
) -> tuple[Statement, Access]:
    row = statements.get_statement(db, statement_id)
    return _in_group(db, user_id, row, action, "That statement")


# --- things of a policy --------------------------------------------------------------------


def checkpoint(
    db: Session, user_id: int | None, checkpoint_id: int, action: Action = Action.VIEW
) -> tuple[Checkpoint, Policy, Access]:
    row = history.get_checkpoint(db, checkpoint_id)
    policy, access = policy_access(db, user_id, row.policy_id, action, what="That checkpoint")
    return row, policy, access


def section_history(
    db: Session, user_id: int | None, section_id: int
) -> tuple[Section, Policy, Access]:
    """A section for its history: removed sections have one too, so this is not
    `section_access`, which finds only the sections in the policy now."""
    section = history.load_section(db, section_id)
    policy, access = policy_access(db, user_id, section.policy_id, what="That section")
    return section, policy, access


def sentence_history(
    db: Session, user_id: int | None, sentence_id: int
) -> tuple[Sentence, Policy, Access]:
    """A sentence for its history, removed ones too (see section_history)."""
    sentence = history.load_sentence(db, sentence_id)
    policy, access = policy_access(db, user_id, sentence.section.policy_id, what="That sentence")
    return sentence, policy, access


# --- things of a section -------------------------------------------------------------------


def _in_section(db: Session, user_id: int | None, row, action: Action, what: str):
    section, access = section_access(db, user_id, row.section_id, action, what=what)
    return row, section, access


def comment(
    db: Session, user_id: int | None, comment_id: int, action: Action = Action.VIEW
) -> tuple[Comment, Section, Access]:
    return _in_section(db, user_id, comments.get_comment(db, comment_id), action, "That comment")


def suggestion(
    db: Session, user_id: int | None, proposal_id: int, action: Action = Action.VIEW
) -> tuple[Proposal, Section, Access]:
    row = proposals.get_proposal(db, proposal_id)
    return _in_section(db, user_id, row, action, "That suggestion")


def vote(
    db: Session, user_id: int | None, vote_id: int, action: Action = Action.VIEW
) -> tuple[Vote, Section, Access]:
    return _in_section(db, user_id, votes.get_vote(db, vote_id), action, "That vote")
