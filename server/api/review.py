"""Review and decisions: comments, proposals, votes, agreed sections and the group's
decision rules.

Every member of the group comments, proposes and votes, so handlers ask
server.access for VIEW on the section and leave the finer rights (your own
comment, your own proposal, who may resolve or open a vote) to the review
services. Owning a section (EDIT_TEXT) is needed to mark it ready; facilitating
(MANAGE) to close a vote early or set the rules.

Secret ballots: a vote's ballots are shown only when the vote is not secret
(votes.ballots_shown), and while a secret vote is open its tally shows only how
many have voted. Each caller always sees their own choice.
"""

from __future__ import annotations

from flask_smorest import Blueprint

from server import access_of, auth
from server.access import group_access, policy_access, section_access
from server.api.common import ID, ApiBlueprint, Loaded, db
from server.api.review_schemas import (
    AgreementSchema,
    ChoiceSchema,
    CommentBodySchema,
    CommentCreateSchema,
    CommentSchema,
    ProposalCreateSchema,
    ProposalFilterSchema,
    ProposalSchema,
    ProposalUpdateSchema,
    ReadySchema,
    RulesSchema,
    RulesUpdateSchema,
    VoteFilterSchema,
    VoteOpenSchema,
    VoteSchema,
    VoteTimeSchema,
)
from server.permissions import Action
from server.policies import services as policies
from server.review import agreement, comments, deciding, proposals, votes
from server.review import rules as r
from server.review.comments import Thread
from server.review.models import Comment, Proposal, ProposalStatus, Vote

comments_blp = ApiBlueprint(
    "Comments",
    "Threaded comments on a section, one of its sentences, or a suggestion. Any "
    "member comments; you change your own; deleted comments leave a marker.",
)
proposals_blp = ApiBlueprint(
    "Proposals",
    "Changes any member suggests to a section, with a reason, shown as word "
    "diffs against the text as it is now. The author may change or withdraw one until "
    "voting opens.",
)
votes_blp = ApiBlueprint(
    "Votes",
    "Decisions of the whole group: on suggestions, and on agreeing a section its "
    "sub-group marked ready. One member, one vote. Secret ballots never show who voted how.",
)
rules_blp = ApiBlueprint(
    "Decision rules",
    "How a group decides: quorum, threshold and how votes close. Members "
    "read them; facilitators set them.",
)


# --- views: rows with what the schemas show about them ----------------------------------


def _comment(
    c: Comment, thread: Thread, mentioned: dict[int, list[int]], me: int, *, root: bool
) -> Loaded:
    resolved = None
    if root and c.resolved_at is not None:
        resolved = {"at": c.resolved_at, "by": c.resolved_by}
    return Loaded(
        c,
        deleted=c.deleted_at is not None,
        body_html=c.html,
        author=c.author,
        source=c.source if c.author_id == me else None,
        anchor_sentence_id=thread.anchor.id if thread.anchor is not None else None,
        on_removed_text=thread.on_removed_text,
        words=thread.words if root else None,
        mentions=mentioned.get(c.id, []),
        resolved=resolved,
        replies=[_comment(x, thread, mentioned, me, root=False) for x in thread.replies]
        if root
        else [],
    )


def _threads(found: list[Thread]) -> list[Loaded]:
    """Threads with their replies, and who each comment mentions in one query."""
    mentioned = comments.mentioned_in(db(), [c.id for t in found for c in (t.root, *t.replies)])
    me = auth.me().id
    return [_comment(t.root, t, mentioned, me, root=True) for t in found]


def _one_comment(comment: Comment) -> Loaded:
    """A comment in its thread: a thread's first comment with its replies; a reply alone."""
    root = comments.get_comment(db(), comment.thread_id) if comment.thread_id else comment
    thread = next(
        (
            t
            for t in comments.threads(db(), root.section_id, proposal_id=root.proposal_id)
            if t.root.id == root.id
        ),
        None,
    )
    if thread is None:  # a deleted comment with nothing left under it
        anchor = comments.live_anchor(db(), root.sentence_id)
        thread = Thread(
            root, anchor=anchor, on_removed_text=root.sentence_id is not None and anchor is None
        )
    mentioned = comments.mentioned_in(db(), [comment.id, *(x.id for x in thread.replies)])
    return _comment(comment, thread, mentioned, auth.me().id, root=comment.id == root.id)


