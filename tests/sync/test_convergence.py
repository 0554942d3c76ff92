"""Seeded random histories: 20 clients, random typing, random delivery order.

Acks and ops travel apart and ops from different server processes overtake
each other, so clients must put the stream back in order themselves. Some
histories drop connections mid-burst and rejoin. Every history ends with the
network drained; then every client must show the server's document, in the
server's order, with nothing unsaved, and every token a user typed must be
accounted for.
"""

import pytest

from tests.sync.simulation import History, run_history, run_typing

CLIENTS = 20
ACTIONS = 150


def assert_converged(history: History) -> None:
    final = history.server.document()
    for client in history.clients:
        assert client.is_settled()
        assert not client.needs_resync()
        assert client.seq == history.server.seq
        assert client.document() == final
        assert [r.request.event for r in client.refused if r.request.event == "edit_sentence"] == []


def assert_every_token_once_where_typed(history: History, at_risk: set[str] = frozenset()):
    """Each token is in the sentence it was typed in, once (at most twice if at risk)."""
    final = dict(history.server.live_texts())
    for _, sentence_id, token in history.typed:
        assert [i for i, text in final.items() if token in text] == [sentence_id], token
        if token in at_risk:
            assert final[sentence_id].count(token) in (1, 2), token
        else:
            assert final[sentence_id].count(token) == 1, token


@pytest.mark.parametrize("seed", range(80))
def test_insert_only_typing_keeps_every_token_exactly_once(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, unicode=seed % 2 == 1)

    assert_converged(history)
    assert_every_token_once_where_typed(history)
    assert history.resyncs == 0


@pytest.mark.parametrize("seed", range(30))
def test_dense_typing_of_similar_words_keeps_every_word_once(seed):
    """Twenty people, three sentences, 240 words much alike, edits merged with the
    text they were made against (as the live server does)."""
    history = run_typing(
        seed,
        clients=CLIENTS,
        each=12,
        texts=["alpha beta gamma delta.", "epsilon zeta eta theta.", "iota kappa alpha beta."],
    )

    assert_converged(history)
    assert_every_token_once_where_typed(history)


def test_the_network_reorders_and_conflicts_are_retried():
    """With a server that keeps no old texts, stale edits conflict and are retried."""
    histories = [
        run_history(seed, clients=CLIENTS, actions=ACTIONS, merges=False) for seed in range(5)
    ]

    conflicts = sum(h.server.errors.count(("edit_sentence", "conflict")) for h in histories)
    assert conflicts > 0
    assert sum(h.reordered for h in histories) > 0  # ops overtook ops, acks overtook ops
    assert sum(h.acks_first for h in histories) > 0
    for history in histories:
        assert_converged(history)


@pytest.mark.parametrize("seed", range(40))
def test_dropped_connections_rejoin_without_losing_or_repeating_typing(seed):
    history = run_history(
        seed, clients=CLIENTS, actions=ACTIONS, disconnects=0.1, unicode=seed % 2 == 1
    )

    assert_converged(history)
    assert_every_token_once_where_typed(history)
    assert history.at_risk == set()  # every rejoin was a replay


def test_dropped_connections_lose_requests_both_before_and_after_their_commit():
    histories = [
        run_history(seed, clients=CLIENTS, actions=ACTIONS, disconnects=0.1) for seed in range(10)
    ]

    assert sum(h.rejoins for h in histories) > 0
    assert sum(h.lost_uncommitted for h in histories) > 0
    assert sum(h.lost_committed for h in histories) > 0


@pytest.mark.parametrize("seed", range(30))
def test_clients_too_far_behind_rebuild_from_a_snapshot_losing_nothing(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, disconnects=0.1, keep_ops=5)

    assert_converged(history)
    assert_every_token_once_where_typed(history, history.at_risk)
    assert history.snapshots > 0


@pytest.mark.parametrize("seed", range(80))
def test_restructuring_never_misplaces_or_silently_drops_typing(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True)

    assert_converged(history)
    assert_typing_accounted_for(history)


def assert_typing_accounted_for(history: History) -> None:
    """Each token is in its sentence's lineage, or was deleted, or is reported as an orphan."""
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
        assert {r.ack["error"]["code"] for r in client.refused} <= {"conflict", "gone"}


def test_restructuring_reports_edits_to_gone_sentences():
    histories = [
        run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True) for seed in range(20)
    ]

    assert sum(h.server.errors.count(("edit_sentence", "gone")) for h in histories) > 0
    assert sum(len(c.orphans) for h in histories for c in h.clients) > 0


@pytest.mark.parametrize("seed", range(40))
def test_typing_deleting_and_restructuring_together_converge(seed):
    history = run_history(seed, clients=CLIENTS, actions=ACTIONS, structural=True, deletes=True)

    assert_converged(history)


@pytest.mark.parametrize("seed", range(40))
def test_sections_and_dropped_connections_with_restructuring_converge(seed):
    history = run_history(
        seed,
        clients=CLIENTS,
        actions=ACTIONS,
        structural=True,
        sections=True,
        disconnects=0.05,
        keep_ops=None if seed % 2 else 20,
        unicode=seed % 3 == 0,
    )

    assert_converged(history)
    assert_typing_accounted_for(history)


def test_sections_are_inserted_moved_and_deleted_in_random_histories():
    histories = [
        run_history(seed, clients=CLIENTS, actions=ACTIONS, sections=True) for seed in range(10)
    ]

    ops = {op["op"] for history in histories for op in history.server.log}
    assert {"section_insert", "section_move", "section_delete"} <= ops
