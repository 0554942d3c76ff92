"""Back-pressure: when too many changes wait in a process, or those waiting would
keep the next one waiting too long, it is refused at once with `busy`, nothing
changed, and sent again later it is carried out once (docs/protocol.md). Real
Socket.IO clients flood a real `codraft serve`: once past the count
(CODRAFT_LIVE_QUEUE_LIMIT), once past the expected wait (CODRAFT_LIVE_MAX_WAIT,
the count out of reach): the first change waits behind a held write lock, which
makes the time to write one change long."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

from tests.conftest import LiveServer
from tests.realtime.conftest import Live, start_patiently
from tests.realtime.test_sockets import read_text, wait_for

LIMIT = 8
EACH = 40  # under the per-socket burst allowance


def _flood(clients: dict, section_id: int, refs: dict) -> list[dict]:
    """Each client sends EACH new sentences without waiting for answers."""
    answers: list[dict] = []
    lock = threading.Lock()
    for k in range(EACH):
        for name, client in clients.items():
            word = f"{name}{k}"
            refs[word] = (name, len(refs) + 1)

            def done(ack, word=word):
                with lock:
                    answers.append({"word": word, "ack": ack})

            client.sio.emit("insert_sentence", _insert(section_id, word, refs), callback=done)
    return answers


def _insert(section_id: int, word: str, refs: dict) -> dict:
    return {
        "section_id": section_id,
        "text": f"Word {word}.",
        "place": {"at": "end"},
        "ref": refs[word][1],
    }


def _slow_write(client: Live, section_id: int, instance) -> None:
    """One change written behind a held lock, alone: the server learns that writing
    a change takes about 0.3 s, so any change in hand makes the next wait too long."""
    acks: list[dict] = []
    hold = sqlite3.connect(instance / "codraft.db", timeout=30)
    hold.execute("BEGIN IMMEDIATE")
    payload = {"section_id": section_id, "text": "Warm.", "place": {"at": "end"}}
    client.sio.emit("insert_sentence", payload, callback=acks.append)
    time.sleep(0.3)
    hold.rollback()
    hold.close()
    assert wait_for(lambda: acks, 30) and acks[0]["ok"], acks


BOUNDS = {
    "count": {"CODRAFT_LIVE_QUEUE_LIMIT": str(LIMIT)},
    "wait": {"CODRAFT_LIVE_QUEUE_LIMIT": "1000", "CODRAFT_LIVE_MAX_WAIT": "0.05"},
}


@pytest.mark.parametrize("bound", list(BOUNDS))
def test_a_flood_past_the_queue_limit_is_refused_at_once_and_changes_nothing(
    world, instance, bound
):
    server = start_patiently(LiveServer(instance, env=BOUNDS[bound]))
    section_id = world["section"].id
    clients = {}
    try:
        clients = {n: Live(server.url, world["tokens"][n]) for n in ("alice", "bob")}
        for c in clients.values():
            c.join(world["policy"].id)
        if bound == "wait":
            _slow_write(clients["alice"], section_id, instance)
        refs: dict[str, tuple[str, int]] = {}
        hold = sqlite3.connect(instance / "codraft.db", timeout=30)
        hold.execute("BEGIN IMMEDIATE")  # the changes pile up behind the first
        answers = _flood(clients, section_id, refs)
        time.sleep(0.3)
        hold.rollback()
        hold.close()
        assert wait_for(lambda: len(answers) == len(refs), 60), len(answers)

        codes = {a["ack"]["ok"] or a["ack"]["error"]["code"] for a in answers}
        assert codes == {True, "busy"}, codes
        # That a refusal waits for no write is timed in test_group_commit, without
        # a network: here the held lock stops the whole server (SQLite waits in C),
        # so how long each answer took says more about the machine than the rule.
        kept = [a for a in answers if a["ack"]["ok"]]
        refused = [a for a in answers if not a["ack"]["ok"]]
        words = " ".join(read_text(server, world["tokens"]["carol"], section_id))
        assert all(words.count(f"Word {a['word']}.") == 1 for a in kept)
        assert not [a["word"] for a in refused if f"Word {a['word']}." in words]

        # What docs/protocol.md tells a client: send the same request again later.
        for _round in range(20):
            if not refused:
                break
            time.sleep(0.5)
            again = []
            for a in refused:
                name = refs[a["word"]][0]
                ack = clients[name].call("insert_sentence", _insert(section_id, a["word"], refs))
                if not ack["ok"]:
                    assert ack["error"]["code"] == "busy", ack
                    again.append(a)
            refused = again
        assert refused == []
        words = " ".join(read_text(server, world["tokens"]["carol"], section_id))
        assert all(words.count(f"Word {w}.") == 1 for w in refs)
    finally:
        for c in clients.values():
            c.close()
        server.stop()
