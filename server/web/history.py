"""Pages for version history: a policy's timeline and checkpoints, the policy as
it was, a diff between two points, section and sentence timelines with restore
buttons, and who wrote each sentence (the section page includes that partial
through the `section_attribution` template global)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import flash, redirect, render_template, request, url_for
from wtforms import StringField
from wtforms.validators import InputRequired

from server import access_of, auth
from server.access import Access, policy_access, section_access, sentence_for_edit
from server.accounts.services import users_by_id
from server.errors import DomainError, InvalidInput
from server.history import diff as diffs
from server.history import restore
from server.history import services as history
from server.history.models import CHECKPOINT_NAME_CHARS
from server.participation import attribution
from server.permissions import Action, allows
from server.policies.models import Policy, Section
from server.publishing import services as publishing
from server.web import times
from server.web.blueprint import bp
from server.web.forms import Form, at_most
from server.web.helpers import attach, db, my_id


class CheckpointForm(Form):
    name = StringField(
        "Name",
        validators=[
            InputRequired("Give the checkpoint a name."),
            at_most(CHECKPOINT_NAME_CHARS),
        ],
    )


def _int_arg(name: str) -> int | None:
    value = request.args.get(name, "")
    return int(value) if value.isdigit() and len(value) < 11 else None


@dataclass(frozen=True)
class Choice:
    """A point a reader can pick: its spec, its words in the menu, the menu's group,
    and how a sentence names it ("version 2")."""

    value: str
    text: str
    group: str | None = None
    words: str | None = None


def _point_choices(policy: Policy, checkpoints: list | None = None) -> list[Choice]:
    """The points a reader can pick: now; the checkpoints (those already loaded, if
    given), which include the start of each session; and the published versions.
    Newest first in each group."""
    if checkpoints is None:
        checkpoints = history.checkpoints_of(db(), policy.id)
    choices = [Choice("now", "Now (the current text)")]
    choices += [
        Choice(f"checkpoint:{c.id}", f"{c.name} ({_short(c.created_at)})", "Checkpoints")
        for c in checkpoints
    ]
    choices += [
        Choice(
            f"seq:{r.seq}",
            f"Version {r.number} ({_short(r.created_at)})",
            "Published versions",
            f"version {r.number}",
        )
        for r in reversed(publishing.releases_of(db(), policy.id))
    ]
    return choices


def _menu_words(point: history.Point, choices) -> str | None:
    """How the menu names this point in a sentence ("version 2"), if it does."""
    return next((c.words for c in choices if c.value == point.spec and c.words), None)


@bp.app_template_filter("point_words")
def point_words(point: history.Point, choices: list[Choice]) -> str:
    """How a sentence names a point: as the menu knows it ("version 2"), else by its
    time or label."""
    words = _menu_words(point, choices)
    if words:
        return words
    return times.when(point.moment) if point.moment else point.label


def _short(value) -> str:
    at = times.local(value)
    return f"{at.day} {at:%b %Y, %H:%M}"


@bp.app_template_global("section_attribution")
def _section_attribution(section: Section) -> list[attribution.Attribution]:
    """Who wrote each sentence of a section and who changed it (section page)."""
    return attribution.section_attribution(db(), section)


# --- a policy's history ------------------------------------------------------------------


def _history_page(
    policy: Policy,
    access: Access,
    form: CheckpointForm | None = None,
    status: int = 200,
    renames: dict | None = None,
):
    member = _int_arg("member")
    page = history.timeline(db(), policy.id, member=member, before=_int_arg("before"))
    checkpoints = history.checkpoints_of(db(), policy.id)
    people = users_by_id(db(), {c.created_by_id for c in checkpoints})
    renames = renames or {}
    return render_template(
        "history/policy.html",
        policy=policy,
        group=access.group,
        page=page,
        authors=history.members_of(db(), policy.group_id),
        member=member,
        checkpoints=[
            (
                c,
                people.get(c.created_by_id),
                renames.get(c.id)
                or CheckpointForm(prefix=f"cp{c.id}", formdata=None, data={"name": c.name}),
            )
            for c in checkpoints
        ],
        points=_point_choices(policy, checkpoints),
        form=form or CheckpointForm(formdata=None),
        forms=list(renames.values()),
        can_manage=allows(db(), access.membership, Action.MANAGE),
    ), status


@bp.get("/policies/<int:policy_id>/history")
def policy_history(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    return _history_page(policy, access)


@bp.post("/policies/<int:policy_id>/checkpoints")
def create_checkpoint(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    form = CheckpointForm()
    if not form.validate():
        return _history_page(policy, access, form, 422)
    try:
        made = history.make_checkpoint(db(), policy, auth.me(), form.name.data)
    except DomainError as exc:
        attach(form, exc)
        return _history_page(policy, access, form, exc.status)
    flash(
        f"Checkpoint “{made.name}” made. You can read the policy as it is now at any "
        "time from this page.",
        "success",
    )
    return redirect(url_for("web.policy_history", policy_id=policy_id, _anchor="checkpoints"))


@bp.post("/checkpoints/<int:checkpoint_id>/rename")
def rename_checkpoint(checkpoint_id: int):
    row, policy, access = access_of.checkpoint(db(), my_id(), checkpoint_id, Action.MANAGE)
    form = CheckpointForm(prefix=f"cp{row.id}")
    if not form.validate():
        return _history_page(policy, access, status=422, renames={row.id: form})
    try:
        history.rename_checkpoint(db(), row, form.name.data)
    except DomainError as exc:
        attach(form, exc)
        return _history_page(policy, access, status=exc.status, renames={row.id: form})
    flash(f"Checkpoint renamed to “{row.name}”.", "success")
    return redirect(url_for("web.policy_history", policy_id=policy.id, _anchor="checkpoints"))


@bp.post("/checkpoints/<int:checkpoint_id>/delete")
def delete_checkpoint(checkpoint_id: int):
    row, policy, _access = access_of.checkpoint(db(), my_id(), checkpoint_id, Action.MANAGE)
    name = row.name
    history.delete_checkpoint(db(), row)
    flash(
        f"Checkpoint “{name}” removed. The text it pointed at is still in the history.", "success"
    )
    return redirect(url_for("web.policy_history", policy_id=policy.id, _anchor="checkpoints"))


# --- the policy as it was, and diffs ---------------------------------------------------------


def as_it_was(point: history.Point, choices: list[Choice] = ()) -> str:
    """ "as it was ..." for a point, in words that read: "as it was at 14:05 on ...",
    "as it was after change 3", "as it was at the checkpoint “Draft 1”", "as it was
    at version 2"."""
    words = _menu_words(point, choices)
    if words:
        return f"as it was at {words}"
    if point.moment:
        return f"as it was at {times.when(point.moment)}"
    if point.label.startswith("after "):
        return f"as it was {point.label}"
    if point.label == "now":
        return "as it is now"
    return f"as it was at the {point.label}"