def _proposal(p: Proposal) -> Loaded:
    vote = votes.vote_on_proposal(db(), p.id)
    found, stale = proposals.changes(db(), p)
    rules = votes.group_rules(db(), p.section.part.policy.group_id)
    return Loaded(
        p,
        author=p.author,
        changes=found,
        stale=stale,
        vote=vote,
        decided_by=deciding.who_decides(db(), rules, p).value,
        decision=deciding.decision_of(db(), p.id),
    )


def _vote(vote: Vote) -> Loaded:
    """A vote as the caller may see it. Reading never closes it (the scheduled job
    in server/jobs.py does); a due vote shows `closing: true` until then."""
    tally = votes.current_tally(db(), vote)
    shown = votes.tally_shown(vote, tally)
    ballots = votes.ballots_shown(db(), vote)
    mine = votes.my_ballot(db(), vote, auth.me().id)
    rules = votes.rules_of(vote)
    return Loaded(
        vote,
        closing=votes.is_due(db(), vote),
        tally=shown,
        my_choice=mine.choice if mine else None,
        ballots=None
        if ballots is None
        else [{"user": b.user, "choice": b.choice, "changed_at": b.changed_at} for b in ballots],
        rules={
            "quorum_percent": rules.quorum_percent,
            "threshold_percent": rules.threshold_percent,
            "close_mode": rules.close_mode,
            "secret": rules.secret,
            "explain": r.explain(rules, tally.members),
        },
    )


def _rules(row, group_id: int) -> Loaded:
    rules = r.Rules(row.quorum_percent, row.threshold_percent, row.close_mode, row.secret_ballot)
    return Loaded(row, explain=r.explain(rules, votes.member_count(db(), group_id)))


def _comment_access(comment_id: int):
    """A comment and the caller's access to its section (404 outside the group)."""
    return access_of.comment(db(), auth.me().id, comment_id)


def _proposal_access(proposal_id: int):
    return access_of.suggestion(db(), auth.me().id, proposal_id)


def _vote_access(vote_id: int, action: Action = Action.VIEW):
    vote, _section, access = access_of.vote(db(), auth.me().id, vote_id, action)
    return vote, access


# --- comments ------------------------------------------------------------------------------


@comments_blp.route(f"/sections/<{ID}:section_id>/comments", methods=["GET"])
@comments_blp.response(200, CommentSchema(many=True))
@comments_blp.errors(401, 404)
def list_comments(section_id):
    """List a section's discussions, oldest first, with their replies

    Comments on suggestions are listed with their suggestion
    (GET /proposals/{id}/comments). A deleted comment with no replies is left out.
    """
    section, _access = section_access(db(), auth.me().id, section_id)
    return _threads(comments.threads(db(), section.id))


@comments_blp.route(f"/sections/<{ID}:section_id>/comments", methods=["POST"])
@comments_blp.arguments(CommentCreateSchema)
@comments_blp.response(201, CommentSchema)
@comments_blp.errors(401, 404)
def add_comment(body, section_id):
    """Comment on a section, one of its sentences, or some words of one (members)

    A body over 5000 characters is 422 `too_long`; one with no words, only
    formatting, is 422 `empty`. A sentence not in the section is 404. `words`
    outside the sentence, empty, or without `sentence_id` is 422 `invalid`.
    """
    section, access = section_access(db(), auth.me().id, section_id)
    words = body["words"]
    return _one_comment(
        comments.add(
            db(),
            section,
            access.membership,
            body["body"],
            sentence_id=body["sentence_id"],
            words=(words["start"], words["end"]) if words else None,
        )
    )


@comments_blp.route(f"/comments/<{ID}:comment_id>", methods=["GET"])
@comments_blp.response(200, CommentSchema)
@comments_blp.errors(401, 404)
def get_comment(comment_id):
    """Show a comment; a thread's first comment comes with its replies"""
    comment, _section, _access = _comment_access(comment_id)
    return _one_comment(comment)


