"""An acknowledged edit survives the server being killed outright."""

from __future__ import annotations

import random
import signal
import threading

from tests.conftest import LiveServer
from tests.realtime.conftest import Live, patch, start_patiently
from tests.realtime.test_sockets import read_text


def test_every_acknowledged_edit_survives_sigkill(world, instance):
    server = start_patiently(LiveServer(instance, command="serve"))
    rng = random.Random(20261123)
    acked: list[str] = []
    clients = [Live(server.url, world["tokens"][name]) for name in ("alice", "bob")]
    killed = threading.Event()

    def burst(client: Live, name: str) -> None:
        state = {s["id"]: s for s in client.join(world["policy"].id)["sections"][0]["sentences"]}
        client.sio.on(
            "op",
            lambda op: (
                state.update(
                    {op["id"]: {**state[op["id"]], "text": op["text"], "version": op["version"]}}
                )
                if op.get("op") == "edit"
                else None
            ),
        )
        for n in range(400):
            if killed.is_set():
                return
            s = state[rng.choice(sorted(state))]
            token = f"{name}{n}"
            try:
                reply = client.call(
                    "edit_sentence",
                    {
                        "id": s["id"],
                        "base_version": s["version"],
                        "ref": n,
                        "patch": patch(s["text"], f"{s['text']} {token}"),
                    },
                    timeout=3,
                )
            except Exception:  # the server died under us: this one was never acked
                return
            if reply.get("ok"):
                acked.append(token)

    threads = [
        threading.Thread(target=burst, args=(c, n))
        for c, n in zip(clients, ("alice", "bob"), strict=True)
    ]
    for t in threads:
        t.start()
    while len(acked) < 60 and any(t.is_alive() for t in threads):
        threading.Event().wait(0.01)
    server.stop(signal.SIGKILL)
    killed.set()
    for t in threads:
        t.join(10)
    for c in clients:
        c.close()
    assert len(acked) >= 60

    restarted = start_patiently(LiveServer(instance, command="serve"))
    try:
        text = " ".join(read_text(restarted, world["tokens"]["carol"], world["section"].id))
        missing = [t for t in acked if f" {t}" not in f" {text}"]
        assert not missing, f"{len(missing)} acknowledged edits lost: {missing[:10]}"
    finally:
        restarted.stop()
