"""Heavy work never stalls live editing, and reads never write (issue 11).

Against a real `codraft serve` (one gevent process) with real Socket.IO clients:
while a large session pack is being made into a PDF, an edit is still acked
within 100 ms, and a pack that runs over the time bound is answered 503 with a
message; a vote closed by the server's scheduled job while a member types in
the sentence it changes gives no 500, loses nothing, and every client ends with
the same text.
"""

from __future__ import annotations

import statistics
import threading
import time
from datetime import timedelta

import pytest
import requests

from server.db import utcnow
from server.meetings import agenda, services
from server.review.models import Vote
from tests.conftest import LiveServer
from tests.realtime.conftest import Live, patch

V1 = "/api/v1"
ACK_BOUND = 0.100  # the bound: a live edit is acked within 100 ms


def api(url, token, method, path, **kw):
    return requests.request(
        method, f"{url}{V1}{path}", timeout=60, headers={"Authorization": f"Bearer {token}"}, **kw
    )


def section_text(url, token, section_id) -> list[dict]:
    res = api(url, token, "GET", f"/sections/{section_id}")
    assert res.status_code == 200, res.text
    return res.json()["sentences"]


@pytest.fixture
def slow_server(instance):
    """A server that gives up on heavy work after 5 s."""
    live = LiveServer(instance, env={"CODRAFT_HEAVY_WORK_SECONDS": "5"}, fork=False).start()
    yield live
    live.stop()


def big_session(db, world) -> int:
    """A session whose pack is heavy: 100 agenda items (the pack's cap), each with a
    long note."""
    fatima = world["users"]["fatima"]
    meeting = services.schedule(
        db, world["group"], fatima, title="Big session", starts_at=utcnow() + timedelta(days=1)
    )
    note = "Families asked us to explain every step of the budget in plain words. " * 150
    for n in range(100):
        agenda.add(db, meeting, f"Item {n}: what we heard", note)
    db.commit()
    return meeting.id


def op_of(client: Live, seq: int, timeout: float = 10) -> dict:
    """The op an ack's seq names, once the stream has brought it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for op in reversed(client.ops):
            if op.get("seq") == seq:
                return op
        time.sleep(0.005)
    raise AssertionError(f"op {seq} never arrived")


def type_and_time(client: Live, sentence: dict, stop: threading.Event, out: list) -> None:
    """Type one word at a time into a sentence, each edit waiting for its ack;
    record each ack's round trip."""
    text, version, n = sentence["text"], sentence["version"], 0
    while not stop.is_set():
        n += 1
        wanted = f"{text} w{n}"
        started = time.perf_counter()
        ack = client.call(
            "edit_sentence",
            {"id": sentence["id"], "base_version": version, "patch": patch(text, wanted), "ref": n},
        )
        out.append((time.perf_counter() - started, ack))
        if ack.get("ok"):
            op = op_of(client, ack["seq"])
            text, version = op["text"], op["version"]
        time.sleep(0.02)