@comments_blp.route(f"/comments/<{ID}:comment_id>", methods=["PATCH"])
@comments_blp.arguments(CommentBodySchema)
@comments_blp.response(200, CommentSchema)
@comments_blp.errors(401, 403, 404, 409)
def edit_comment(body, comment_id):
    """Change your own comment

    Someone else's is 403; a deleted one is 409 `deleted`. The same limits as a new
    comment apply.
    """
    comment, _section, access = _comment_access(comment_id)
    return _one_comment(comments.edit(db(), comment, access.membership, body["body"]))


@comments_blp.route(f"/comments/<{ID}:comment_id>", methods=["DELETE"])
@comments_blp.response(200, CommentSchema)
@comments_blp.errors(401, 403, 404)
def delete_comment(comment_id):
    """Delete your own comment (facilitators may delete any); a marker stays

    The reply is the marker: `deleted` true and an empty body. Its replies stay.
    """
    comment, _section, access = _comment_access(comment_id)
    return _one_comment(comments.delete(db(), comment, access.membership))


@comments_blp.route(f"/comments/<{ID}:comment_id>/replies", methods=["POST"])
@comments_blp.arguments(CommentBodySchema)
@comments_blp.response(201, CommentSchema)
@comments_blp.errors(401, 404, 409)
def reply_to_comment(body, comment_id):
    """Reply in a comment's thread (members); a reply reopens a resolved thread

    Replying to a deleted comment that has no replies is 409 `deleted`.
    """
    comment, _section, access = _comment_access(comment_id)
    return _one_comment(comments.reply(db(), comment, access.membership, body["body"]))


@comments_blp.route(f"/comments/<{ID}:comment_id>/resolve", methods=["POST"])
@comments_blp.response(200, CommentSchema)
@comments_blp.errors(401, 403, 404)
def resolve_thread(comment_id):
    """Resolve the comment's thread

    For whoever started it, the sub-group that owns the section, or a facilitator
    (others: 403). The reply is the thread. Resolving a resolved thread changes
    nothing.
    """
    comment, section, access = _comment_access(comment_id)
    return _one_comment(
        comments.set_resolved(db(), comment, access.membership, section.subgroup_id, True)
    )


@comments_blp.route(f"/comments/<{ID}:comment_id>/reopen", methods=["POST"])
@comments_blp.response(200, CommentSchema)
@comments_blp.errors(401, 403, 404)
def reopen_thread(comment_id):
    """Reopen the comment's resolved thread (the same people who may resolve it)"""
    comment, section, access = _comment_access(comment_id)
    return _one_comment(
        comments.set_resolved(db(), comment, access.membership, section.subgroup_id, False)
    )


@comments_blp.route(f"/groups/<{ID}:group_id>/mentions", methods=["GET"])
@comments_blp.response(200, CommentSchema(many=True))
@comments_blp.errors(401, 404)
def my_mentions(group_id):
    """List comments that mention you in the group's policies, newest first (the last 50)"""
    access = group_access(db(), auth.me().id, group_id)
    found = comments.mentions_of(
        db(), access.membership.user_id, [p.id for p in policies.policies_of(db(), group_id)]
    )
    return [_one_comment(c) for c in found]


@comments_blp.route(f"/proposals/<{ID}:proposal_id>/comments", methods=["GET"])
@comments_blp.response(200, CommentSchema(many=True))
@comments_blp.errors(401, 404)
def list_proposal_comments(proposal_id):
    """List the discussion of a suggestion, oldest first, with replies"""
    proposal, section, _access = _proposal_access(proposal_id)
    return _threads(comments.threads(db(), section.id, proposal_id=proposal.id))


@comments_blp.route(f"/proposals/<{ID}:proposal_id>/comments", methods=["POST"])
@comments_blp.arguments(CommentCreateSchema)
@comments_blp.response(201, CommentSchema)
@comments_blp.errors(401, 404)
def add_proposal_comment(body, proposal_id):
    """Comment on a suggestion (members); the same limits as any comment"""
    proposal, section, access = _proposal_access(proposal_id)
    return _one_comment(
        comments.add(
            db(),
            section,
            access.membership,
            body["body"],
            sentence_id=body["sentence_id"],
            proposal=proposal,
        )
    )


# --- proposals -----------------------------------------------------------------------------


