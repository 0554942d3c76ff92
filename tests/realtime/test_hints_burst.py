"""A burst of typing into one sentence brings one `hints` for its latest version
(issue 15: hints never slow typing; server/realtime/hints_queue.py)."""

from __future__ import annotations

import time

from tests.conftest import LiveServer
from tests.realtime.conftest import Live, patch, start_patiently
from tests.realtime.test_sockets import first_sentence, wait_for


def test_a_burst_of_edits_is_hinted_once_for_the_latest_version(instance, world):
    live = start_patiently(LiveServer(instance))
    alice = Live(live.url, world["tokens"]["alice"])
    bob = Live(live.url, world["tokens"]["bob"])
    got: list[dict] = []
    bob.sio.on("hints", got.append)
    try:
        s = first_sentence(alice.join(world["policy"].id))
        bob.join(world["policy"].id)
        text, version = s["text"], s["version"]
        for n in range(5):  # back to back: each ack comes in a few milliseconds
            new = f"The plan will be checked by the panel {n}. " + s["text"]
            ack = alice.call(
                "edit_sentence",
                {"id": s["id"], "base_version": version, "patch": patch(text, new)},
            )
            assert ack["ok"], ack
            text, version = new, version + 1  # each edit is the next version

        def for_sentence() -> list[dict]:
            return [x for e in got for x in e["sentences"] if x["id"] == s["id"]]

        assert wait_for(lambda: bool(for_sentence()), 10), "no hints within 10 s"
        time.sleep(1.5)  # room for a second, unwanted, check of the same burst
        seen = for_sentence()
        assert [x["version"] for x in seen] == [version], seen
        assert "passive" in {h["code"] for h in seen[0]["hints"]}
    finally:
        alice.close()
        bob.close()
        live.stop()
