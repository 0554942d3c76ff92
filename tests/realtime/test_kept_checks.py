"""The batch writer keeps each socket's credential check between edits (credential
epoch, realtime.boundary.batch_ctx). Whatever takes access away must still stop the
very next edit, with nothing changed, without waiting for a cut-off or a `rights`
message: these warm the kept check with edits first, then change access and edit
at once."""

from __future__ import annotations

import requests

from tests.cli.test_cli import codraft
from tests.realtime.conftest import patch
from tests.realtime.test_sockets import first_sentence, read_text


def _edit(client, sentence_id: int, version: int, old: str, new: str) -> dict:
    return client.call(
        "edit_sentence",
        {"id": sentence_id, "base_version": version, "patch": patch(old, new)},
    )


def _warm(client, s: dict) -> tuple[int, str]:
    """Three edits through the batch writer; the version and text after them."""
    version, text = s["version"], s["text"]
    for n in range(3):
        ack = _edit(client, s["id"], version, text, f"{text} {n}.")
        assert ack["ok"], ack
        version, text = version + 1, f"{text} {n}."
    return version, text


def _refused_as_signed_out(client, sentence_id: int, version: int, text: str) -> bool:
    """The next edit is refused: answered `signed_out`, or the socket is closed
    (the server disconnects a socket whose credential ended, and the close can
    overtake the answer; a cut-off from the same process can come first)."""
    reply = client.call_unless_cut_off(
        "edit_sentence",
        {"id": sentence_id, "base_version": version, "patch": patch(text, text + " After.")},
    )
    if reply is None:
        return client.disconnected.wait(5)
    return reply["ok"] is False and reply["error"]["code"] == "signed_out"


def test_disabling_an_account_from_the_command_line_stops_the_next_edit(world, connect, server):
    """`codraft disable-user` runs in another process and sends the server nothing:
    only the credential epoch tells the batch writer (the periodic credential check
    comes up to 5 s later)."""
    alice = connect(world["tokens"]["alice"])
    s = first_sentence(alice.join(world["policy"].id))
    version, text = _warm(alice, s)
    before = read_text(server, world["tokens"]["fatima"], world["section"].id)

    codraft("disable-user", "--email", "alice@example.org", instance=server.instance)
    assert _refused_as_signed_out(alice, s["id"], version, text)
    assert read_text(server, world["tokens"]["fatima"], world["section"].id) == before


def test_leaving_the_sub_group_stops_the_next_edit_after_kept_checks(world, connect, server):
    alice = connect(world["tokens"]["alice"])
    s = first_sentence(alice.join(world["policy"].id))
    version, text = _warm(alice, s)
    url = f"{server.url}/api/v1/subgroups/{world['sub'].id}/members/{world['users']['alice'].id}"
    gone = requests.delete(
        url, headers={"Authorization": f"Bearer {world['tokens']['fatima']}"}, timeout=10
    )
    assert gone.status_code == 204
    reply = _edit(alice, s["id"], version, text, text + " After.")
    assert reply["ok"] is False and reply["error"]["code"] == "forbidden", reply


def test_a_revoked_token_stops_the_next_edit_after_kept_checks(world, connect, server):
    bob = connect(world["tokens"]["bob"])
    s = first_sentence(bob.join(world["policy"].id))
    version, text = _warm(bob, s)
    before = read_text(server, world["tokens"]["fatima"], world["section"].id)
    mine = {"Authorization": f"Bearer {world['tokens']['bob']}"}
    token_id = requests.get(f"{server.url}/api/v1/tokens", headers=mine, timeout=10).json()[0]["id"]
    assert (
        requests.delete(
            f"{server.url}/api/v1/tokens/{token_id}", headers=mine, timeout=10
        ).status_code
        == 204
    )
    assert _refused_as_signed_out(bob, s["id"], version, text)
    assert read_text(server, world["tokens"]["fatima"], world["section"].id) == before
