"""Pages that make co-production visible: participation by role (for a policy or
the whole group, over a chosen period, as charts with their tables and as CSV)
and each member's own words in a policy. Every member sees them."""

from __future__ import annotations

from flask import Response, render_template, request

from server.access import group_access, policy_access
from server.errors import DomainError
from server.participation import charts, figures, impact
from server.policies.services import policies_of
from server.web.blueprint import bp
from server.web.helpers import db, my_id


def _period():
    """The chosen period, or (the whole history, the message) when it is not valid."""
    try:
        return figures.parse_period(request.args.get("start"), request.args.get("end")), None
    except DomainError as exc:
        return figures.Period(), exc.message


def _csv(report: figures.Report, name: str) -> Response:
    return Response(
        figures.csv_text(report),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _page(report, error, *, group, policy=None):
    return render_template(
        "coproduction/participation.html",
        report=report,
        charts=charts.participation_charts(report),
        metrics=figures.METRICS,
        group=group,
        policy=policy,
        error=error,
        start=request.args.get("start", ""),
        end=request.args.get("end", ""),
    ), (422 if error else 200)


@bp.get("/policies/<int:policy_id>/participation")
def policy_participation(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    period, error = _period()
    found = figures.report(db(), policy.group_id, [policy], period)
    return _page(found, error, group=access.group, policy=policy)


@bp.get("/policies/<int:policy_id>/participation.csv")
def policy_participation_csv(policy_id: int):
    policy, _access = policy_access(db(), my_id(), policy_id)
    period, _error = _period()
    found = figures.report(db(), policy.group_id, [policy], period)
    return _csv(found, figures.csv_filename(policy.id, policy.group_id))


@bp.get("/groups/<int:group_id>/participation")
def group_participation(group_id: int):
    access = group_access(db(), my_id(), group_id)
    period, error = _period()
    found = figures.report(db(), group_id, policies_of(db(), group_id), period)
    return _page(found, error, group=access.group)


@bp.get("/groups/<int:group_id>/participation.csv")
def group_participation_csv(group_id: int):
    group_access(db(), my_id(), group_id)
    period, _error = _period()
    found = figures.report(db(), group_id, policies_of(db(), group_id), period)
    return _csv(found, figures.csv_filename(None, group_id))


@bp.get("/policies/<int:policy_id>/your-words")
def my_words(policy_id: int):
    policy, access = policy_access(db(), my_id(), policy_id)
    return render_template(
        "coproduction/your_words.html",
        policy=policy,
        group=access.group,
        found=impact.impact(db(), policy, my_id()),
    )
