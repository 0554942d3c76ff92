"""What changed between two releases, section by section and word by word, with a
plain summary line for each section ("2 sentences changed, 1 added"). The
comparison itself is history's (server.history.diff); this shapes it for readers
and for storing with the release (frozen, like the release itself).
"""

from __future__ import annotations

from server.history import diff
from server.history.replay import PolicyState

_WORDS = {
    diff.CHANGED: "changed",
    diff.ADDED: "added",
    diff.REMOVED: "removed",
    diff.MOVED: "moved",
}


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'' if n == 1 else 's'}"


def summary_line(section: dict) -> str:
    """One plain line for a changed section."""
    change = section["change"]
    rows = section["sentences"]
    if change == diff.ADDED:
        return f"New section with {_plural(len(rows), 'sentence')}."
    if change == diff.REMOVED:
        return "Section removed."
    counts = {key: 0 for key in _WORDS}
    for row in rows:
        if row["change"] in counts:
            counts[row["change"]] += 1
        if row["change"] == diff.MOVED and row.get("before") is not None:
            counts[diff.CHANGED] += 1
    bits = [f"{n} {_WORDS[key]}" for key, n in counts.items() if n]
    if bits:
        first, *rest = bits
        n = int(first.split()[0])
        bits = [f"{n} sentence{'' if n == 1 else 's'} {first.split(' ', 1)[1]}", *rest]
    if section.get("title_before") is not None:
        bits.insert(0, "title changed")
    if change == diff.MOVED:
        bits.insert(0, "section moved")
    if not bits:
        return "Owner or status changed; the text is the same."
    line = ", ".join(bits)
    return line[0].upper() + line[1:] + "."


def between(before: PolicyState, after: PolicyState, since: str) -> dict:
    """The changes from `before` to `after`, ready to store and show."""
    result = diff.compare(before, after)
    sections = []
    for sec in result["sections"]:
        if (
            not sec["text_changed"]
            and sec["title_before"] is None
            and sec["change"] in (diff.CHANGED,)
        ):
            continue  # only an owner or status changed: nothing a reader would see
        sections.append(
            {
                "change": sec["change"],
                "part_title": sec["part_title"],
                "title": sec["title"],
                "title_before": sec["title_before"],
                "summary": summary_line(sec),
                "sentences": [
                    {
                        "change": row["change"],
                        "text": row["text"],
                        "before": row["before"],
                        "pieces": row["pieces"],
                    }
                    for row in sec["sentences"]
                ],
            }
        )
    return {"since": since, "sections": sections}