@bp.app_template_filter("as_it_was")
def _as_it_was(point, choices=()) -> str:
    return as_it_was(point, choices)


def _spec_from_args() -> str:
    """A point from the read form: a typed moment wins over a chosen point. The box
    holds a wall-clock time in the place's zone; the history takes UTC."""
    moment = request.args.get("moment", "").strip()
    if not moment:
        return request.args.get("point", "now")
    try:
        typed = datetime.fromisoformat(moment)
    except ValueError:
        return "time:" + moment  # the history names the mistake
    if typed.tzinfo is None:
        typed = times.from_local(typed)
    return "time:" + typed.isoformat()


@bp.get("/policies/<int:policy_id>/history/read")
def policy_as_it_was(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    context = {
        "policy": policy,
        "group": access.group,
        "points": _point_choices(policy),
        "moment": request.args.get("moment", ""),
    }
    try:
        point = history.resolve_point(db(), policy, _spec_from_args())
    except InvalidInput as exc:
        return render_template(
            "history/read.html", error=exc.message, point=None, outline=[], **context
        ), 422
    state = history.state_at(db(), policy, point)
    return render_template(
        "history/read.html",
        point=point,
        outline=state.outline(),
        names=history.names_for(db(), state),
        error=None,
        **context,
    )


@bp.get("/policies/<int:policy_id>/history/diff")
def policy_diff(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    context = {
        "policy": policy,
        "group": access.group,
        "points": _point_choices(policy),
        "chosen_from": request.args.get("from", ""),
        "chosen_to": request.args.get("to", "now"),
    }
    if not request.args.get("from"):
        return render_template("history/diff.html", result=None, error=None, **context)
    try:
        a = history.resolve_point(db(), policy, request.args["from"], name="from")
        b = history.resolve_point(db(), policy, request.args.get("to") or "now", name="to")
    except InvalidInput as exc:
        return render_template("history/diff.html", result=None, error=exc.message, **context), 422
    result = diffs.compare(
        history.state_at(db(), policy, a),
        history.state_at(db(), policy, b),
        section_id=_int_arg("section"),
    )
    return render_template("history/diff.html", result=result, a=a, b=b, error=None, **context)


# --- section and sentence timelines, restore ------------------------------------------------


@bp.get("/sections/<int:section_id>/history")
def section_history(section_id: int):
    section, _policy, access = access_of.section_history(db(), my_id(), section_id)
    member = _int_arg("member")
    page = history.timeline(
        db(), section.policy_id, section_id=section.id, member=member, before=_int_arg("before")
    )
    return render_template(
        "history/section.html",
        section=section,
        part=section.part,
        policy=section.part.policy,
        group=access.group,
        page=page,
        member=member,
        authors=history.members_of(db(), access.group.id),
        points=_point_choices(section.part.policy),
        can_edit=section.deleted_at is None
        and allows(db(), access.membership, Action.EDIT_TEXT, section.subgroup_id),
    )


@bp.post("/sections/<int:section_id>/restore")
def restore_section(section_id: int):
    section, access = section_access(db(), my_id(), section_id, Action.EDIT_TEXT)
    point = history.resolve_point(db(), section.part.policy, request.form.get("point", ""))
    ops = restore.restore_section(db(), section, auth.me(), point)
    flash(
        f"The text is back {as_it_was(point, _point_choices(section.part.policy))} ({len(ops)} "
        f"change{'' if len(ops) == 1 else 's'}). Earlier versions stay in the history."
        if ops
        else "The text already reads like that: nothing changed.",
        "success",
    )
    return redirect(url_for("web.section", section_id=section.id))


@bp.get("/sentences/<int:sentence_id>/history")
def sentence_history(sentence_id: int):
    sentence, policy, access = access_of.sentence_history(db(), my_id(), sentence_id)
    section = sentence.section
    versions = history.versions_that_end_a_change(db(), sentence.id, limit=100)
    people = users_by_id(db(), {v.author_id for v in versions})
    page = history.timeline(
        db(),
        policy.id,
        sentence_id=sentence.id,
        member=_int_arg("member"),
        before=_int_arg("before"),
    )
    can_edit = section.deleted_at is None and allows(
        db(), access.membership, Action.EDIT_TEXT, section.subgroup_id
    )
    return render_template(
        "history/sentence.html",
        sentence=sentence,
        section=section,
        part=section.part,
        policy=policy,
        group=access.group,
        versions=versions,
        people=people,
        page=page,
        can_edit=can_edit,
    )


@bp.post("/sentences/<int:sentence_id>/restore")
def restore_sentence(sentence_id: int):
    sentence, section, _access = sentence_for_edit(db(), my_id(), sentence_id)
    version = request.form.get("version", "")
    if not version.isdigit() or len(version) > 10:
        raise InvalidInput("Choose a version to restore.")
    ops = restore.restore_sentence(db(), section, sentence, auth.me(), int(version))
    flash(
        f"The sentence reads as version {version} again. Earlier versions stay in the history."
        if ops
        else "The sentence already reads like that: nothing changed.",
        "success",
    )
    target = ops[-1]["sentence"]["id"] if ops and ops[-1]["op"] == "insert" else sentence.id
    return redirect(url_for("web.section", section_id=section.id, _anchor=f"sentence-{target}"))
