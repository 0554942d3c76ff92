"""The document model: one plain tree that every export format and the public page
are rendered from, so what a policy says is worked out once, not once per format.

It is a value (dataclasses of strings and numbers): a release stores it as JSON and
renders it again later exactly as it was published.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

TEXT, FAQ = "text", "faq"


@dataclass
class DocSection:
    title: str  # for an FAQ section: the question
    kind: str = TEXT
    sentences: list[str] = field(default_factory=list)  # for an FAQ section: the answer

    @property
    def is_faq(self) -> bool:
        return self.kind == FAQ


@dataclass
class DocPart:
    title: str
    intro: str = ""
    sections: list[DocSection] = field(default_factory=list)


@dataclass
class GlossaryEntry:
    term: str
    explanation: str


@dataclass
class RoleCount:
    role: str  # a label people read: "Parent or carer"
    count: int


@dataclass
class Credits:
    """Who wrote it: how many people of each role always; names only of people who
    agreed to be named (their account setting)."""

    roles: list[RoleCount] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    # The user id behind each name, so a release can drop a name whose owner has
    # since withdrawn their agreement (server.publishing.services.release_document).
    ids: list[int] = field(default_factory=list)

    def only(self, agreeing: set[int]) -> Credits:
        """The same credits naming only the people in `agreeing`."""
        kept = [(i, n) for i, n in zip(self.ids, self.names, strict=True) if i in agreeing]
        return Credits(self.roles, [n for _i, n in kept], [i for i, _n in kept])

    @property
    def total(self) -> int:
        return sum(r.count for r in self.roles)


@dataclass
class Document:
    title: str
    language: str  # BCP 47, e.g. "en-GB"
    summary: str = ""
    version_label: str = ""  # "Version 2", "Draft, 2 December 2026", ...
    date: str = ""  # when it was published or read, for people: "2 December 2026"
    note: str = ""
    group_name: str = ""
    parts: list[DocPart] = field(default_factory=list)
    glossary: list[GlossaryEntry] = field(default_factory=list)
    credits: Credits = field(default_factory=Credits)

    def contents(self) -> list[tuple[str, str, list[tuple[str, str]]]]:
        """The table of contents: (anchor, part title, [(anchor, section title)]).
        Anchors are positional, so they are the same in every format and never
        carry user text."""
        return [
            (
                f"part-{p}",
                part.title,
                [(f"section-{p}-{s}", sec.title) for s, sec in enumerate(part.sections, 1)],
            )
            for p, part in enumerate(self.parts, 1)
        ]

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Document:
        return cls(
            title=data["title"],
            language=data["language"],
            summary=data.get("summary", ""),
            version_label=data.get("version_label", ""),
            date=data.get("date", ""),
            note=data.get("note", ""),
            group_name=data.get("group_name", ""),
            parts=[
                DocPart(
                    title=p["title"],
                    intro=p.get("intro", ""),
                    sections=[
                        DocSection(s["title"], s.get("kind", TEXT), list(s["sentences"]))
                        for s in p["sections"]
                    ],
                )
                for p in data["parts"]
            ],
            glossary=[GlossaryEntry(g["term"], g["explanation"]) for g in data.get("glossary", [])],
            credits=Credits(
                roles=[RoleCount(r["role"], r["count"]) for r in data["credits"]["roles"]],
                names=list(data["credits"]["names"]),
                ids=list(data["credits"].get("ids", [])),
            ),
        )

    def sentence_count(self) -> int:
        return sum(len(s.sentences) for p in self.parts for s in p.sections)


# --- words every format shares ------------------------------------------------------------


def credit_line(credits: Credits) -> str:
    """ "Written together by 8 people: 2 parents or carers, 1 young person, ..."""
    people = f"{credits.total} {'person' if credits.total == 1 else 'people'}"
    roles = ", ".join(f"{r.role} ({r.count})" for r in credits.roles)
    return f"Written together by {people}: {roles}." if roles else "Written together."


def names_line(credits: Credits) -> str:
    if not credits.names:
        return ""
    return "Named with their agreement: " + ", ".join(credits.names) + "."


def heading_line(doc: Document) -> str:
    """ "Version 2 · 2 December 2026 · Northshire SEND Co-production Group"."""
    return " · ".join(x for x in (doc.version_label, doc.date, doc.group_name) if x)
