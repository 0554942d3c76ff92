"""Word comments through splits and merges, through the services (issue 17): the
words stay on the first part when they are in it, keep their part when the cut
falls inside them, follow the part cut off into the new sentence, and follow it
again when that sentence is merged back."""

from __future__ import annotations

from server.editing import services as editing
from server.policies.models import Sentence
from server.policies.services import sentences_of
from server.review import comments, word_anchors


def _second(db, world) -> Sentence:
    return sentences_of(db, [world.section.id])[world.section.id][1]


def _on(db, world, sentence, words):
    at = sentence.text.index(words)
    c = comments.add(
        db,
        world.section,
        world.others[0],
        "Why?",
        sentence_id=sentence.id,
        words=(at, at + len(words)),
    )
    db.commit()
    return c.id


def test_words_follow_a_split_and_a_merge_back(db, world):
    second = _second(db, world)
    assert second.text == "The council pays it monthly."
    stays = _on(db, world, second, "council")
    straddles = _on(db, world, second, "pays it")
    goes = _on(db, world, second, "monthly")
    writer = world.writer.user

    cut = len("The council pays ")
    editing.split(db, world.section, second, writer, second.version, cut)
    db.commit()
    new = sentences_of(db, [world.section.id])[world.section.id][2]
    assert (second.text, new.text) == ("The council pays ", "it monthly.")

    where = word_anchors.placed(db, [stays, straddles, goes])
    assert (where[stays].sentence_id, where[stays].now) == (second.id, "council")
    assert (where[straddles].sentence_id, where[straddles].now) == (second.id, "pays")
    assert (where[goes].sentence_id, where[goes].start, where[goes].now) == (new.id, 3, "monthly")

    editing.merge(db, world.section, new, second, writer, new.version, second.version)
    db.commit()
    where = word_anchors.placed(db, [goes])[goes]
    assert (where.sentence_id, where.now) == (second.id, "monthly")
    assert second.text[where.start : where.end] == "monthly"
