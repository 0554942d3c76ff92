"""Pages for comments: start a discussion on a section, a sentence or a
suggestion, reply, change or delete your own, resolve and reopen. Every form
posts and redirects, so it all works without JavaScript."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from server import access_of
from server.access import section_access
from server.errors import Conflict, DomainError
from server.review import comments, rights
from server.review.models import (
    Comment,
)
from server.web.blueprint import bp
from server.web.helpers import attach, db, my_id
from server.web.review import (
    live_sentence,
    proposal_title,
)
from server.web.review_forms import (
    COMMENT_HINT,
    CommentForm,
    EditCommentForm,
    ReplyForm,
)

# --- comments --------------------------------------------------------------------------------


def _back(comment: Comment) -> str:
    root = comment.thread_id or comment.id
    if comment.proposal_id:
        return url_for("web.proposal", proposal_id=comment.proposal_id, _anchor=f"thread-{root}")
    return url_for("web.section", section_id=comment.section_id, _anchor=f"thread-{root}")


def _comment_page(
    form,
    section,
    access,
    *,
    heading: str,
    action: str,
    quote: str = "",
    removed: bool = False,
    submit: str = "Post comment",
    back: str,
    status: int = 200,
):
    return render_template(
        "review/comment_form.html",
        form=form,
        section=section,
        part=section.part,
        policy=section.part.policy,
        group=access.group,
        heading=heading,
        action=action,
        quote=quote,
        removed=removed,
        submit=submit,
        back=back,
        comment_hint=COMMENT_HINT,
    ), status


@bp.route("/sections/<int:section_id>/comments", methods=["GET", "POST"])
def new_comment(section_id: int):
    """Start a discussion on the section or one of its sentences."""
    found, access = section_access(db(), my_id(), section_id)
    form = CommentForm()
    if not form.is_submitted():
        form.sentence_id.data = request.args.get("sentence", "")
    sentence = live_sentence(found, form.sentence_id.data) if form.sentence_id.data else None
    heading = "Comment on this sentence" if sentence else "Comment on the whole section"
    back = url_for(
        "web.section", section_id=found.id, _anchor=f"notes-{sentence.id}" if sentence else "margin"
    )
    page = {
        "heading": heading,
        "action": url_for("web.new_comment", section_id=found.id),
        "quote": sentence.text if sentence else "",
        "back": back,
    }
    if not form.is_submitted():
        return _comment_page(form, found, access, **page)
    if not form.validate():
        return _comment_page(form, found, access, **page, status=422)
    try:
        row = comments.add(
            db(),
            found,
            access.membership,
            form.body.data,
            sentence_id=sentence.id if sentence else None,
            words=_words(form),
            typed_words=form.words.data or "",
        )
    except DomainError as exc:
        attach(form, exc)
        return _comment_page(form, found, access, **page, status=exc.status)
    flash("Your comment is posted.", "success")
    return redirect(_back(row))


def _words(form) -> tuple[int, int] | None:
    """The words chosen in the sentence, if any; the service checks the range."""
    start, end = form.words_start.data or "", form.words_end.data or ""
    if not start and not end:
        return None
    try:
        return int(start), int(end)
    except ValueError:
        return -1, -1  # refused by the service with its message


def _comment_access(comment_id: int):
    return access_of.comment(db(), my_id(), comment_id)


@bp.post("/comments/<int:comment_id>/replies")
def reply_comment(comment_id: int):
    comment, found, access = _comment_access(comment_id)
    form = ReplyForm()
    root = comments.get_comment(db(), comment.thread_id) if comment.thread_id else comment
    author = root.author.display_name if root.author else "a former member"
    page = {
        "heading": f"Reply to {author}",
        "quote": root.quote,
        "action": url_for("web.reply_comment", comment_id=root.id),
        "submit": "Post reply",
        "back": _back(root),
    }
    if not form.validate():
        return _comment_page(form, found, access, **page, status=422)
    try:
        comments.reply(db(), root, access.membership, form.body.data)
    except DomainError as exc:
        attach(form, exc)
        return _comment_page(form, found, access, **page, status=exc.status)
    flash("Your reply is posted.", "success")
    return redirect(_back(root))


@bp.route("/comments/<int:comment_id>/edit", methods=["GET", "POST"])
def edit_comment(comment_id: int):
    comment, found, access = _comment_access(comment_id)
    rights.require(
        rights.can_change_comment(access.membership, comment),
        "You can only change your own comments.",
    )
    if comment.deleted_at is not None:
        raise Conflict("That comment was deleted.", code="deleted")
    form = EditCommentForm(data={"body": comment.source})
    page = {
        "heading": "Change your comment",
        "quote": comment.quote,
        "submit": "Save changes",
        "action": url_for("web.edit_comment", comment_id=comment.id),
        "back": _back(comment),
    }
    if not form.is_submitted():
        return _comment_page(form, found, access, **page)
    if not form.validate():
        return _comment_page(form, found, access, **page, status=422)
    try:
        comments.edit(db(), comment, access.membership, form.body.data)
    except DomainError as exc:
        attach(form, exc)
        return _comment_page(form, found, access, **page, status=exc.status)
    flash("Your comment is changed.", "success")
    return redirect(_back(comment))


@bp.post("/comments/<int:comment_id>/delete")
def delete_comment(comment_id: int):
    comment, _found, access = _comment_access(comment_id)
    comments.delete(db(), comment, access.membership)
    flash("The comment is deleted. Its place in the discussion is marked.", "success")
    return redirect(_back(comment))


@bp.post("/comments/<int:comment_id>/resolve")
def resolve_comment(comment_id: int):
    comment, found, access = _comment_access(comment_id)
    root = comments.set_resolved(db(), comment, access.membership, found.subgroup_id, True)
    flash(
        "The discussion is marked as resolved. Anyone can still read it, and a reply reopens it.",
        "success",
    )
    return redirect(_back(root))


@bp.post("/comments/<int:comment_id>/reopen")
def reopen_comment(comment_id: int):
    comment, found, access = _comment_access(comment_id)
    root = comments.set_resolved(db(), comment, access.membership, found.subgroup_id, False)
    flash("The discussion is open again.", "success")
    return redirect(_back(root))


@bp.post("/proposals/<int:proposal_id>/comments")
def comment_on_proposal(proposal_id: int):
    p, found, access = access_of.suggestion(db(), my_id(), proposal_id)
    form = CommentForm()
    page = {
        "heading": f"Comment on the suggestion: {proposal_title(p)}",
        "action": url_for("web.comment_on_proposal", proposal_id=p.id),
        "back": url_for("web.proposal", proposal_id=p.id, _anchor="discussion"),
    }
    if not form.validate():
        return _comment_page(form, found, access, **page, status=422)
    try:
        row = comments.add(db(), found, access.membership, form.body.data, proposal=p)
    except DomainError as exc:
        attach(form, exc)
        return _comment_page(form, found, access, **page, status=exc.status)
    flash("Your comment is posted.", "success")
    return redirect(_back(row))
