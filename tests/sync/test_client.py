"""The reference client: merging, rebasing, retrying, and following structural ops."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sync.client import Client, Orphan, merge_texts
from tests.sync.simulation import Server, section_of

# Same examples on every run, so a failure reproduces.
reproducible = settings(max_examples=300, deadline=None, derandomize=True, database=None)
words = st.text(alphabet=st.sampled_from("ab é😀"), max_size=30)


def test_merge_texts_keeps_both_sides_insertions_theirs_first():
    assert merge_texts("a c", "a B c", "a A c") == "a A B c"


def test_merge_texts_keeps_typing_inside_text_the_other_side_deleted():
    assert merge_texts("one two three", "one twoX three", "one three") == "one Xthree"


def test_merge_texts_deletes_once_what_both_deleted():
    assert merge_texts("one two three", "one three", "one three!") == "one three!"


def test_merge_texts_keeps_inserted_words_whole_next_to_similar_words():
    base = "x <C1K2> y"

    merged = merge_texts(base, "x <C10K5> <C1K2> y", "x <C1K23> <C1K2> y")

    assert "<C10K5>" in merged
    assert "<C1K23>" in merged


@reproducible
@given(words, words)
def test_merge_texts_with_one_side_unchanged_is_the_other_side(base, other):
    assert merge_texts(base, other, base) == other
    assert merge_texts(base, base, other) == other


@reproducible
@given(words, st.integers(0, 30), st.integers(0, 30))
def test_merge_texts_loses_no_insertion(base, ours_at, theirs_at):
    ours = base[:ours_at] + "<O>" + base[ours_at:]
    theirs = base[:theirs_at] + "<T>" + base[theirs_at:]

    merged = merge_texts(base, ours, theirs)

    assert merged.replace("<O>", "").replace("<T>", "") == base
    assert "<O>" in merged
    assert "<T>" in merged


def setup(*texts, clients=2, max_len=10_000):
    server = Server(section_of(*texts), max_len=max_len)
    return server, [Client(server.section) for _ in range(clients)]


def deliver(server, request, sender, *others):
    """Handle a request now: answer its sender, then broadcast to the others."""
    reply, broadcast = server.handle(request)
    sender.receive_reply(request, reply)
    for other in others if broadcast else ():
        other.receive(broadcast)


def test_one_edit_in_flight_per_sentence_and_typing_meanwhile_is_kept():
    server, (a, _) = setup("alpha beta")
    a.edit(1, "alpha beta gamma")
    [first] = a.pending()
    assert a.pending() == []
    a.edit(1, "alpha beta gamma delta")

    deliver(server, first, a)

    assert a.text(1) == "alpha beta gamma delta"
    [second] = a.pending()
    assert second.data["base_version"] == 2
    deliver(server, second, a)
    assert server.live_texts() == [(1, "alpha beta gamma delta")]
    assert a.is_settled()


def test_a_broadcast_folds_into_unsent_and_in_flight_typing():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "A alpha beta")
    [a_request] = a.pending()
    b.edit(1, "alpha beta B")
    [b_request] = b.pending()

    deliver(server, b_request, b, a)
    assert a.text(1) == "A alpha beta B"
    deliver(server, a_request, a, b)

    assert server.live_texts() == [(1, "A alpha beta B")]
    assert a.sentences() == b.sentences() == server.live_texts()
    assert a.is_settled() and b.is_settled()


def test_a_conflict_is_retried_on_the_fresh_text_without_losing_typing():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "alpha <A> beta")
    [a_request] = a.pending()
    b.edit(1, "alpha <B> beta")
    [b_request] = b.pending()
    deliver(server, b_request, b, a)

    deliver(server, a_request, a)
    [retry] = a.pending()
    deliver(server, retry, a, b)

    assert ("edit_sentence", "conflict") in server.errors
    assert retry.data["base_version"] == 2
    assert server.live_texts() == [(1, "alpha <B> <A> beta")]
    assert a.sentences() == b.sentences() == server.live_texts()


def test_a_split_carries_unsent_typing_into_the_half_it_was_typed_in():
    server, (a, b) = setup("alpha beta gamma")
    a.edit(1, "alpha beta gamma delta")
    deliver(server, b.split(1, 6), b, a)

    assert a.sentences() == [(1, "alpha "), (2, "beta gamma delta")]
    [edit] = a.pending()
    deliver(server, edit, a, b)
    assert server.live_texts() == [(1, "alpha "), (2, "beta gamma delta")]
    assert b.sentences() == server.live_texts()


def test_typing_in_flight_across_a_split_still_converges():
    server, (a, b) = setup("alpha beta gamma")
    a.edit(1, "alpha beta gamma delta")
    [in_flight] = a.pending()
    deliver(server, b.split(1, 6), b, a)

    deliver(server, in_flight, a, b)
    while requests := a.pending():
        for request in requests:
            deliver(server, request, a, b)

    assert "delta" in " ".join(text for _, text in server.live_texts())
    assert a.sentences() == b.sentences() == server.live_texts()


def test_typing_in_a_sentence_merged_away_moves_with_its_text():
    server, (a, b) = setup("One.", "Two.")
    a.edit(2, "Two more.")
    [in_flight] = a.pending()
    deliver(server, b.merge(2), b, a)
    assert a.sentences() == [(1, "One. Two more.")]

    deliver(server, in_flight, a)
    [resent] = a.pending()
    deliver(server, resent, a, b)

    assert ("edit_sentence", "gone") in server.errors
    assert server.live_texts() == [(1, "One. Two more.")]
    assert b.sentences() == server.live_texts()
    assert a.orphans == [] and a.refused == []


def test_typing_in_a_sentence_someone_deletes_is_reported_not_moved():
    server, (a, b) = setup("One.", "Two.")
    a.edit(2, "Two more.")
    deliver(server, b.delete(2), b, a)

    assert a.orphans == [Orphan(2, "Two more.")]
    assert a.sentences() == server.live_texts() == [(1, "One.")]
    assert a.pending() == []


def test_insert_and_move_apply_when_the_server_says_so():
    server, (a, b) = setup("One.", "Two.")
    insert = a.insert("New.", {"at": "start"})
    assert a.sentences() == [(1, "One."), (2, "Two.")]

    deliver(server, insert, a, b)
    deliver(server, a.move(3, {"after": 2}), a, b)

    assert a.sentences() == b.sentences() == [(1, "One."), (2, "Two."), (3, "New.")]


def test_a_refused_structural_request_is_reported_and_changes_nothing():
    server, (a, b) = setup("One.", "Two.")
    stale_split = a.split(2, 2)
    b.edit(2, "Two, edited.")
    deliver(server, b.pending()[0], b, a)

    deliver(server, stale_split, a)

    assert [refusal.reply["error"]["code"] for refusal in a.refused] == ["conflict"]
    assert a.sentences() == server.live_texts() == [(1, "One."), (2, "Two, edited.")]


def test_an_edit_refused_for_good_waits_for_the_user():
    server, (a, _) = setup("short", max_len=10)
    a.edit(1, "much too long")
    deliver(server, a.pending()[0], a)

    assert [refusal.reply["error"]["code"] for refusal in a.refused] == ["too_long"]
    assert a.text(1) == "much too long"
    assert a.pending() == []
    a.edit(1, "shorter")
    deliver(server, a.pending()[0], a)
    assert server.live_texts() == [(1, "shorter")]


def test_requests_name_what_the_server_has_seen():
    _, (a, _) = setup("One.", "alpha beta")
    a.edit(2, "new alpha beta")

    assert a.split(2, 10).data == {"id": 2, "base_version": 1, "offset": 6}
    assert a.merge(2).data == {"id": 2, "base_version": 1, "into": 1, "into_base_version": 1}
    assert a.delete(2).data == {"id": 2, "base_version": 1}
    with pytest.raises(ValueError):
        a.merge(1)
