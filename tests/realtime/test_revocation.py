"""Every way of losing access ends the live sockets of that access, found by what
the Socket.IO server knows (the rooms each socket entered at connect and join),
also for a client that sent an ordinary event named `disconnect` (which once ran
the disconnect handler and made the socket untraceable), on one process and on
two processes sharing PostgreSQL and Redis."""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
import socketio

from server import create_app
from tests.cli.test_cli import codraft
from tests.conftest import PASSWORD, Factory, LiveServer, postgres_database, redis_server_url
from tests.realtime.conftest import Live, build_world, patch, start_patiently
from tests.realtime.test_sockets import first_sentence, wait_for

PATHS = ["sign_out", "password_change", "account_disabled", "token_revoked", "removed_from_group"]
REASON = {
    "sign_out": "signed_out",
    "password_change": "signed_out",
    "account_disabled": "signed_out",
    "token_revoked": "token_revoked",
    "removed_from_group": "removed_from_group",
}
COOKIE_PATHS = {"sign_out", "password_change"}


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def web_sign_in(url: str, email: str, password: str = PASSWORD) -> requests.Session:
    web = requests.Session()
    page = web.get(f"{url}/sign-in", timeout=10).text
    r = web.post(
        f"{url}/sign-in",
        data={"email": email, "password": password, "csrf_token": _csrf(page)},
        timeout=10,
    )
    assert r.ok and web.cookies, r.status_code
    return web


@dataclass
class Victim:
    """A member of the world's group with one way of being signed in."""

    user: object
    email: str
    token: str
    web: requests.Session | None

    def socket(self, url: str) -> Live:
        if self.web is not None:
            cookie = "; ".join(f"{k}={v}" for k, v in self.web.cookies.items())
            return Live(url, headers={"Cookie": cookie})
        return Live(url, self.token)


def victim(make: Factory, world: dict, path: str, url: str) -> Victim:
    email = f"{path}-{uuid.uuid4().hex[:6]}@example.org"
    user = make.user(f"Victim {path}", email)
    make.member(world["group"], user)
    token = make.token(user)
    web = web_sign_in(url, email) if path in COOKIE_PATHS else None
    return Victim(user, email, token, web)


def revoke(path: str, who: Victim, url: str, make: Factory, world: dict, cli: dict) -> None:
    """Take access away by `path`, through the server at `url` (or the command line)."""
    if path == "sign_out":
        home = who.web.get(f"{url}/", timeout=10).text
        r = who.web.post(f"{url}/sign-out", data={"csrf_token": _csrf(home)}, timeout=10)
        assert r.ok
    elif path == "password_change":
        from server.accounts.services import create_password_reset

        token, _ = create_password_reset(
            make.db, who.user, world["users"]["fatima"], timedelta(hours=1)
        )
        make.db.commit()
        other = requests.Session()
        page = other.get(f"{url}/reset/{token}", timeout=10).text
        new = "a brand new long password"
        r = other.post(
            f"{url}/reset/{token}",
            data={"password": new, "confirm": new, "csrf_token": _csrf(page)},
            timeout=10,
        )
        assert r.ok
    elif path == "account_disabled":
        codraft("disable-user", "--email", who.email, **cli)
    elif path == "token_revoked":
        mine = {"Authorization": f"Bearer {who.token}"}
        token_id = requests.get(f"{url}/api/v1/tokens", headers=mine, timeout=10).json()[0]["id"]
        r = requests.delete(f"{url}/api/v1/tokens/{token_id}", headers=mine, timeout=10)
        assert r.status_code == 204
    elif path == "removed_from_group":
        r = requests.delete(
            f"{url}/api/v1/groups/{world['group'].id}/members/{who.user.id}",
            headers={"Authorization": f"Bearer {world['tokens']['fatima']}"},
            timeout=10,
        )
        assert r.status_code == 204
    else:  # pragma: no cover
        raise AssertionError(path)


