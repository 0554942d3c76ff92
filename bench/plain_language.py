"""How long do plain-language hints take? Issue 15 asks for a 300-sentence policy
checked cold in under a second, and one changed sentence in under 5 ms (median).

Measured in one process, with the real services on a real SQLite database:

- start-up: loading the word lists and textstat's pronouncing dictionary, once per
  server process (done in a thread of its own at start-up, server/realtime/hints_feed.py);
- cold policy: the whole policy's summary (`policy_plain`: the sentences, the
  group's glossary and dismissals read from the database, every rule on every
  sentence) with the hint cache empty, repeated --rounds times;
- rules only, cold: the same 300 sentences through the rules, no database;
- one changed sentence: a word of a random sentence changed (so the text is new and
  the cache misses), then what the background task does for it
  (`hints_for`: glossary and dismissals queries, the rules), --changes times;
- one changed sentence, rules only;
- per sentence in a round of the live feed (server/realtime/hints_feed.py): ROUND
  changed sentences of the policy, its database read once, then each sentence.

    .venv/bin/python bench/plain_language.py
    .venv/bin/python bench/plain_language.py --rounds 20 --changes 2000

docs/performance.md ("Plain-language hints") records the figures.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROUND = 10  # changed sentences in one round of the live feed

# Pieces of sentences like the ones groups write, so the rules see realistic text:
# some plain, some passive, some long, some with jargon or about "parents".
SUBJECTS = [
    "You",
    "We",
    "Your child's school",
    "Parents",
    "The young person",
    "The SEND team",
    "The local authority",
    "Your social worker",
    "The panel",
    "The LA",
]
VERBS = [
    "can ask for",
    "will look at",
    "is responsible for",
    "will be told about",
    "must agree",
    "decides on",
    "is asked to check",
    "can talk to us about",
    "will write to you about",
    "should keep a record of",
]
OBJECTS = [
    "the Personal Budget",
    "the EHCP",
    "a direct payment",
    "the statutory provision in Section F",
    "the support your child needs",
    "the annual review",
    "an EHC needs assessment",
    "the receipts for the money",
    "the decision and the reasons for it",
    "the eligibility criteria",
]
TAILS = [
    "",
    " within four weeks",
    " at the annual review meeting",
    " in accordance with the guidance",
    " before the plan is agreed",
    " with help from the IASS",
    " so that you do not have to tell your story more than once",
    " every three months, and we will tell you in writing what we found and what happens next",
    " when your child moves from primary to secondary school",
    " if you are not sure what it means",
]


def sentences(rng: random.Random, n: int) -> list[str]:
    out, seen = [], set()
    while len(out) < n:
        text = (
            f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)}{rng.choice(TAILS)}."
        )
        if text not in seen:
            seen.add(text)
            out.append(text)
    return out


def ms(values: list[float]) -> str:
    values = sorted(values)
    p95 = values[min(len(values) - 1, int(len(values) * 0.95))]
    return (
        f"median {statistics.median(values) * 1000:.2f} ms, p95 {p95 * 1000:.2f} ms, "
        f"max {values[-1] * 1000:.2f} ms (n={len(values)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=10, help="cold whole-policy runs")
    parser.add_argument("--changes", type=int, default=1000, help="changed sentences timed")
    args = parser.parse_args()

    t0 = time.perf_counter()
    from server.plain import rules

    rules.warm()
    startup = time.perf_counter() - t0

    from server import create_app
    from server.accounts.services import create_user
    from server.glossary import services as glossary
    from server.groups.services import add_to_subgroup, create_group, create_subgroup
    from server.migrate import upgrade
    from server.plain import services as plain
    from server.policies import services as policies

    folder = Path(tempfile.mkdtemp(prefix="codraft-bench-plain-"))
    url = f"sqlite:///{folder / 'codraft.db'}"
    upgrade(url)
    app = create_app(
        {
            "INSTANCE_PATH": str(folder),
            "DATABASE_URL": url,
            "SECRET_KEY": "bench-plain-secret-key",
            "TESTING": True,
            "ASYNC_MODE": "threading",
        }
    )
    rng = random.Random(2026)
    texts = sentences(rng, args.sentences)
    with app.app_context():
        db = app.extensions["codraft_db"].session
        user = create_user(db, "writer@example.org", "Writer", None)
        group = create_group(db, user, "Bench group")
        sub = create_subgroup(db, group, "Writers")
        add_to_subgroup(db, sub, group.memberships[0])
        glossary.adopt_starter(db, group.id, user)
        policy = policies.create_policy(db, group, user, "Bench policy", "", ["One", "Two"])
        per = len(texts) // 3
        for n in range(3):
            policies.create_section(
                db,
                policy.parts[n % 2],
                user,
                title=f"Section {n + 1}",
                subgroup_id=sub.id,
                text=" ".join(texts[n * per : (n + 1) * per if n < 2 else None]),
            )
        db.commit()
        found = plain.policy_plain(db, policy)
        keys = glossary.term_keys(db, group.id)
        count = found.summary.sentences

        cold_policy = []
        for _ in range(args.rounds):
            plain.clear_cache()
            t = time.perf_counter()
            plain.policy_plain(db, policy)
            cold_policy.append(time.perf_counter() - t)
            db.rollback()  # a fresh read each round, as a request would make
        warm_policy = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            plain.policy_plain(db, policy)
            warm_policy.append(time.perf_counter() - t)
            db.rollback()

        cold_rules = []
        for _ in range(args.rounds):
            t = time.perf_counter()
            for text in texts:
                rules.check(text, keys)
            cold_rules.append(time.perf_counter() - t)

        rows = [
            (s.id, s.version, s.text) for sec in policy.parts[0].sections for s in sec.sentences
        ]
        change_feed, change_rules = [], []
        words = ["soon", "always", "together", "again", "first", "there"]
        for i in range(args.changes):
            sid, version, text = rng.choice(rows)
            changed = text[:-1] + f" {rng.choice(words)} {i}x."  # new text: a cache miss
            t = time.perf_counter()
            plain.hints_for(db, group.id, [(sid, version + 1, changed)])
            change_feed.append(time.perf_counter() - t)
            db.rollback()
            changed2 = changed[:-1] + "y."
            t = time.perf_counter()
            rules.check(changed2, keys)
            change_rules.append(time.perf_counter() - t)

        # The live feed's round: one read for the policy, then each due sentence.
        round_per_sentence = []
        for i in range(max(1, args.changes // ROUND)):
            batch = [
                (sid, version + 1, text[:-1] + f" {rng.choice(words)} {i}r{k}.")
                for k, (sid, version, text) in enumerate(rng.sample(rows, ROUND))
            ]
            t = time.perf_counter()
            context = plain.read_context(db, group.id, [b[0] for b in batch])
            for item in batch:
                context.hints(*item).as_dict()
            round_per_sentence.append((time.perf_counter() - t) / ROUND)
            db.rollback()

    print(f"Policy of {count} sentences in 3 sections; glossary of {len(keys)} terms;")
    print(
        f"{found.summary.flagged} sentences flagged; median reading age {found.summary.median_age}."
    )
    print(f"start-up (word lists + pronouncing dictionary): {startup * 1000:.0f} ms")
    print(f"whole policy, cold cache (policy_plain):  {ms(cold_policy)}")
    print(f"whole policy, warm cache (policy_plain):  {ms(warm_policy)}")
    print(f"rules only, {count} sentences, cold:      {ms(cold_rules)}")
    print(f"one changed sentence (hints_for, db):      {ms(change_feed)}")
    print(f"one changed sentence, rules only:          {ms(change_rules)}")
    print(f"per sentence in a feed round of {ROUND} (db once): {ms(round_per_sentence)}")


if __name__ == "__main__":
    main()
