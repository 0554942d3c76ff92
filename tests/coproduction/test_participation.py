"""Participation by role on a seeded history, compared with values worked out by
hand from the definition in docs/coproduction.md (words kept from a sentence's
first version count for its writer; the rest for its last editor; splits and
restores are not writing)."""

from __future__ import annotations

from datetime import date

import pytest
from diff_match_patch import diff_match_patch

from server import sync
from server.db import utcnow
from server.editing import services as editing
from server.history.restore import restore_sentence
from server.meetings import attendance, services
from server.participation import attribution, figures, impact, words
from server.policies.models import Sentence
from server.policies.services import sentences_of
from server.review import comments, proposals

dmp = diff_match_patch()


def _patch(old, new):
    return dmp.patch_toText(dmp.patch_make(old, new))


def test_the_word_definition():
    assert words.words_in("You can't ask - self-directed, 2 times.") == [
        "You",
        "can't",
        "ask",
        "self-directed",
        "2",
        "times",
    ]
    # Kept words go to the writer, the rest to the editor.
    got = words.credit("a b c d", "a x c d e", 1, 2)
    assert got == {1: 3, 2: 2}


@pytest.fixture
def history(make, db):
    """Five members; a section whose text several people write, change, split,
    delete and restore."""
    chair = make.user("Chair")
    group = make.group(chair, "Northshire")
    pam = make.user("Pam")
    pat = make.user("Pat")
    ed = make.user("Ed")
    hal = make.user("Hal")
    people = {
        "pam": make.member(group, pam, "parent_carer"),
        "pat": make.member(group, pat, "parent_carer"),
        "ed": make.member(group, ed, "education"),
        "hal": make.member(group, hal, "health"),
    }
    sub = make.subgroup(group, "Writers", members=list(people.values()))
    policy = make.policy(group, chair, "Personal budgets")
    section = make.section(policy.parts[0], chair, sub, "Asking", "")

    def live():
        db.expire_all()
        return sentences_of(db, [section.id])[section.id]

    # Pam writes one sentence (10 words).
    editing.insert(
        db, section, pam, "You can ask for a personal budget at any time.", sync.Place(at="start")
    )
    db.commit()
    first = live()[0]
    # Ed adds "the council" (2 words): Pam 10, Ed 2.
    editing.edit_text(
        db,
        section,
        first,
        ed,
        first.version,
        _patch(first.text, "You can ask the council for a personal budget at any time."),
    )
    db.commit()
    first = live()[0]
    # Hal splits it after "council": splitting is not writing.
    cut = first.text.index(" for a")
    editing.split(db, section, first, hal, first.version, cut)
    db.commit()
    # Pat writes a second sentence (6 words), Hal changes one word of it.
    editing.insert(
        db, section, pat, "We will answer within two weeks.", sync.Place(after=live()[-1].id)
    )
    db.commit()
    pats = live()[-1]
    editing.edit_text(
        db,
        section,
        pats,
        hal,
        pats.version,
        _patch(pats.text, "We will answer within ten days."),
    )
    db.commit()
    # Ed deletes Pat's sentence, then Chair restores it as Pat first wrote it.
    pats = live()[-1]
    editing.delete(db, section, pats, ed, pats.version)
    db.commit()
    gone = db.get(Sentence, pats.id)
    restore_sentence(db, section, gone, chair, 1)
    db.commit()
    return {"group": group, "policy": policy, "section": section, "people": people, "db": db}


def test_words_written_per_role_match_the_hand_count(history):
    db = history["db"]
    policy = history["policy"]
    texts = [s.text for s in sentences_of(db, [history["section"].id])[history["section"].id]]
    assert texts == [
        "You can ask the council",
        " for a personal budget at any time.",
        "We will answer within two weeks.",
    ]
    found = figures.report(db, history["group"].id, [policy], figures.Period())
    by_role = {r.role: r for r in found.rows}
    # Pam: "You can ask" (3) + "for a personal budget at any time" (7) = 10.
    # Ed: "the council" = 2. Pat: her restored sentence, 6. Hal and Chair: 0.
    assert by_role["parent_carer"].words == 16
    assert by_role["education"].words == 2
    assert by_role["health"].words == 0
    assert by_role["facilitator"].words == 0
    assert found.totals.words == 18
    assert by_role["parent_carer"].members == 2


