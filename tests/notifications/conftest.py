"""A real SMTP server (aiosmtpd on a free local port), an app that sends to it, and
a small world: a group whose members act through the JSON API."""

from __future__ import annotations

import email
import re
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from server import create_app
from tests.conftest import app_config, free_port, made_app

BASE_URL = "http://codraft.test"


class Inbox:
    """What the SMTP server received, parsed; `stop()` / `start()` take it down and up."""

    def __init__(self):
        self.port = free_port()
        self.messages: list[email.message.EmailMessage] = []
        self._lock = threading.Lock()
        self.controller: Controller | None = None

    async def handle_DATA(self, server, session, envelope):  # noqa: N802  (aiosmtpd's name)
        msg = email.message_from_bytes(envelope.content, policy=policy.default)
        with self._lock:
            self.messages.append(msg)
        return "250 OK"

    def start(self) -> Inbox:
        self.controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def to(self, address: str) -> list:
        with self._lock:
            return [m for m in self.messages if m["To"] == address]

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


@pytest.fixture
def inbox():
    box = Inbox().start()
    yield box
    box.stop()


def mail_settings(port: int) -> dict:
    return {
        "SMTP_URL": f"smtp://127.0.0.1:{port}",
        "MAIL_FROM": "Codraft <codraft@example.org>",
        "BASE_URL": BASE_URL,
    }


@pytest.fixture
def app(instance, inbox):
    with made_app(instance, **mail_settings(inbox.port)) as app:
        yield app


def postgres_app(postgres_url: str, instance, smtp_port: int):
    """A test app on a migrated PostgreSQL database (`migrated_postgres_url`), mailing
    to `smtp_port`, for arranging data that server processes then work on."""
    return create_app(app_config(instance, postgres_url, **mail_settings(smtp_port)))


def plan_session_tomorrow(db, group, chair) -> None:
    """Plan a session 20 hours ahead, so the digest before it is due now."""
    from server.meetings.services import schedule

    starts_at = datetime.now(UTC) + timedelta(hours=20)
    schedule(db, group, chair, title="Tomorrow's session", starts_at=starts_at)
    db.commit()


class Api:
    """JSON API calls as one member (a bearer token)."""

    def __init__(self, client, token: str):
        self.client, self.token = client, token

    def _h(self):
        return {"Authorization": f"Bearer {self.token}"}

    def get(self, path):
        return self.client.get(f"/api/v1{path}", headers=self._h())

    def post(self, path, body=None):
        return self.client.post(f"/api/v1{path}", json=body or {}, headers=self._h())

    def patch(self, path, body):
        return self.client.patch(f"/api/v1{path}", json=body, headers=self._h())

    def ok(self, reply, status=None):
        assert reply.status_code < 300 if status is None else reply.status_code == status, (
            reply.status_code,
            reply.get_data(as_text=True),
        )
        return reply.get_json()


@dataclass
class Person:
    user: object
    api: Api
    name: str

    @property
    def email(self) -> str:
        return self.user.email


@dataclass
class World:
    group: object
    section: object
    facilitator: Person
    writer: Person  # in the sub-group that owns the section
    members: list[Person]
    outsider: Person  # in another group
    app: object = None
    people: dict = field(default_factory=dict)

    def settle(self) -> None:
        """Turn what just happened into notifications now (a live server does it in
        the background right after each commit; tests run the job)."""
        from server import jobs
        from server.notifications import pending

        jobs.configure(self.app.config)
        pending.process(
            self.app.extensions["codraft_db"].session, jobs.delivery_from(self.app.config)
        )

    @property
    def everyone(self) -> list[Person]:
        return [self.facilitator, self.writer, *self.members]


@pytest.fixture
def world(app, make, db, client) -> World:
    def person(user):
        return Person(user, Api(client, make.token(user)), user.display_name)

    chair = make.user("Fran Facilitator")
    group = make.group(chair)
    writer_user = make.user("Wren Writer")
    writer_m = make.member(group, writer_user)
    members = [
        make.member(group, make.user(n)).user for n in ("Ann Parent", "Bo Young", "Cy Nurse")
    ]
    sub = make.subgroup(group, "Writers", members=[writer_m])
    policy_ = make.policy(group, chair)
    section = make.section(
        policy_.parts[0],
        chair,
        sub,
        title="Personal budgets",
        text="You can ask for a personal budget. The council pays it monthly.",
    )
    other_group = make.group(make.user("Other Chair"), name="Another group")
    outsider = make.user("Olly Outsider")
    make.member(other_group, outsider)
    return World(
        group,
        section,
        person(chair),
        person(writer_user),
        [person(u) for u in members],
        person(outsider),
        app,
    )


def run_jobs(app, now=None):
    from server import jobs

    jobs.configure(app.config)
    return jobs.run_all(app.extensions["codraft_db"], now)


def link_path(msg, label_re=r"Open it here:\s*(\S+)") -> str:
    text = msg.get_body(("plain",)).get_content()
    found = re.search(label_re, text)
    assert found, text
    return found.group(1).removeprefix(BASE_URL)


def unsubscribe_path(msg) -> str:
    header = msg["List-Unsubscribe"]
    assert header.startswith(f"<{BASE_URL}/unsubscribe/"), header
    return header.strip("<>").removeprefix(BASE_URL)
