"""Names shown in lists carry no invisible characters: bidi overrides, embeddings
and isolates, zero-width spaces and joiners between Latin letters, and letters that
draw as blank are removed, by one rule (server.text.clean.clean_name), whichever way
the name comes in: the API, the pages (tests/web/test_invitations.py) or the CLI."""

from __future__ import annotations

from tests.api.support import error
from tests.cli.test_cli import codraft
from tests.conftest import PASSWORD

RLO, PDF, RLI, PDI = "\u202e", "\u202c", "\u2067", "\u2069"
ZWSP, ZWNJ, ZWJ, WJ, BOM = "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"
SPOOFS = {
    f"{RLO}nomiS{PDF}": "nomiS",  # shows as "Simon" in a list
    f"Fran{ZWSP} Facilitator": "Fran Facilitator",  # looks the same as the real one
    f"F{ZWNJ}ran{ZWJ} Fa{WJ}cilitator{BOM}": "Fran Facilitator",
    f"Pat {RLI}(facilitator){PDI}": "Pat (facilitator)",
    "Sam\u3000\u2003Taylor": "Sam Taylor",  # odd spaces become one plain space
}
KEPT = {
    f"\u0645\u06cc{ZWNJ}\u062e\u0648\u0627\u0647\u0645": "Persian: ZWNJ shapes the word",
    f"\U0001f469{ZWJ}\U0001f4bb Ann": "ZWJ joins an emoji",
    "Zo\u00eb O\u2019Neill": "letters and punctuation",
}


def test_display_names_from_an_accepted_invitation_are_cleaned(api, world):
    for n, (raw, clean) in enumerate(SPOOFS.items()):
        email = f"person{n}@example.org"
        made = api.post(
            f"/groups/{world.group}/invitations",
            world.fac,
            {"email": email, "role": "health", "display_name": raw},
        ).get_json()
        assert made["display_name"] == clean  # the suggested name, too
        reply = api.post(
            f"/invitations/{made['token']}/accept", json={"display_name": raw, "password": PASSWORD}
        )
        assert reply.status_code == 201, reply.get_json()
        me = api.get("/me", api.token(email)).get_json()
        assert me["display_name"] == clean
    members = api.get(f"/groups/{world.group}/members", world.fac).get_json()
    names = {m["display_name"] for m in members}
    assert set(SPOOFS.values()) <= names
    assert not any(c in name for name in names for c in (RLO, PDF, RLI, PDI, ZWSP, ZWJ, WJ))


def test_group_and_subgroup_names_are_cleaned(api, world):
    group = api.patch(f"/groups/{world.group}", world.fac, {"name": f"North{ZWSP}shire {RLO}"})
    assert group.get_json()["name"] == "Northshire"
    sub = api.post(
        f"/groups/{world.group}/subgroups", world.fac, {"name": f"{RLI}Money{PDI} matters"}
    ).get_json()
    assert sub["name"] == "Money matters"
    listed = api.get(f"/groups/{world.group}/subgroups", world.fac).get_json()
    assert "Money matters" in {s["name"] for s in listed}


def test_names_that_mean_something_keep_their_joiners(api, world):
    for raw in KEPT:
        made = api.post(f"/groups/{world.group}/subgroups", world.fac, {"name": raw})
        assert made.status_code == 201, made.get_json()
        assert made.get_json()["name"] == raw, KEPT[raw]


def test_a_name_of_nothing_but_invisible_characters_is_refused(api, world):
    blank = f"{RLO}{ZWSP}\u3164{BOM}"
    err = error(api.post("/groups", world.fac, {"name": blank}), 422, "invalid")
    assert "name" in err["fields"]
    reply = api.post(
        f"/groups/{world.group}/invitations",
        world.fac,
        {"email": "blank@example.org", "role": "health"},
    ).get_json()
    err = error(
        api.post(
            f"/invitations/{reply['token']}/accept",
            json={"display_name": blank, "password": PASSWORD},
        ),
        422,
    )
    assert "display_name" in err["fields"]


def test_the_command_line_cleans_names_the_same_way(tmp_path):
    codraft("db", "upgrade", instance=tmp_path)
    made = codraft(
        "create-user",
        "--email",
        "simon@example.org",
        "--name",
        f"{RLO}nomiS{ZWSP}",
        instance=tmp_path,
        input="a long password\na long password\n",
    )
    assert "simon@example.org" in made.stdout
    from server.accounts.services import user_by_email
    from server.db import Database

    database = Database(f"sqlite:///{tmp_path / 'codraft.db'}")
    try:
        assert user_by_email(database.session, "simon@example.org").display_name == "nomiS"
    finally:
        database.remove()
        database.engine.dispose()


def test_the_migration_cleans_display_names_stored_before(tmp_path):
    import sqlalchemy as sa

    from server.migrate import upgrade

    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0007b_hardening_pages")
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            for n, name in enumerate([f"{RLO}nomiS", "Fran Facilitator", f"{ZWSP}\u3164", *KEPT]):
                conn.execute(
                    sa.text(
                        "INSERT INTO users (email, display_name, is_active, created_at) "
                        "VALUES (:e, :n, 1, '2026-01-01 00:00:00')"
                    ),
                    {"e": f"u{n}@example.org", "n": name},
                )
        upgrade(url)
        with engine.connect() as conn:
            names = list(conn.scalars(sa.text("SELECT display_name FROM users ORDER BY id")))
    finally:
        engine.dispose()
    assert names == ["nomiS", "Fran Facilitator", "?", *KEPT]