def check_cut_off(path, world, make, socket_url, revoke_url, writer_url, cli) -> None:
    """Two sockets of one person, one of which sent a fake `disconnect`, both joined:
    revoking ends both, with the reason, and no later change reaches them."""
    who = victim(make, world, path, socket_url)
    plain, faker = who.socket(socket_url), who.socket(socket_url)
    alice = Live(writer_url, world["tokens"]["alice"])
    try:
        for sock in (plain, faker):
            assert sock.join(world["policy"].id)["ok"]
        refused = faker.call("disconnect", {})  # an ordinary event with that name
        assert faker.sio.connected

        revoke(path, who, revoke_url, make, world, cli)
        for name, sock in (("plain", plain), ("faker", faker)):
            revoked = sock.cut_off(20)
            assert revoked and revoked[0]["reason"] == REASON[path], (path, name, revoked)
        assert refused["ok"] is False and refused["error"]["code"] == "invalid", refused

        # Their presence went with them (the disconnect handler ran in a session of
        # its own, though the cut-off came from inside another session's commit).
        seen = alice.join(world["policy"].id)
        assert wait_for(
            lambda: (
                alice.join(world["policy"].id)["ok"]
                and not [p for p in alice.here() if p["user_id"] == who.user.id]
            ),
            5,
        ), alice.everyone
        s = first_sentence(seen)
        ack = alice.call(
            "edit_sentence",
            {
                "id": s["id"],
                "base_version": s["version"],
                "patch": patch(s["text"], f"After {path}."),
            },
        )
        assert ack["ok"], ack
        assert wait_for(lambda: any(o["seq"] == ack["seq"] for o in alice.ops), 10)
        time.sleep(0.5)
        assert not any(o["seq"] == ack["seq"] for o in plain.ops + faker.ops)
    finally:
        for sock in (plain, faker, alice):
            sock.close()


def server_errors(*servers) -> list[str]:
    """SQLAlchemy errors in the servers' logs (a disconnect handler run inside another
    session's commit once raised them)."""
    found = []
    for live in servers:
        text = (live.instance / f"server-{live.port}.log").read_text(errors="replace")
        found += [line for line in text.splitlines() if "sqlalchemy.exc" in line]
    return found


@pytest.mark.parametrize("path", PATHS)
def test_each_revocation_cuts_off_every_socket_of_it(path, world, make, server):
    check_cut_off(
        path, world, make, server.url, server.url, server.url, {"instance": server.instance}
    )
    assert server_errors(server) == []


@pytest.mark.parametrize("path", [p for p in PATHS if p != "removed_from_group"])
def test_a_credential_that_ended_is_refused_at_the_next_connect(path, world, make, server):
    """A connect is authorised as an HTTP request with the same credential would be:
    once signed out, reset, disabled or revoked, the cookie or token that connected a
    moment ago is refused (`not_authenticated`), though the check now reads plain
    columns in the batch that records the socket (accounts.session_owner and
    api_token_owner)."""
    who = victim(make, world, path, server.url)
    before = who.socket(server.url)
    assert before.join(world["policy"].id)["ok"]
    before.close()
    revoke(path, who, server.url, make, world, {"instance": server.instance})
    seen = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", seen.append)
    cookie = who.web  # a signed-in browser's cookies, or None: a program's token
    headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in cookie.cookies.items())} if cookie else {}
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(
            server.url,
            auth=None if cookie else {"token": who.token},
            headers=headers,
            transports=["websocket"],
            wait_timeout=10,
        )
    assert seen and seen[0]["data"]["code"] == "not_authenticated", seen
    assert server_errors(server) == []


def test_reserved_event_names_are_refused_and_change_nothing(world, connect):
    """`connect` and `disconnect` sent as events (and other reserved names) get an
    `invalid` ack; the socket stays who it was, present and joined."""
    alice, carol = connect(world["tokens"]["alice"]), connect(world["tokens"]["carol"])
    alice.join(world["policy"].id)
    for name in ("disconnect", "connect", "connect_error", "message", "disconnecting"):
        reply = alice.call(name, {"token": world["tokens"]["carol"]})
        assert reply["ok"] is False and reply["error"]["code"] == "invalid", (name, reply)
    alice.sio.emit("disconnect")  # no ack asked: ignored all the same
    seen = carol.join(world["policy"].id)
    here = carol.here()
    assert [p["name"] for p in here] == ["Alice", "Carol"]
    s = first_sentence(seen)
    ack = alice.call(
        "edit_sentence",
        {"id": s["id"], "base_version": 1, "patch": patch(s["text"], s["text"] + " Still me.")},
    )
    assert ack["ok"], ack
    assert wait_for(lambda: any(o["seq"] == ack["seq"] for o in carol.ops))
    op = next(o for o in carol.ops if o["seq"] == ack["seq"])
    assert op["origin"] == alice.client_id
    # the real disconnect still works: the others see the person leave
    left = []
    carol.sio.on("presence_left", left.append)
    alice.close()
    assert wait_for(lambda: [p["sid"] for p in left] == [here[0]["sid"]])