def test_a_sentence_started_with_enter_is_written_by_who_typed_it(history):
    """Enter at the end of a sentence starts an empty one (a split at the end). It
    takes none of the other's words: whoever types it wrote it, and the "your words"
    page says so (it said "You wrote it · 0 of its words are yours")."""
    db, section, people = history["db"], history["section"], history["people"]
    hal = people["hal"].user
    last = sentences_of(db, [section.id])[section.id][-1]
    op = editing.split(db, section, last, hal, last.version, len(last.text))
    db.commit()
    new = db.get(Sentence, op["new"]["id"])
    editing.edit_text(db, section, new, hal, new.version, _patch("", "Ask us any time."))
    db.commit()
    found = impact.impact(db, history["policy"], hal.id)
    mine = [s for s in found["sentences"] if s.text == "Ask us any time."]
    assert [(s.my_words, s.wrote) for s in mine] == [(4, True)]
    by_role = {r.role: r for r in figures.report(
        db, history["group"].id, [history["policy"]], figures.Period()
    ).rows}  # fmt: skip
    assert by_role["health"].words == 4 and by_role["parent_carer"].words == 16


def test_words_typed_then_split_off_count_for_who_typed_them(history):
    """Typing a new sentence on the end of someone else's, then pressing Enter after
    the full stop (as the long-line hint asks), splits off words the first writer
    never wrote. They count for their typist, who wrote the new sentence; the page
    had said "You wrote it · 0 of its words are yours" to the typist, and credited
    the words to the other sentence's writer."""
    db, section, people = history["db"], history["section"], history["people"]
    hal, pat = people["hal"].user, people["pat"].user
    pats = sentences_of(db, [section.id])[section.id][-1]  # Pat's, restored
    typed = pats.text + " Ask us how we decided."
    editing.edit_text(db, section, pats, hal, pats.version, _patch(pats.text, typed))
    db.commit()
    pats = db.get(Sentence, pats.id)
    op = editing.split(db, section, pats, hal, pats.version, typed.index("Ask"))
    db.commit()
    found = impact.impact(db, history["policy"], hal.id)
    assert [(s.text, s.my_words, s.wrote) for s in found["sentences"]] == [
        ("Ask us how we decided.", 5, True)
    ]
    theirs = impact.impact(db, history["policy"], pat.id)["sentences"]
    assert [(s.text, s.my_words, s.wrote) for s in theirs] == [
        ("We will answer within two weeks. ", 6, True)
    ]
    people_of = words.sentence_people(db, history["policy"])
    new = people_of[op["new"]["id"]]
    assert (new.writer, new.editor, dict(new.credits)) == (hal.id, None, {hal.id: 5})
    # The history's "who wrote what" says the same.
    written = {a.sentence.id: a.written_by for a in attribution.section_attribution(db, section)}
    assert written[op["new"]["id"]] == hal and written[pats.id] == pat


def test_split_off_words_are_told_by_where_they_stand_not_by_spelling(history):
    """The sentence typed on the end shares words ("how", "decide") with the one it
    was typed into. It is still all the typist's: the words are told apart by where
    they stand in the text before the split (it said "3 of its words are yours")."""
    db, section, people = history["db"], history["section"], history["people"]
    hal, pat = people["hal"].user, people["pat"].user
    last = sentences_of(db, [section.id])[section.id][-1]
    op = editing.insert(db, section, pat, "We decide how and when.", sync.Place(after=last.id))
    db.commit()
    pats = db.get(Sentence, op["sentence"]["id"])
    typed = pats.text + " Ask us how we decide."
    editing.edit_text(db, section, pats, hal, pats.version, _patch(pats.text, typed))
    db.commit()
    db.refresh(pats)
    op = editing.split(db, section, pats, hal, pats.version, typed.index("Ask"))
    db.commit()
    people_of = words.sentence_people(db, history["policy"])
    new = people_of[op["new"]["id"]]
    assert (new.writer, dict(new.credits)) == (hal.id, {hal.id: 5})
    assert dict(people_of[pats.id].credits) == {pat.id: 5}


