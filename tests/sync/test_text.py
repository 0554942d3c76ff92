"""apply_text_edit: exact and concurrent patches, and every refusal."""

import contextlib
import re

import pytest
from diff_match_patch import diff_match_patch
from hypothesis import given, settings
from hypothesis import strategies as st

from server.sync.errors import BadPatch, Conflict, FutureVersion, Gone, SyncError, TooLong
from server.sync.text import SentenceState, apply_text_edit

# Same examples on every run, so a failure reproduces.
reproducible = settings(max_examples=300, deadline=None, derandomize=True, database=None)
dmp = diff_match_patch()
MAX = 1000
texts = st.text(alphabet=st.sampled_from("ab cé😀,.\u00e0\u0301"), max_size=60)


def sentence(text="The council will pay the budget.", version=3, **fields):
    return SentenceState(7, text, version, "a0", **fields)


def patch(before: str, after: str) -> str:
    return dmp.patch_toText(dmp.patch_make(before, after))


def test_a_patch_against_the_current_version_applies_exactly():
    current = sentence()
    new_text = "The council will pay the whole budget."

    result = apply_text_edit(current, 3, patch(current.text, new_text), max_len=MAX)

    assert result.sentence == SentenceState(7, new_text, 4, "a0")
    assert result.changed
    assert dmp.patch_apply(dmp.patch_fromText(result.patch), current.text)[0] == new_text
    assert result.message() == {
        "op": "edit",
        "id": 7,
        "version": 4,
        "text": new_text,
        "patch": result.patch,
    }


def test_a_patch_that_does_not_match_its_own_base_version_is_a_conflict():
    current = sentence()
    made_against = "The county will pay the budget."

    with pytest.raises(Conflict) as refused:
        apply_text_edit(current, 3, patch(made_against, "The county shall pay."), max_len=MAX)

    assert refused.value.ack() == {
        "ok": False,
        "error": {
            "code": "conflict",
            "message": str(refused.value),
            "id": 7,
            "version": 3,
            "text": current.text,
        },
    }


def test_a_stale_patch_merges_with_changes_made_elsewhere_in_the_sentence():
    seen = "The council will pay the budget."
    current = sentence("Each year the council will pay the budget.", version=4)

    result = apply_text_edit(
        current, 3, patch(seen, "The council will pay the budget in full."), max_len=MAX
    )

    assert result.sentence.text == "Each year the council will pay the budget in full."
    assert result.sentence.version == 5


def test_a_stale_patch_whose_surroundings_changed_is_a_conflict_and_changes_nothing():
    seen = "The council will pay the budget."
    current = sentence("The council might pay the budget.", version=4)

    with pytest.raises(Conflict) as refused:
        apply_text_edit(
            current, 3, patch(seen, "The council will not pay the budget."), max_len=MAX
        )

    assert refused.value.details == {"id": 7, "version": 4, "text": current.text}
    assert current.text == "The council might pay the budget."


def test_concurrent_typing_inside_a_word_is_never_spliced_into_another_word():
    seen = "alpha <C1> beta"
    current = sentence("alpha <C1> <C22> beta", version=4)

    with pytest.raises(Conflict):
        apply_text_edit(current, 3, patch(seen, "alpha <C1> <C3> beta"), max_len=MAX)


def test_a_patch_against_a_future_version_is_refused():
    with pytest.raises(FutureVersion) as refused:
        apply_text_edit(sentence(), 4, patch("x", "y"), max_len=MAX)

    assert refused.value.code == "future_version"
    assert refused.value.details == {"id": 7, "version": 3}


@pytest.mark.parametrize(
    "garbage",
    [
        "hello",
        "@@ nonsense @@\n",
        "@@ -1,3 +1,3 @@\n*abc\n",
        "@@ -1,0 +1,0 @@\n",
        "@@ -1,3 +1,4 @@\n abc\n+d\n@@ broken\n",
        None,
        42,
        ["@@ -1 +1 @@"],
    ],
)
def test_garbage_is_a_bad_patch(garbage):
    with pytest.raises(BadPatch) as refused:
        apply_text_edit(sentence(), 3, garbage, max_len=MAX)

    assert refused.value.ack()["error"]["code"] == "bad_patch"


@reproducible
@given(st.text(alphabet=st.sampled_from("@ -+,0123456789\n%abc😀"), max_size=80))
def test_no_input_escapes_as_anything_but_a_refusal(garbage):
    with contextlib.suppress(SyncError):
        apply_text_edit(sentence("abc abc"), 3, garbage, max_len=MAX)