@pytest.mark.quiet
def test_edits_are_acked_within_100_ms_while_a_pack_pdf_is_made(db, world, slow_server):
    small = services.schedule(
        db, world["group"], world["users"]["fatima"], title="Small", starts_at=utcnow()
    )
    db.commit()
    meeting_id = big_session(db, world)
    url, tokens = slow_server.url, world["tokens"]
    # A small pack first: it starts the worker process (not counted in the bound).
    first_pdf = api(url, tokens["carol"], "GET", f"/sessions/{small.id}/pack.pdf")
    assert first_pdf.status_code == 200 and first_pdf.content.startswith(b"%PDF")
    alice = Live(url, tokens["alice"])
    try:
        assert alice.join(world["policy"].id)["ok"]
        first = section_text(url, tokens["alice"], world["section"].id)[0]
        # Warm up: the first edit pays for imports and connections.
        warm = alice.call(
            "edit_sentence",
            {
                "id": first["id"],
                "base_version": first["version"],
                "patch": patch(first["text"], first["text"] + " w0"),
                "ref": 0,
            },
        )
        assert warm["ok"]
        first = section_text(url, tokens["alice"], world["section"].id)[0]

        acks: list = []
        stop = threading.Event()
        typing = threading.Thread(target=type_and_time, args=(alice, first, stop, acks))
        started = time.perf_counter()
        typing.start()
        pdf = api(url, tokens["carol"], "GET", f"/sessions/{meeting_id}/pack.pdf")
        waited = time.perf_counter() - started
        time.sleep(1.0)  # keep typing while the stopped worker is replaced
        stop.set()
        typing.join(10)
    finally:
        alice.close()

    # The PDF ran over the 5 s bound: a clear 503, not a stalled server.
    assert pdf.status_code == 503, (pdf.status_code, pdf.text[:200])
    error = pdf.json()["error"]
    assert error["code"] == "too_slow" and "taking too long" in error["message"]
    assert waited < 5 + 3.0
    times = [t for t, ack in acks]
    median, worst = statistics.median(times) * 1000, max(times) * 1000
    print(f"\nacks during the PDF: n={len(times)} median={median:.1f} ms max={worst:.1f} ms")
    assert all(ack.get("ok") for _t, ack in acks), acks
    assert len(times) >= 10, times  # edits kept flowing while it was being made
    assert statistics.median(times) < ACK_BOUND, sorted(times)
    # No stall: on a shared, loaded machine single acks can take longer (the one
    # arriving with the PDF request waits for its commit and the worker's fork).
    assert max(times) < 0.5, sorted(times)
    final = section_text(url, tokens["alice"], world["section"].id)[0]["text"]
    assert final.endswith(f" w{len(acks)}")  # every acked edit is in the text


def test_a_pack_at_the_cap_is_shown_whole(db, world, server):
    meeting_id = big_session(db, world)
    res = api(server.url, world["tokens"]["carol"], "GET", f"/sessions/{meeting_id}/pack")
    assert res.status_code == 200
    assert "This pack shows the first 100" not in res.text  # exactly at the cap
    assert res.text.count("what we heard") >= 100


@pytest.fixture
def gated_server(instance):
    """A server whose job closing due votes runs once `close_votes` exists in its
    instance folder (tests/forkserver.py, CODRAFT_TEST_JOB_GATE), each second
    from then on, instead of every 30 s. Started without the fork server, the
    job keeps its own 30 s interval and the test waits for it."""
    gate = instance / "close_votes"
    live = LiveServer(instance, env={"CODRAFT_TEST_JOB_GATE": f"close_due_votes={gate}"})
    live.gate = gate
    yield live
    live.stop()