def test_a_restore_or_a_split_alone_is_nobody_s_writing(history):
    """Whoever restored a sentence, or split one, wrote none of it: their page does
    not list it (it listed the restored sentence as "You wrote it · 0 of its words
    are yours" for the facilitator who restored it)."""
    db, people = history["db"], history["people"]
    chair_id = history["policy"].created_by_id
    assert impact.impact(db, history["policy"], chair_id)["sentences"] == []
    # Hal split Pam's sentence: Hal is listed for nothing of it.
    hal = impact.impact(db, history["policy"], people["hal"].user_id)["sentences"]
    assert [s.text for s in hal] == []
    pam = impact.impact(db, history["policy"], people["pam"].user_id)["sentences"]
    assert [(s.my_words, s.wrote) for s in pam] == [(3, True), (7, True)]


def test_other_measures_and_the_period(history, make):
    db = history["db"]
    policy, section, people = history["policy"], history["section"], history["people"]
    hal = people["hal"]
    comments.add(db, section, hal, "Is two weeks right?")
    proposals.create(
        db,
        section,
        people["pat"],
        kind="replace",
        reason="Shorter",
        text="We answer in ten days.",
        sentence_ids=[sentences_of(db, [section.id])[section.id][-1].id],
    )
    meeting = services.schedule(db, history["group"], hal.user, title="Held", starts_at=utcnow())
    services.start(db, meeting, hal.user)
    attendance.record(
        db,
        meeting,
        hal.user_id,
        [
            {"user_id": people["pam"].user_id, "status": "present", "mode": "online"},
            {"user_id": people["ed"].user_id, "status": "apologies"},
        ],
    )
    db.commit()
    found = figures.report(db, history["group"].id, [policy], figures.Period())
    by_role = {r.role: r for r in found.rows}
    assert found.sessions == 1
    assert by_role["parent_carer"].attended == 1
    assert by_role["education"].attended == 0
    assert by_role["health"].comments == 1
    assert by_role["parent_carer"].suggestions == 1
    # Edits: Pam 1 insert; Pat 1 insert; Ed 1 edit + 1 delete; Hal 1 split + 1 edit;
    # Chair 1 restore (an insert), plus the section Chair made.
    assert by_role["parent_carer"].edits == 2
    assert by_role["education"].edits == 2
    assert by_role["health"].edits == 2
    # A period that ended yesterday holds none of it, except the words (the text now).
    old = figures.Period(date(2000, 1, 1), date(2000, 1, 2))
    past = {r.role: r for r in figures.report(db, history["group"].id, [policy], old).rows}
    assert past["education"].edits == 0 and past["health"].comments == 0
    assert past["parent_carer"].words == 16


def test_a_flag_is_a_prompt_about_a_role(history):
    db = history["db"]
    found = figures.report(db, history["group"].id, [history["policy"]], figures.Period())
    # Health is a fifth of the members and wrote none of the words.
    assert any(
        f.startswith("Health staff are 20% of the members but wrote 0%") for f in found.flags
    )
    assert all("Hal" not in f for f in found.flags)


def test_a_role_low_on_several_measures_is_one_prompt(history):
    """The group reads each role once: its low measures and their questions together."""
    db = history["db"]
    comments.add(db, history["section"], history["people"]["pam"], "Is two weeks right?")
    db.commit()
    found = figures.report(db, history["group"].id, [history["policy"]], figures.Period())
    roles = [f.split(" are ")[0] for f in found.flags]
    assert len(roles) == len(set(roles)) and "Health staff" in roles
    assert next(f for f in found.flags if f.startswith("Health staff")) == (
        "Health staff are 20% of the members but wrote 0% of the words in the text now "
        "and made 0% of the comments. How could the group make more room for their "
        "words? Is there an easier way for them to say what they think?"
    )