# --- two processes, PostgreSQL and Redis ---------------------------------------------


@pytest.fixture(scope="module")
def pair(tmp_path_factory, migrated_postgres_template):
    """Two `codraft serve` processes on one PostgreSQL database, sharing a Redis
    channel; a factory writing to that database; the environment for commands.
    Shared by the five ways of losing access (one database and two starts, not
    five): each cuts off a victim of its own, and the others go on as before."""
    tmp_path = tmp_path_factory.mktemp("pair")
    with postgres_database(template=migrated_postgres_template) as database_url:
        app = create_app(
            {
                "INSTANCE_PATH": str(tmp_path),
                "DATABASE_URL": database_url,
                "SECRET_KEY": "revocation-test-secret",
                "TESTING": True,
            }
        )
        make = Factory(app)
        world = build_world(make)
        env = {
            "CODRAFT_DATABASE_URL": database_url,
            "CODRAFT_MESSAGE_QUEUE": redis_server_url(),
            "CODRAFT_MESSAGE_QUEUE_CHANNEL": f"codraft-test-{uuid.uuid4().hex[:8]}",
        }
        one = start_patiently(LiveServer(tmp_path, command="serve", env=env))
        two = start_patiently(LiveServer(tmp_path, command="serve", env=env))
        yield world, make, one, two, {"instance": tmp_path, "env": env}
        one.stop()
        two.stop()
        make.db.close()
        app.extensions["codraft_db"].engine.dispose()


@pytest.mark.postgres
@pytest.mark.redis
@pytest.mark.parametrize("path", PATHS)
def test_a_revocation_made_in_one_process_cuts_off_sockets_of_another(path, pair):
    """The socket is connected to process one; the revocation is made through process
    two (or the command line, told through Redis); the change is typed in two."""
    world, make, one, two, cli = pair
    check_cut_off(path, world, make, one.url, two.url, two.url, cli)
    assert server_errors(one, two) == []


def test_a_python_client_sees_why_its_connection_was_refused(server):
    """docs/protocol.md: connect_error carries {"code": "not_authenticated"}."""
    seen = []
    sio = socketio.Client(reconnection=False)
    sio.on("connect_error", seen.append)
    with pytest.raises(socketio.exceptions.ConnectionError):
        sio.connect(
            server.url,
            auth={"token": "cdt_not-a-real-token"},
            transports=["websocket"],
            wait_timeout=10,
        )
    assert seen == [
        {
            "message": "Sign in first.",
            "data": {"code": "not_authenticated", "message": "Sign in first."},
        }
    ]


@pytest.mark.browser
def test_a_browser_sees_why_its_connection_was_refused(server, browser):
    """The same refusal as a browser's Socket.IO client reports it: err.message and
    err.data.code."""
    page = browser.new_page()
    try:
        page.goto(f"{server.url}/sign-in")
        page.add_script_tag(url="/static/vendor/socket.io.min.js")
        seen = page.evaluate(
            """() => new Promise((resolve) => {
                const s = io({transports: ["websocket"], reconnection: false});
                s.on("connect_error", (err) => resolve({message: err.message, data: err.data}));
            })"""
        )
    finally:
        page.close()
    assert seen == {
        "message": "Sign in first.",
        "data": {"code": "not_authenticated", "message": "Sign in first."},
    }


def test_an_event_after_the_account_is_disabled_elsewhere_is_answered_then_closed(
    world, make, server
):
    """Disabled from the command line (another process), the account's socket learns
    it at its next event: that event is answered `signed_out`, and the socket is then
    closed. The socket used to be closed before the answer left, so the client's
    request was never answered, as if the network had dropped."""
    who = victim(make, world, "account_disabled", server.url)
    sock = who.socket(server.url)
    assert sock.join(world["policy"].id)["ok"]
    revoke("account_disabled", who, server.url, make, world, {"instance": server.instance})
    cut_off_first = bool(sock.revoked) or sock.disconnected.is_set()  # the periodic check
    reply = sock.call_unless_cut_off("presence", {"section_id": world["section"].id})
    if not cut_off_first:
        assert reply == {
            "ok": False,
            "error": {"code": "signed_out", "message": "Your sign-in has ended. Sign in again."},
        }, reply
    assert sock.disconnected.wait(10)