@proposals_blp.route(f"/sections/<{ID}:section_id>/proposals", methods=["GET"])
@proposals_blp.response(200, ProposalSchema(many=True))
@proposals_blp.errors(401, 404)
def list_proposals(section_id):
    """List a section's suggestions, newest first, each as a diff against today's text"""
    section, _access = section_access(db(), auth.me().id, section_id)
    return [_proposal(p) for p in proposals.proposals_of(db(), section.id)]


@proposals_blp.route(f"/policies/<{ID}:policy_id>/proposals", methods=["GET"])
@Blueprint.arguments(proposals_blp, ProposalFilterSchema, location="query")
@proposals_blp.response(200, ProposalSchema(many=True))
@proposals_blp.errors(401, 404, 422)
def list_policy_proposals(query, policy_id):
    """List a policy's suggestions, oldest first, each as a diff against today's text

    `?status=open` lists the ones still being discussed: not yet put to a vote nor
    decided (what a session may want to take up). Any other status filters the same
    way; an unknown one is 422.
    """
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    status = ProposalStatus(query["status"]) if query["status"] else None
    return [_proposal(p) for p in proposals.proposals_of_policy(db(), policy.id, status)]


@proposals_blp.route(f"/sections/<{ID}:section_id>/proposals", methods=["POST"])
@proposals_blp.arguments(ProposalCreateSchema)
@proposals_blp.response(201, ProposalSchema)
@proposals_blp.errors(401, 404)
def create_proposal(body, section_id):
    """Suggest a change to a section, with a reason (members)

    `replace` one sentence (`sentence_ids`: [its id], `text`), `insert` text after a
    sentence (`sentence_ids`: [its id], or [] for the start), `delete` sentences
    (`sentence_ids`), or `rewrite` the whole section (`text`). A sentence not in the
    section is 404; proposing the text as it is is 422 `no_change`.
    """
    section, access = section_access(db(), auth.me().id, section_id)
    return _proposal(proposals.create(db(), section, access.membership, **body))


@proposals_blp.route(f"/proposals/<{ID}:proposal_id>", methods=["GET"])
@proposals_blp.response(200, ProposalSchema)
@proposals_blp.errors(401, 404)
def get_proposal(proposal_id):
    """Show a suggestion against the text as it is now, with its vote in brief"""
    proposal, _section, _access = _proposal_access(proposal_id)
    return _proposal(proposal)


@proposals_blp.route(f"/proposals/<{ID}:proposal_id>", methods=["PATCH"])
@proposals_blp.arguments(ProposalUpdateSchema)
@proposals_blp.response(200, ProposalSchema)
@proposals_blp.errors(401, 403, 404, 409)
def update_proposal(body, proposal_id):
    """Change your suggestion's reason or words until voting opens

    New words are checked against today's text, which becomes what the suggestion is
    compared with. Someone else's suggestion is 403; once voting has opened, 409
    `voting_started` (decided or withdrawn: `decided`).
    """
    proposal, _section, access = _proposal_access(proposal_id)
    return _proposal(proposals.update(db(), proposal, access.membership, **body))


@proposals_blp.route(f"/proposals/<{ID}:proposal_id>/withdraw", methods=["POST"])
@proposals_blp.response(200, ProposalSchema)
@proposals_blp.errors(401, 403, 404, 409)
def withdraw_proposal(proposal_id):
    """Withdraw your suggestion until voting opens (then 409 `voting_started`)"""
    proposal, _section, access = _proposal_access(proposal_id)
    return _proposal(proposals.withdraw(db(), proposal, access.membership))


def _decide(proposal_id: int, accept: bool) -> Loaded:
    proposal, _section, access = _proposal_access(proposal_id)
    rules = votes.group_rules(db(), access.membership.group_id)
    deciding.decide(db(), rules, proposal, access.membership, auth.me(), accept=accept)
    return _proposal(proposal)


