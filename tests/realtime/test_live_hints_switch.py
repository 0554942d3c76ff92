"""CODRAFT_LIVE_HINTS: the one switch that stops plain-language hints being pushed to
live clients after edits (issue 15's bench compares edits with and without them)."""

from __future__ import annotations

import time

import pytest

from tests.conftest import LiveServer
from tests.realtime.conftest import Live, patch, start_patiently
from tests.realtime.test_sockets import first_sentence, wait_for


def _edit_and_collect_hints(url: str, world: dict, wait: float) -> tuple[dict, list[dict]]:
    alice = Live(url, world["tokens"]["alice"])
    bob = Live(url, world["tokens"]["bob"])
    hints: list[dict] = []
    bob.sio.on("hints", hints.append)
    try:
        s = first_sentence(alice.join(world["policy"].id))
        bob.join(world["policy"].id)
        long_text = "The decision about the budget will be made by the panel. " + s["text"]
        ack = alice.call(
            "edit_sentence",
            {"id": s["id"], "base_version": s["version"], "patch": patch(s["text"], long_text)},
        )
        assert ack["ok"], ack
        assert wait_for(lambda: any(o["seq"] == ack["seq"] for o in bob.ops), 10)
        wait_for(lambda: bool(hints), wait)
        time.sleep(0.2)
        return s, hints
    finally:
        alice.close()
        bob.close()


@pytest.mark.parametrize("setting", ["1", "0"])
def test_live_hints_are_pushed_after_an_edit_unless_switched_off(instance, world, setting):
    live = start_patiently(LiveServer(instance, env={"CODRAFT_LIVE_HINTS": setting}))
    try:
        s, hints = _edit_and_collect_hints(live.url, world, wait=5)
    finally:
        live.stop()
    if setting == "1":
        assert hints, "no hints event arrived within 5 s"
        assert any(h["id"] == s["id"] for h in hints[0]["sentences"]), hints
    else:
        assert hints == []
