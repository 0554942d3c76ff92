"""Each field limit is one constant (issue 17): the column, the service, the page's
form and the API schema all read it, so they cannot drift apart. Checked by reading
each of them, then through the API: one character over is refused, the limit is not."""

from __future__ import annotations

from wtforms.validators import Length

from server.accounts.models import DISPLAY_NAME_CHARS, User
from server.api import schemas
from server.api.sessions_schemas import SessionAgendaCreateSchema
from server.groups.models import NAME_CHARS, Group, Subgroup
from server.meetings.models import AGENDA_TITLE_CHARS, SESSION_TITLE_CHARS, AgendaItem, Meeting
from server.policies.models import (
    PART_TITLE_CHARS,
    POLICY_TITLE_CHARS,
    SECTION_TITLE_CHARS,
    Part,
    Policy,
    Section,
)
from server.realtime.schemas import InsertSection
from server.web import forms, sessions_forms


def _form_max(form_class, name: str) -> int:
    validators = getattr(form_class, name).kwargs["validators"]
    return next(v.max for v in validators if isinstance(v, Length))


def _schema_max(schema, name: str) -> int:
    rule = schema().fields[name].validate
    return rule.max if not isinstance(rule, list) else rule[0].max


def test_columns_forms_and_schemas_share_one_constant():
    cases = [
        (User.__table__.c.display_name, forms.JoinAsNewForm, "display_name", None, None),
        (Group.__table__.c.name, forms.GroupForm, "name", schemas.GroupCreateSchema, "name"),
        (Subgroup.__table__.c.name, forms.SubgroupForm, "name", schemas.SubgroupCreateSchema,
         "name"),
        (Policy.__table__.c.title, forms.PolicyForm, "title", schemas.PolicyCreateSchema, "title"),
        (Part.__table__.c.title, forms.PartForm, "title", schemas.PartCreateSchema, "title"),
        (Section.__table__.c.title, forms.SectionForm, "title", schemas.SectionCreateSchema,
         "title"),
        (Meeting.__table__.c.title, sessions_forms.SessionForm, "title", None, None),
        (AgendaItem.__table__.c.title, sessions_forms.AgendaItemForm, "title", None, None),
    ]  # fmt: skip
    for column, form, field, schema, schema_field in cases:
        assert _form_max(form, field) == column.type.length, (form, field)
        if schema is not None:
            assert _schema_max(schema, schema_field) == column.type.length, schema
    assert (DISPLAY_NAME_CHARS, NAME_CHARS) == (80, 120)
    assert (POLICY_TITLE_CHARS, PART_TITLE_CHARS, SECTION_TITLE_CHARS) == (200, 200, 300)
    assert (SESSION_TITLE_CHARS, AGENDA_TITLE_CHARS) == (200, 300)
    assert _schema_max(InsertSection, "title") == SECTION_TITLE_CHARS
    assert _schema_max(SessionAgendaCreateSchema, "title") == 4 * AGENDA_TITLE_CHARS


def test_the_service_limit_is_the_same_through_the_api(api, world):
    group = world.group
    ok = api.patch(f"/groups/{group}", world.fac, {"name": "G" * NAME_CHARS})
    assert ok.status_code == 200, ok.get_json()
    over = api.patch(f"/groups/{group}", world.fac, {"name": "G" * (NAME_CHARS + 1)})
    assert over.status_code == 422
    s = api.post(
        f"/groups/{group}/sessions",
        world.fac,
        {"title": "T" * (SESSION_TITLE_CHARS + 1), "starts_at": "2030-01-01T10:00:00Z"},
    )
    body = s.get_json()
    assert s.status_code == 422 and f"{SESSION_TITLE_CHARS}" in str(body), body