@proposals_blp.route(f"/proposals/<{ID}:proposal_id>/accept", methods=["POST"])
@proposals_blp.response(200, ProposalSchema)
@proposals_blp.errors(401, 403, 404, 409)
def accept_proposal(proposal_id):
    """Accept a suggestion on wording for your sub-group, without a vote

    Only when the group's rules say the owning sub-group decides suggestions on
    wording (`wording_decided_by: subgroup`) and the suggestion is a `replace`:
    otherwise 409 `vote_needed`. Members outside the owning sub-group get 403. A
    suggestion that is not open is 409 `not_open`. Accepted, it is applied at once
    (status `applied`, or `conflict` when the text moved too far), recorded in
    `decision` and in history, and announced like a vote's result.
    """
    return _decide(proposal_id, True)


@proposals_blp.route(f"/proposals/<{ID}:proposal_id>/decline", methods=["POST"])
@proposals_blp.response(200, ProposalSchema)
@proposals_blp.errors(401, 403, 404, 409)
def decline_proposal(proposal_id):
    """Decline a suggestion on wording for your sub-group (status `rejected`)

    The same rules and refusals as accepting it.
    """
    return _decide(proposal_id, False)


# --- votes ---------------------------------------------------------------------------------


@votes_blp.route(f"/proposals/<{ID}:proposal_id>/vote", methods=["POST"])
@votes_blp.arguments(VoteOpenSchema, required=False)
@votes_blp.response(201, VoteSchema)
@votes_blp.errors(401, 403, 404, 409)
def open_proposal_vote(body, proposal_id):
    """Ask the group to vote on a suggestion (its author or a facilitator)

    The vote takes the group's decision rules as they are now. A suggestion that is
    not open (voting already, decided or withdrawn) is 409 `not_open`; one the
    owning sub-group decides (see `decided_by`) is 409 `subgroup_decides`. A
    `closes_at` in the past is 422.
    """
    proposal, _section, access = _proposal_access(proposal_id)
    vote = votes.open_for_proposal(
        db(), proposal, access.membership, auth.me(), (body or {}).get("closes_at")
    )
    return _vote(vote)


@votes_blp.route(f"/sections/<{ID}:section_id>/ready", methods=["POST"])
@votes_blp.arguments(ReadySchema, required=False)
@votes_blp.response(201, VoteSchema)
@votes_blp.errors(401, 403, 404, 409)
def mark_ready(body, section_id):
    """Mark a section ready for review: the group votes to agree it as it is now

    For members of the sub-group that owns the section (others: 403). If the group
    approves, this version becomes the agreed one. An agreement vote already open on
    the section is 409 `already_open`; a section with no text is 422 `empty`.
    """
    section, access = section_access(db(), auth.me().id, section_id, Action.EDIT_TEXT)
    return _vote(
        votes.open_for_agreement(
            db(), section, access.membership.group_id, auth.me(), (body or {}).get("closes_at")
        )
    )


@votes_blp.route(f"/sections/<{ID}:section_id>/agreement", methods=["GET"])
@votes_blp.response(200, AgreementSchema)
@votes_blp.errors(401, 404)
def get_agreement(section_id):
    """Show the section's agreed version and what changed in the text since"""
    section, _access = section_access(db(), auth.me().id, section_id)
    vote = votes.open_vote_on_section(db(), section.id)
    live = policies.sentences_of(db(), [section.id])[section.id]
    since = agreement.since_agreed(db(), section, live)
    text = {s.id: s.text for s in live}
    return {
        "section_id": section.id,
        "status": section.status,
        "agreed": since.agreement,
        "open_vote_id": vote.id if vote is not None and vote.is_open else None,
        "changed_since_agreed": since.any,
        "changed": [
            {"sentence_id": sid, "agreed_text": was, "text": text[sid]}
            for sid, was in since.changed.items()
        ],
        "added": [s.id for s in live if s.id in since.added],
        "removed": since.removed,
    }


@votes_blp.route(f"/policies/<{ID}:policy_id>/votes", methods=["GET"])
@Blueprint.arguments(votes_blp, VoteFilterSchema, location="query")
@votes_blp.response(200, VoteSchema(many=True))
@votes_blp.errors(401, 404)
def list_votes(query, policy_id):
    """List a policy's votes: open ones first, newest first

    `?open=true` lists open votes only, `?open=false` closed ones only.
    """
    policy, _access = policy_access(db(), auth.me().id, policy_id)
    found = votes.votes_of(db(), policy.id, open_only=query["open"] is True)
    if query["open"] is not None:
        found = [v for v in found if v.is_open == query["open"]]
    return [_vote(v) for v in found]


