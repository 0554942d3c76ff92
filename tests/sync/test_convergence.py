"""Seeded random histories: 20 clients, random typing, random delivery order.

Every history ends with the network drained; then every client must show the
server's sentences, in the server's order, with nothing unsaved, and every
token a user typed must be accounted for.
"""

import pytest

from tests.sync.simulation import History, run_history

CLIENTS = 20
ACTIONS = 150


def assert_converged(history: History) -> None:
    final = history.server.live_texts()
    for client in history.clients:
        assert client.is_settled()
        assert client.sentences() == final
        assert [r.request.event for r in client.refused if r.request.event == "edit_sentence"] == []


@pytest.mark.parametrize("seed", range(100))
def test_insert_only_typing_keeps_every_token_exactly_once(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS)

    assert_converged(history)
    final = dict(history.server.live_texts())
    for _, sentence_id, token in history.typed:
        assert [i for i, text in final.items() if token in text] == [sentence_id], token
        assert final[sentence_id].count(token) == 1, token


def test_conflicts_happen_and_are_retried():
    histories = [run_history(seed, clients=CLIENTS, actions=ACTIONS) for seed in range(5)]

    conflicts = sum(h.server.errors.count(("edit_sentence", "conflict")) for h in histories)
    assert conflicts > 0
    for history in histories:
        assert_converged(history)


@pytest.mark.parametrize("seed", range(100))
def test_restructuring_never_misplaces_or_silently_drops_typing(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True)

    assert_converged(history)
    server = history.server
    final = server.live_texts()
    for client_index, sentence_id, token in history.typed:
        found_in = {i for i, text in final if token in text}
        assert found_in <= server.lineage(sentence_id), f"{token} applied to the wrong sentence"
        if not found_in:
            orphans = history.clients[client_index].orphans
            assert any(token in text for text in server.deleted_texts) or any(
                token in orphan.text for orphan in orphans
            ), f"{token} was lost without being reported"
    for client in history.clients:
        assert {r.reply["error"]["code"] for r in client.refused} <= {"conflict", "gone"}


def test_restructuring_reports_edits_to_gone_sentences():
    histories = [
        run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True) for seed in range(10)
    ]

    assert sum(h.server.errors.count(("edit_sentence", "gone")) for h in histories) > 0
    assert sum(len(c.orphans) for h in histories for c in h.clients) > 0


@pytest.mark.parametrize("seed", range(50))
def test_typing_deleting_and_restructuring_together_converge(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True, deletes=True)

    assert_converged(history)
