"""A change of spaces at either end of a sentence is never recorded (issue 17):
acked "nothing to do" (`seq: null`), no op, no history entry, and the Python
client does not send it (so does not send it again for ever). Removing a doubled
space inside the text is a change like any other."""

from __future__ import annotations

import time

import requests

from server.sync.client import Client
from tests.realtime.conftest import patch


def _history(server, token, sentence_id) -> list:
    r = requests.get(
        f"{server.url}/api/v1/sentences/{sentence_id}/history",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return body["revisions"]


def _sentences(server, token, section_id) -> list:
    r = requests.get(
        f"{server.url}/api/v1/sections/{section_id}",
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    return r.json()["sentences"]


def test_spaces_at_the_ends_are_nothing_to_do(world, connect, server):
    token = world["tokens"]["alice"]
    editor, watcher = connect(token), connect(world["tokens"]["carol"])
    assert editor.join(world["policy"].id)["ok"] and watcher.join(world["policy"].id)["ok"]
    first = _sentences(server, token, world["section"].id)[0]
    before = _history(server, token, first["id"])

    for text in (first["text"] + " ", "  " + first["text"], " " + first["text"] + "  "):
        ack = editor.call(
            "edit_sentence",
            {
                "id": first["id"],
                "base_version": first["version"],
                "patch": patch(first["text"], text),
            },
        )
        assert ack == {"ok": True, "seq": None}, ack
    time.sleep(0.5)
    assert watcher.ops == [] and editor.ops == []
    assert _history(server, token, first["id"]) == before
    now = _sentences(server, token, world["section"].id)[0]
    assert (now["text"], now["version"]) == (first["text"], first["version"])

    # A doubled space removed inside the text is a change, recorded.
    doubled = first["text"].replace(" ", "  ", 1)
    ack = editor.call(
        "edit_sentence",
        {
            "id": first["id"],
            "base_version": first["version"],
            "patch": patch(first["text"], doubled),
        },
    )
    assert ack["ok"] and ack["seq"] is not None
    ack = editor.call(
        "edit_sentence",
        {
            "id": first["id"],
            "base_version": first["version"] + 1,
            "patch": patch(doubled, first["text"]),
        },
    )
    assert ack["ok"] and ack["seq"] is not None
    now = _sentences(server, token, world["section"].id)[0]
    assert (now["text"], now["version"]) == (first["text"], first["version"] + 2)
    assert len(_history(server, token, first["id"])) > len(before)


def test_the_python_client_settles_without_sending_spaces(world, connect, server):
    live = connect(world["tokens"]["alice"])
    model = Client(world["policy"].id, live.client_id, live.join(world["policy"].id))
    sentence_id, text = model.sentences(world["section"].id)[0]
    model.edit(sentence_id, text + "  ")
    assert model.pending() == [] and model.is_settled()

    model.edit(sentence_id, " " + text + " More. ")
    (request,) = model.pending()
    ack = live.call(request.event, request.data)
    assert ack["ok"] and ack["seq"] is not None
    model.receive_ack(request, ack)
    deadline = time.monotonic() + 10
    while not live.ops and time.monotonic() < deadline:
        time.sleep(0.05)
    for op in live.ops:
        model.receive_op(op)
    assert model.pending() == [] and model.is_settled()
    assert _sentences(server, world["tokens"]["alice"], world["section"].id)[0]["text"] == (
        text + " More."
    )