@votes_blp.route(f"/votes/<{ID}:vote_id>", methods=["GET"])
@votes_blp.response(200, VoteSchema)
@votes_blp.errors(401, 404)
def get_vote(vote_id):
    """Show a vote: its rules, tally, outcome, and who voted how unless it is secret"""
    vote, _access = _vote_access(vote_id)
    return _vote(vote)


@votes_blp.route(f"/votes/<{ID}:vote_id>/ballots", methods=["POST"])
@votes_blp.arguments(ChoiceSchema)
@votes_blp.response(201, VoteSchema)
@votes_blp.errors(401, 404, 409)
def cast_ballot(body, vote_id):
    """Cast your vote, once (members)

    If you have voted already this is 409 `already_voted` and nothing changes: use
    PUT /votes/{id}/ballots/mine to change your vote. A closed vote is 409
    `vote_closed`. The reply is the vote; the last member to vote may close it.
    """
    vote, access = _vote_access(vote_id)
    votes.cast(db(), vote, access.membership, body["choice"], change=False, reason=body["reason"])
    return _vote(vote)


@votes_blp.route(f"/votes/<{ID}:vote_id>/ballots/mine", methods=["PUT"])
@votes_blp.arguments(ChoiceSchema)
@votes_blp.response(200, VoteSchema)
@votes_blp.errors(401, 404, 409)
def put_my_ballot(body, vote_id):
    """Cast or change your vote while the vote is open (then 409 `vote_closed`)"""
    vote, access = _vote_access(vote_id)
    votes.cast(db(), vote, access.membership, body["choice"], change=True, reason=body["reason"])
    return _vote(vote)


@votes_blp.route(f"/votes/<{ID}:vote_id>", methods=["PATCH"])
@votes_blp.arguments(VoteTimeSchema)
@votes_blp.response(200, VoteSchema)
@votes_blp.errors(401, 403, 404, 409)
def extend_vote(body, vote_id):
    """Give an open vote more time (facilitators)

    `closes_at` must be later than the vote's closing time now (422 otherwise): a
    vote can be given more time, never less. A vote that closes only when everyone has
    voted is 409 `no_closing_time`; a closed vote, or one whose time is up, is 409
    `vote_closed`.
    """
    vote, _access = _vote_access(vote_id, Action.MANAGE)
    return _vote(votes.extend(db(), vote, auth.me(), body["closes_at"]))


@votes_blp.route(f"/votes/<{ID}:vote_id>/close", methods=["POST"])
@votes_blp.response(200, VoteSchema)
@votes_blp.errors(401, 403, 404, 409)
def close_vote(vote_id):
    """Close a vote now and carry out its outcome (facilitators)

    The outcome is counted by the vote's rules, as if it had closed by itself. A
    closed vote is 409 `vote_closed`.
    """
    vote, _access = _vote_access(vote_id, Action.MANAGE)
    return _vote(votes.close(db(), vote, auth.me()))


# --- decision rules ------------------------------------------------------------------------


@rules_blp.route(f"/groups/<{ID}:group_id>/decision-rules", methods=["GET"])
@rules_blp.response(200, RulesSchema)
@rules_blp.errors(401, 404)
def get_rules(group_id):
    """Show the group's decision rules, in numbers and in words"""
    access = group_access(db(), auth.me().id, group_id)
    return _rules(votes.group_rules(db(), access.group.id), access.group.id)


@rules_blp.route(f"/groups/<{ID}:group_id>/decision-rules", methods=["PUT"])
@rules_blp.arguments(RulesUpdateSchema)
@rules_blp.response(200, RulesSchema)
@rules_blp.errors(401, 403, 404)
def set_rules(body, group_id):
    """Set the group's decision rules (facilitators); votes already open keep theirs

    A value out of range is 422 with a message for each field.
    """
    access = group_access(db(), auth.me().id, group_id, Action.MANAGE)
    row = votes.set_group_rules(db(), access.group.id, auth.me(), **body)
    return _rules(row, access.group.id)


def blueprints() -> list:
    """This module's blueprints, in the order the OpenAPI document lists them."""
    return [comments_blp, proposals_blp, votes_blp, rules_blp]