def test_an_empty_patch_is_accepted_without_a_new_version():
    current = sentence()

    for no_op in ("", "@@ -1,4 +1,4 @@\n The \n"):
        result = apply_text_edit(current, 3, no_op, max_len=MAX)
        assert result.sentence is current
        assert not result.changed
        assert result.patch == ""


def test_undoing_a_stale_change_someone_already_undid_changes_nothing():
    current = sentence("abc", version=5)

    result = apply_text_edit(current, 4, patch("abc", "abc"), max_len=MAX)

    assert result.sentence.version == 5


def test_text_longer_than_max_len_is_refused_never_truncated():
    current = sentence("12345")

    assert apply_text_edit(current, 3, patch("12345", "1234567890"), max_len=10).sentence
    with pytest.raises(TooLong) as refused:
        apply_text_edit(current, 3, patch("12345", "12345678901"), max_len=10)

    assert refused.value.details == {"max_len": 10}


def test_an_enormous_patch_is_refused_as_too_long():
    current = sentence("short")
    huge_insert = patch("short", "short" + "x" * 1_000_000)
    many_hunks = "".join(
        f"@@ -{i * 10 + 1},28 +{i * 10 + 1},29 @@\n {'abcd ' * 6}\n+x\n" for i in range(3000)
    )

    for enormous in (huge_insert, many_hunks):
        with pytest.raises(TooLong):
            apply_text_edit(current, 3, enormous, max_len=MAX)


@reproducible
@given(
    st.text(alphabet=st.sampled_from("ab😀 é"), max_size=200),
    st.text(alphabet=st.sampled_from("ab😀 é"), max_size=200),
)
def test_no_real_patch_between_texts_that_fit_is_too_long(before, after):
    result = apply_text_edit(sentence(before), 3, patch(before, after), max_len=200)

    assert result.sentence.text == after


@pytest.mark.parametrize("merged_into", [None, 5])
def test_an_edit_to_a_deleted_or_merged_sentence_is_gone(merged_into):
    tombstone = sentence(deleted=True, merged_into=merged_into)

    with pytest.raises(Gone) as refused:
        apply_text_edit(tombstone, 3, patch(tombstone.text, "x"), max_len=MAX)

    assert refused.value.details == {"id": 7, "merged_into": merged_into}


@reproducible
@given(texts, texts)
def test_any_unicode_edit_against_the_current_version_gives_the_clients_text(before, after):
    result = apply_text_edit(sentence(before), 3, patch(before, after), max_len=MAX)

    assert result.sentence.text == after
    assert dmp.patch_apply(dmp.patch_fromText(result.patch), before)[0] == after


def test_emoji_and_accents_merge_concurrently():
    seen = "Café 😀 budget für alle"
    current = sentence("Café 😀 budget für alle 🎉", version=4)

    result = apply_text_edit(current, 3, patch(seen, "Café 😀😀 budget für alle"), max_len=MAX)

    assert result.sentence.text == "Café 😀😀 budget für alle 🎉"


def test_offsets_counted_in_utf16_units_as_javascript_does_still_land_right():
    before = "😀😀😀 the budget"
    python_patch = patch(before, "😀😀😀 the personal budget")
    start = int(re.search(r"@@ -(\d+)", python_patch).group(1))
    javascript_patch = python_patch.replace(f"-{start},", f"-{start + 3},").replace(
        f"+{start},", f"+{start + 3},"
    )
    assert javascript_patch != python_patch

    result = apply_text_edit(sentence(before), 3, javascript_patch, max_len=MAX)

    assert result.sentence.text == "😀😀😀 the personal budget"


def test_a_stale_edit_with_its_base_text_merges_where_matching_would_conflict():
    base = "The council will pay."
    current = sentence("The county council will pay.", version=3)
    mine = patch(base, "The council will pay monthly.")
    overlap = patch(base, "The councils will pay.")
    merged = apply_text_edit(current, 2, mine, max_len=MAX, base_text=base)
    assert merged.sentence.text == "The county council will pay monthly."
    assert merged.sentence.version == 4
    both = apply_text_edit(current, 2, overlap, max_len=MAX, base_text=base)
    assert both.sentence.text == "The county councils will pay."


def test_a_patch_that_does_not_fit_its_own_base_text_is_a_conflict():
    current = sentence("Something else entirely.", version=3)
    with pytest.raises(Conflict):
        apply_text_edit(
            current,
            2,
            patch("The council will pay.", "The council pays."),
            max_len=MAX,
            base_text="Nothing like it.",
        )