def test_a_vote_closes_while_a_member_types_in_the_sentence_it_changes(db, world, gated_server):
    server = gated_server.start()
    url, tokens = server.url, world["tokens"]
    section_id = world["section"].id
    target = section_text(url, tokens["carol"], section_id)[1]
    proposal = api(
        url,
        tokens["carol"],
        "POST",
        f"/sections/{section_id}/proposals",
        json={
            "kind": "replace",
            "reason": "Families asked for a faster answer.",
            "text": "We will answer in two weeks.",
            "sentence_ids": [target["id"]],
        },
    ).json()
    closes = (utcnow() + timedelta(hours=1)).isoformat()
    vote = api(
        url,
        tokens["carol"],
        "POST",
        f"/proposals/{proposal['id']}/vote",
        json={"closes_at": closes},
    ).json()
    for name in ("fatima", "bob", "carol"):  # 3 of 4: it stays open until its time
        assert (
            api(
                url,
                tokens[name],
                "POST",
                f"/votes/{vote['id']}/ballots",
                json={"choice": "approve"},
            ).status_code
            == 201
        )

    alice = Live(url, tokens["alice"])
    watcher = Live(url, tokens["carol"])
    statuses: list[int] = []
    try:
        for c in (alice, watcher):
            assert c.join(world["policy"].id)["ok"]
        # Its time passes: due, but nothing closes it until the job runs.
        db.get(Vote, vote["id"]).closes_at = utcnow() - timedelta(seconds=1)
        db.commit()
        seen = api(url, tokens["bob"], "GET", f"/votes/{vote['id']}").json()
        assert seen["open"] and seen["closing"]
        assert section_text(url, tokens["bob"], section_id)[1]["text"] == target["text"]

        stop = threading.Event()

        def read_all_the_time():
            while not stop.is_set():
                for path in (f"/votes/{vote['id']}", f"/sections/{section_id}"):
                    statuses.append(api(url, tokens["bob"], "GET", path).status_code)

        reader = threading.Thread(target=read_all_the_time)
        reader.start()

        # Alice types in the sentence while the server's scheduled job closes the
        # vote and applies the proposal to the same sentence: the job starts after
        # her third word (the gate) and runs at its next tick, within a second.
        text, version, typed = target["text"], target["version"], []
        closed_at_ref, deadline = None, time.monotonic() + 60
        for n in range(1, 1000):
            word = f"a{n}"
            wanted = f"{text} {word}"
            ack = alice.call(
                "edit_sentence",
                {
                    "id": target["id"],
                    "base_version": version,
                    "patch": patch(text, wanted),
                    "ref": n,
                },
            )
            assert "ok" in ack or "error" in ack, ack
            if ack.get("ok"):
                typed.append(word)
                op = op_of(alice, ack["seq"])  # the text as merged by the server
                text, version = op["text"], op["version"]
                if len(typed) == 3:
                    server.gate.touch()
            else:
                assert ack["error"]["code"] == "conflict", ack
                time.sleep(0.1)  # let the op stream catch up, then type on its text
                latest = [o for o in alice.ops if o.get("id") == target["id"] and "text" in o]
                text, version = latest[-1]["text"], latest[-1]["version"]
            if closed_at_ref is None and any(
                o.get("cause") == f"proposal:{proposal['id']}" for o in alice.ops
            ):
                closed_at_ref = n
            if closed_at_ref is not None and n >= closed_at_ref + 10:
                break  # typed on for a while after the close
            assert time.monotonic() < deadline, "the job did not close the vote in time"
            time.sleep(0.1)
        stop.set()
        reader.join(30)
        assert all(code < 500 for code in statuses), statuses
        closed = api(url, tokens["bob"], "GET", f"/votes/{vote['id']}").json()
        assert not closed["open"] and closed["outcome"] == "approved"
        assert (
            api(url, tokens["bob"], "GET", f"/proposals/{proposal['id']}").json()["status"]
            == "applied"
        )

        def last_text(client):
            ops = [o for o in client.ops if o.get("id") == target["id"] and "text" in o]
            return ops[-1]["text"]

        deadline = time.monotonic() + 10
        final = section_text(url, tokens["bob"], section_id)[1]["text"]
        while time.monotonic() < deadline and not (last_text(alice) == final == last_text(watcher)):
            time.sleep(0.1)
            final = section_text(url, tokens["bob"], section_id)[1]["text"]
        assert last_text(alice) == final == last_text(watcher)  # everyone converged
        # Nothing is lost: the proposal's words and every word Alice had acked are
        # all in the section (the merge may carry her earlier words into a new
        # sentence after it), and she was typing on both sides of the close.
        assert "two weeks" in final
        whole = " ".join(row["text"] for row in section_text(url, tokens["bob"], section_id))
        assert all(word in whole.split() for word in typed), (typed, whole)
        applied = next(
            o["seq"] for o in watcher.ops if o.get("cause") == f"proposal:{proposal['id']}"
        )
        mine = [o["seq"] for o in alice.ops if o.get("origin") == alice.client_id]
        assert min(mine) < applied < max(mine), "Alice typed before and after the close"
    finally:
        alice.close()
        watcher.close()
