"""The reference client: merging, rebasing, retrying, the ordered op stream, rejoining."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sync.client import Client, Orphan, Request, _map_offset, merge_texts
from tests.sync.simulation import POLICY, Server, join_reply, model_client, section_of

# Same examples on every run, so a failure reproduces.
reproducible = settings(max_examples=300, deadline=None, derandomize=True, database=None)
words = st.text(alphabet=st.sampled_from("ab é😀"), max_size=30)


def test_merge_texts_keeps_both_sides_insertions_theirs_first():
    assert merge_texts("a c", "a B c", "a A c") == "a A B c"


def test_merge_texts_keeps_a_word_changed_on_one_side_and_deleted_on_the_other():
    assert merge_texts("one two three", "one twoX three", "one three") == "one twoX three"
    assert merge_texts("one two three", "one three", "one twoX three") == "one twoX three"


def test_merge_texts_merges_one_word_changed_on_both_sides_by_character():
    assert merge_texts("a bu c", "a bud c", "a bug c") == "a bugd c"
    assert merge_texts("a teh c", "a the c", "a the c") == "a the c"


def test_merge_texts_keeps_words_typed_inside_words_the_other_side_replaced():
    assert merge_texts("a b c d", "a b X c d", "a B C d") == "a X B C d"
    assert merge_texts("a b c d", "a b X c d", "a d") == "a X d"


def test_merge_texts_never_cuts_a_word_that_a_diff_could_align_with_a_similar_one():
    # A character diff aligns "<C10K3> <C10K1>" with "<C10K1>" as "<C10K" + "3> <C10K"
    # + "1>"; merged with a word typed at that spot, a word used to be cut in two.
    base = "alpha <C10K1> beta"

    merged = merge_texts(base, "alpha <C10K3> <C10K1> beta", "alpha <C11K1> <C10K1> beta")

    assert merged == "alpha <C11K1> <C10K3> <C10K1> beta"


def test_merge_texts_words_added_at_either_end_are_insertions():
    assert merge_texts("a b.", "a b. X", "a b. Y") == "a b. Y X"
    assert merge_texts("a b.", "X a b.", "Y a b.") == "Y X a b."


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
    assert merged.count("<O>") == 1
    assert merged.count("<T>") == 1


@reproducible
@given(
    st.lists(st.sampled_from(["ab", "é", "😀", "a"]), max_size=8),
    st.integers(0, 8),
    st.integers(0, 8),
)
def test_merge_texts_words_typed_between_words_merge_exactly(base_words, ours_at, theirs_at):
    base = " ".join(base_words)

    def typed(at: int, word: str) -> str:
        return " ".join([*base_words[:at], word, *base_words[at:]])

    merged = merge_texts(base, typed(ours_at, "<O>"), typed(theirs_at, "<T>"))

    assert (
        merged.replace("<O> ", "")
        .replace("<T> ", "")
        .replace(" <O>", "")
        .replace(" <T>", "")
        .replace("<O>", "")
        .replace("<T>", "")
        == base
    )
    assert merged.count("<O>") == 1
    assert merged.count("<T>") == 1


def test_map_offset_lands_after_text_inserted_before_it():
    assert _map_offset("ab cd", "ab 😀 cd", 3) == 5
    assert _map_offset("ab cd", "ab cd", 4) == 4


# A client connected to a Server; each test moves acks and ops by hand, in the
# orders the network allows: acks and ops travel apart.


def setup(*texts, clients=2, max_len=10_000, **server):
    server = Server(section_of(*texts), max_len=max_len, **server)
    return server, [model_client(POLICY, f"client-{i}", join_reply(server)) for i in range(clients)]


def commit(server: Server, client: Client, request: Request) -> tuple[dict, dict | None]:
    """Let the server handle a request; return its ack and its op (None if refused)."""
    return server.handle(client.client_id, request)


def deliver(server, request, sender, *others):
    """Handle a request, then give everyone the op (sender first) and the sender its ack."""
    ack, op = commit(server, sender, request)
    for client in (sender, *others) if op else ():
        client.receive_op(op)
    sender.receive_ack(request, ack)
    return ack, op


def sentences(client: Client) -> list[tuple[int, str]]:
    return [sentence for _, ss in client.document() for sentence in ss]


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


def test_the_own_op_not_the_ack_ends_an_edit_in_flight():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "alpha beta gamma")
    [request] = a.pending()
    ack, op = commit(server, a, request)

    a.receive_ack(request, ack)
    assert ack == {"ok": True, "seq": 1}
    assert not a.is_settled() and a.pending() == []
    assert a.sentence_status(1) == {"version": 1, "saved": False, "sending": True, "held": False}
    assert a.needs_resync()  # the ack named seq 1, which the stream has not brought yet
    a.receive_op(op)
    b.receive_op(op)

    assert a.is_settled() and not a.needs_resync()
    assert a.sentence_status(1) == {"version": 2, "saved": True, "sending": False, "held": False}
    assert sentences(a) == sentences(b) == server.live_texts() == [(1, "alpha beta gamma")]


def test_the_own_op_rebases_typing_done_while_the_edit_was_in_flight():
    server, (a, _) = setup("alpha beta")
    a.edit(1, "alpha beta gamma")
    [request] = a.pending()
    a.edit(1, "alpha beta gamma delta")
    ack, op = commit(server, a, request)

    a.receive_op(op)  # before the ack
    a.receive_ack(request, ack)

    assert a.text(1) == "alpha beta gamma delta"
    [second] = a.pending()
    assert second.data["base_version"] == 2


def test_an_op_folds_into_unsent_and_in_flight_typing():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "A alpha beta")
    [a_request] = a.pending()
    b.edit(1, "alpha beta B")
    [b_request] = b.pending()

    deliver(server, b_request, b, a)
    assert a.text(1) == "A alpha beta B"
    deliver(server, a_request, a, b)

    assert server.live_texts() == [(1, "A alpha beta B")]
    assert sentences(a) == sentences(b) == server.live_texts()
    assert a.is_settled() and b.is_settled()


def test_ops_are_applied_in_seq_order_whatever_order_they_arrive_in():
    server, (a, b) = setup("alpha beta")
    ops = []
    for word in ["one", "two", "three"]:
        a.edit(1, a.text(1) + " " + word)
        [request] = a.pending()
        ack, op = commit(server, a, request)
        a.receive_op(op)
        ops.append(op)

    b.receive_op(ops[2])
    b.receive_op(ops[1])
    assert sentences(b) == [(1, "alpha beta")]
    assert b.needs_resync()  # a gap: if it lasts, rejoin
    b.receive_op(ops[0])
    b.receive_op(ops[1])  # a duplicate is ignored

    assert sentences(b) == server.live_texts() == [(1, "alpha beta one two three")]
    assert b.seq == 3 and not b.needs_resync()


def test_a_conflict_is_retried_once_the_stream_brings_the_version_it_named():
    server, (a, b) = setup("alpha beta", merges=False)  # no old texts kept: no merge
    a.edit(1, "alpha <A> beta")
    [a_request] = a.pending()
    b.edit(1, "alpha <B> beta")
    [b_request] = b.pending()
    b_ack, b_op = deliver(server, b_request, b)

    ack, _ = commit(server, a, a_request)
    a.receive_ack(a_request, ack)  # the conflict overtook b's op
    assert ack["error"]["code"] == "conflict"
    assert a.pending() == []
    assert a.needs_resync()
    a.receive_op(b_op)
    [retry] = a.pending()
    deliver(server, retry, a, b)

    assert retry.data["base_version"] == 2
    assert server.live_texts() == [(1, "alpha <B> <A> beta")]
    assert sentences(a) == sentences(b) == server.live_texts()
    assert a.refused == []


def test_a_conflict_ahead_of_a_split_does_not_misplace_typing():
    server, (a, b) = setup("alpha beta gamma")
    a.edit(1, "alpha beta gamma <A>")
    [edit] = a.pending()
    _, split = deliver(server, b.split(1, 6), b)

    ack, _ = commit(server, a, edit)
    a.receive_ack(edit, ack)
    a.receive_op(split)
    [retry] = a.pending()
    deliver(server, retry, a, b)

    assert ack["error"]["code"] == "conflict"
    assert server.live_texts() == [(1, "alpha "), (2, "beta gamma <A>")]
    assert sentences(a) == sentences(b) == server.live_texts()


def test_a_split_carries_unsent_typing_into_the_half_it_was_typed_in():
    server, (a, b) = setup("alpha beta gamma")
    a.edit(1, "alpha beta gamma delta")
    deliver(server, b.split(1, 6), b, a)

    assert sentences(a) == [(1, "alpha "), (2, "beta gamma delta")]
    [edit] = a.pending()
    deliver(server, edit, a, b)
    assert server.live_texts() == [(1, "alpha "), (2, "beta gamma delta")]
    assert sentences(b) == server.live_texts()


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
    assert sentences(a) == sentences(b) == server.live_texts()


def test_typing_in_a_sentence_merged_away_moves_with_its_text():
    server, (a, b) = setup("One.", "Two.")
    a.edit(2, "Two more.")
    [in_flight] = a.pending()
    _, merge = deliver(server, b.merge(2), b)

    ack, _ = commit(server, a, in_flight)
    a.receive_ack(in_flight, ack)  # "gone" arrives before the merge op
    assert ack["error"]["code"] == "gone"
    assert a.pending() == [] and a.needs_resync()
    a.receive_op(merge)
    assert sentences(a) == [(1, "One. Two more.")]
    [resent] = a.pending()
    deliver(server, resent, a, b)

    assert server.live_texts() == [(1, "One. Two more.")]
    assert sentences(b) == server.live_texts()
    assert a.orphans == [] and a.refused == []
    assert not a.needs_resync()


def test_an_orphan_says_who_deleted_its_sentence():
    """The op's `by` (docs/protocol.md) goes with the kept words, so the page can name
    who deleted the sentence."""
    server, (a, b) = setup("One.", "Two.")
    a.edit(2, "Two more.")
    _ack, op = commit(server, b, b.delete(2))
    a.receive_op({**op, "by": 9})
    assert a.orphans == [Orphan(2, "Two more.", 9)]


def test_typing_in_a_sentence_someone_deletes_is_reported_not_moved():
    server, (a, b) = setup("One.", "Two.")
    a.edit(2, "Two more.")
    deliver(server, b.delete(2), b, a)

    assert a.orphans == [Orphan(2, "Two more.")]
    assert sentences(a) == server.live_texts() == [(1, "One.")]
    assert a.pending() == []


def test_insert_and_move_apply_when_the_op_arrives():
    server, (a, b) = setup("One.", "Two.")
    insert = a.insert(1, "New.", {"at": "start"})
    assert sentences(a) == [(1, "One."), (2, "Two.")]

    deliver(server, insert, a, b)
    deliver(server, a.move(3, {"after": 2}), a, b)

    assert sentences(a) == sentences(b) == [(1, "One."), (2, "Two."), (3, "New.")]


def test_changes_name_what_to_render_and_the_op_that_caused_them():
    server, (a, b) = setup("One.", "Two.")
    seen = []
    a.on_change = seen.append
    insert = a.insert(1, "New.", {"at": "end"})
    deliver(server, insert, a, b)
    b.edit(1, "One!")
    deliver(server, b.pending()[0], b, a)

    [inserted, edited] = seen
    assert inserted["kind"] == "section" and inserted["id"] == 1
    assert (inserted["op"]["origin"], inserted["op"]["ref"]) == ("client-0", insert.data["ref"])
    assert inserted["op"]["sentence"]["id"] == 3
    assert (edited["kind"], edited["id"], edited["section_id"]) == ("sentence", 1, 1)
    assert edited["op"]["origin"] == "client-1"


def test_a_refused_structural_request_is_reported_and_changes_nothing():
    server, (a, b) = setup("One.", "Two.")
    stale_split = a.split(2, 2)
    b.edit(2, "Two, edited.")
    deliver(server, b.pending()[0], b, a)

    deliver(server, stale_split, a)

    assert [refusal.ack["error"]["code"] for refusal in a.refused] == ["conflict"]
    assert sentences(a) == server.live_texts() == [(1, "One."), (2, "Two, edited.")]


def test_an_edit_refused_for_good_waits_for_the_user():
    server, (a, _) = setup("short", max_len=10)
    a.edit(1, "much too long")
    deliver(server, a.pending()[0], a)

    assert [refusal.ack["error"]["code"] for refusal in a.refused] == ["too_long"]
    assert a.text(1) == "much too long"
    assert a.sentence_status(1)["held"] and not a.sentence_status(1)["saved"]
    assert a.pending() == []
    a.edit(1, "shorter")
    deliver(server, a.pending()[0], a)
    assert server.live_texts() == [(1, "shorter")]


def test_a_busy_server_is_asked_again_without_bothering_the_user():
    _, (a, _) = setup("One.")
    a.edit(1, "One!")
    [request] = a.pending()

    a.receive_ack(request, {"ok": False, "error": {"code": "busy", "message": "Busy."}})

    [again] = a.pending()
    assert again.data["patch"] == request.data["patch"]
    assert again.data["ref"] > request.data["ref"]
    assert a.refused == []


def test_an_edit_that_changed_nothing_is_done_without_an_op():
    _, (a, _) = setup("One.")
    a.edit(1, "One!")
    [request] = a.pending()

    a.receive_ack(request, {"ok": True, "seq": None})

    assert not a.needs_resync()
    assert [r.data["base_version"] for r in a.pending()] == [1]


def test_requests_carry_increasing_refs_and_name_what_the_server_has_seen():
    _, (a, _) = setup("One.", "alpha beta")
    a.edit(2, "new alpha beta")

    assert a.split(2, 10).data == {"ref": 1, "id": 2, "base_version": 1, "offset": 6}
    assert a.merge(2).data == {
        "ref": 2,
        "id": 2,
        "base_version": 1,
        "into": 1,
        "into_base_version": 1,
    }
    assert a.delete(2).data == {"ref": 3, "id": 2, "base_version": 1}
    assert a.insert(1, "New.", {"at": "end"}).data == {
        "ref": 4,
        "section_id": 1,
        "text": "New.",
        "place": {"at": "end"},
    }
    [edit] = a.pending()
    assert (edit.event, edit.data["ref"], edit.data["id"]) == ("edit_sentence", 5, 2)
    assert a.rejoin_payload() == {"policy_id": POLICY, "client_id": "client-0", "since": 0}
    with pytest.raises(ValueError):
        a.merge(1)


def test_the_first_join_reply_must_be_a_snapshot():
    with pytest.raises(ValueError):
        model_client(POLICY, "c", {"ok": True, "seq": 0, "ops": []})


def test_an_op_this_model_does_not_know_still_takes_its_place_in_the_stream():
    server, (a, _) = setup("One.")
    a.receive_op({"seq": 1, "origin": None, "ref": None, "section_id": 1, "op": "section_tag"})

    assert a.seq == 1 and sentences(a) == server.live_texts()


# Sections.


def two_sections(clients=2):
    server = Server(section_of("One.", "Two."), section_of("Three.", first_id=3))
    return server, [model_client(POLICY, f"client-{i}", join_reply(server)) for i in range(clients)]


def test_sections_are_inserted_moved_and_deleted_when_their_ops_arrive():
    server, (a, b) = two_sections()
    details = {"part_id": 1, "title": "New", "subgroup_id": 1, "kind": "text", "text": "A.|B."}
    deliver(server, a.insert_section(details, {"at": "start"}), a, b)
    assert [s["id"] for s in b.sections()] == [3, 1, 2]
    assert b.sentences(3) == [(4, "A."), (5, "B.")]
    assert b.sections()[0]["title"] == "New"

    deliver(server, a.move_section(3, {"at": "end"}), a, b)
    b.edit(1, "One, typed.")
    deliver(server, a.delete_section(1), a, b)

    assert (
        b.document()
        == a.document()
        == server.document()
        == [
            (2, [(3, "Three.")]),
            (3, [(4, "A."), (5, "B.")]),
        ]
    )
    assert b.orphans == [Orphan(1, "One, typed.")]


def test_an_edit_in_a_deleted_section_is_gone_and_waits_for_the_delete():
    server, (a, b) = two_sections()
    a.edit(3, "Three!")
    [edit] = a.pending()
    _, delete = deliver(server, b.delete_section(2), b)

    ack, _ = commit(server, a, edit)
    a.receive_ack(edit, ack)
    a.receive_op(delete)

    assert a.orphans == [Orphan(3, "Three!")]
    assert a.refused == [] and not a.needs_resync()
    assert a.document() == server.document()


# Losing the connection and rejoining.


def rejoin(server: Server, client: Client) -> dict:
    """Rejoin on a fresh connection; return the reply the client took."""
    request = Request("join_policy", client.rejoin_payload())
    reply, _ = server.handle(client.client_id, request)
    client.receive_join(reply)
    return reply


def test_nothing_is_sent_while_disconnected_and_typing_then_is_kept():
    server, (a, b) = setup("alpha beta")
    a.connection_lost()
    a.edit(1, "alpha beta gamma")
    assert a.pending() == []
    b.edit(1, "B alpha beta")
    deliver(server, b.pending()[0], b)  # a is not in the room

    assert "ops" in rejoin(server, a)
    [edit] = a.pending()
    deliver(server, edit, a, b)

    assert server.live_texts() == [(1, "B alpha beta gamma")]
    assert sentences(a) == sentences(b) == server.live_texts()


def test_a_request_lost_before_the_server_got_it_is_sent_again_once():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "alpha beta <A>")
    [lost] = a.pending()
    a.connection_lost()

    rejoin(server, a)
    [again] = a.pending()
    deliver(server, again, a, b)

    assert again.data["base_version"] == 1 and again.data["ref"] > lost.data["ref"]
    assert server.live_texts() == [(1, "alpha beta <A>")]
    assert sentences(a) == sentences(b) == server.live_texts()


def test_a_request_committed_before_the_connection_dropped_is_recognised_in_the_replay():
    server, (a, b) = setup("alpha beta")
    a.edit(1, "alpha beta <A>")
    [committed] = a.pending()
    _, op = commit(server, a, committed)  # its ack and op are lost with the connection
    b.receive_op(op)
    a.connection_lost()
    a.edit(1, "alpha beta <A> <more>")

    reply = rejoin(server, a)
    [more] = a.pending()
    deliver(server, more, a, b)

    assert [op["ref"] for op in reply["ops"]] == [committed.data["ref"]]
    assert server.live_texts() == [(1, "alpha beta <A> <more>")]
    assert sentences(a) == sentences(b) == server.live_texts()


def test_live_ops_that_overtake_the_rejoin_reply_wait_for_it():
    server, (a, b) = setup("alpha beta")
    a.connection_lost()
    deliver(server, b.split(1, 6), b)
    request = Request("join_policy", a.rejoin_payload())
    reply, _ = server.handle(a.client_id, request)
    b.edit(2, "beta gamma")
    _, later = deliver(server, b.pending()[0], b)

    a.receive_op(later)
    a.receive_join(reply)

    assert a.seq == 2 and sentences(a) == server.live_texts() == [(1, "alpha "), (2, "beta gamma")]


def test_a_replay_with_a_hole_asks_for_another_rejoin():
    server, (a, b) = setup("alpha beta")
    a.connection_lost()
    deliver(server, b.split(1, 6), b)

    a.receive_join({"ok": True, "seq": 1, "ops": []})

    assert a.needs_resync()
    rejoin(server, a)
    assert not a.needs_resync() and sentences(a) == server.live_texts()


def test_a_snapshot_keeps_unsent_typing_and_orphans_typing_in_deleted_sentences():
    server, (a, b) = setup("One.", "Two.", "Three.", keep_ops=1)
    a.connection_lost()
    a.edit(1, "One. Typed.")
    a.edit(2, "Two, typed.")
    b.edit(1, "Yes. One.")
    deliver(server, b.pending()[0], b)
    deliver(server, b.delete(2), b)

    assert "sections" in rejoin(server, a)
    deliver(server, a.pending()[0], a, b)

    assert server.live_texts() == [(1, "Yes. One. Typed."), (3, "Three.")]
    assert sentences(a) == sentences(b) == server.live_texts()
    assert a.orphans == [Orphan(2, "Two, typed.")]


def test_a_snapshot_may_duplicate_an_edit_in_flight_at_the_disconnect():
    """The documented risk: a snapshot cannot say whether that edit was committed."""
    server, (a, b) = setup("One.", keep_ops=0)
    a.edit(1, "One <A>.")
    [committed] = a.pending()
    commit(server, a, committed)
    a.connection_lost()
    a.edit(1, "One <A> <B>.")

    assert "sections" in rejoin(server, a)

    assert a.text(1) == "One <A> <A> <B>."


def test_an_edit_answered_gone_that_no_op_removes_is_held_after_a_rejoin():
    server, (a, _) = setup("One.")
    a.edit(1, "One!")
    [request] = a.pending()
    a.receive_ack(request, {"ok": False, "error": {"code": "not_found", "message": "No."}})
    assert a.needs_resync()
    a.connection_lost()

    rejoin(server, a)

    assert not a.needs_resync() and a.pending() == []
    assert [r.ack["error"]["code"] for r in a.refused] == ["not_found"]


@pytest.mark.parametrize("code", ["not_joined", "future_version"])
def test_a_server_that_forgot_the_join_or_knows_older_text_asks_for_a_rejoin(code):
    server, (a, _) = setup("One.")
    a.edit(1, "One!")
    [request] = a.pending()
    a.receive_ack(request, {"ok": False, "error": {"code": code, "message": "Rejoin."}})
    assert a.needs_resync()
    a.connection_lost()

    rejoin(server, a)
    [again] = a.pending()

    assert not a.needs_resync() and again.data["id"] == 1
    assert a.refused == []
