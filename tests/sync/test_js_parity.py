"""The JavaScript model (static/js/sync-model.js) behaves exactly like server/sync/client.py.

Seeded random histories run through the simulation with one client traced:
every call it got (the join reply, edits, acks, ops, rejoins...) is recorded
with what it returned and its state after. tests/js/parity.js replays the
calls on the JavaScript model; every result and every state must be equal.
Random texts with emoji, combining marks and private-use characters check
merge_texts, offset mapping and patches the same way.
"""

import json
import random

from server.sync.client import Client, Request, _diff, _dmp, _map_offset, merge_texts
from tests.sync.node import run_node
from tests.sync.simulation import run_history

PIECES = [
    "a", "b", "word", " ", " ", ".", ",", "é", "e\u0301", "😀", "🙂", "\ue000", "日本",
    "ß", "1", "👩\u200d💻", "\U0001d4b3", "\n", "<", ">",
]  # fmt: skip


class Traced(Client):
    """A Client that records each call from outside, what it returned and its state after."""

    def __init__(self, policy_id, client_id, reply):
        self.trace, self._changes, self._depth = [], [], 0
        self.trace.append({"call": "init", "args": [policy_id, client_id, reply]})
        super().__init__(
            policy_id, client_id, reply, on_change=self._changes.append, quiet_whitespace=False
        )
        self.trace[-1]["expect"] = {"result": None, "state": self._state()}

    def _call(self, name, args, method):
        self._depth += 1
        try:
            result = method(*args)
        finally:
            self._depth -= 1
        if self._depth == 0:
            self.trace.append(
                {
                    "call": name,
                    "args": [_plain(a) for a in args],
                    "expect": {"result": _plain(result), "state": self._state()},
                }
            )
        return result

    def _state(self) -> dict:
        changes = [
            [c["kind"], c.get("id"), c.get("section_id"), c["op"]["seq"] if c["op"] else None]
            for c in self._changes
        ]
        self._changes.clear()
        return {
            "document": _plain(self.document()),
            "status": [self.sentence_status(i) for _, ss in self.document() for i, _ in ss],
            "sections": self.sections(),
            "seq": self.seq,
            "settled": self.is_settled(),
            "resync": self.needs_resync(),
            "orphans": [[o.sentence_id, o.text] for o in self.orphans],
            "refused": [[r.request.event, r.ack["error"]["code"]] for r in self.refused],
            "changes": changes,
        }


def _traced(name):
    def method(self, *args):
        return self._call(name, args, getattr(super(Traced, self), name))

    method.__name__ = name
    return method


for _name in [
    "edit", "split", "merge", "delete", "move", "insert", "insert_section", "delete_section",
    "move_section", "pending", "connection_lost", "rejoin_payload", "receive_join",
    "receive_ack", "receive_op",
]:  # fmt: skip
    setattr(Traced, _name, _traced(_name))


def _plain(value):
    """Return value as JSON-ready data: requests as {event, data}, tuples as lists."""
    if isinstance(value, Request):
        return {"event": value.event, "data": value.data}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def traced_history(seed: int, **options) -> list[dict]:
    clients = {}

    def make(policy_id, client_id, reply):
        kind = Traced if client_id == "client-0" else Client
        clients[client_id] = kind(policy_id, client_id, reply)
        return clients[client_id]

    run_history(seed, clients=4, actions=400, make_client=make, **options)
    return clients["client-0"].trace


def random_text(rng: random.Random, size: int) -> str:
    return "".join(rng.choice(PIECES) for _ in range(size))


def random_edit(rng: random.Random, text: str) -> str:
    for _ in range(rng.randint(1, 3)):
        at = rng.randint(0, len(text))
        if rng.random() < 0.6:
            text = text[:at] + random_text(rng, rng.randint(1, 4)) + text[at:]
        else:
            text = text[:at] + text[at + rng.randint(1, 4) :]
    return text


def function_cases(seed: int, count: int) -> list[dict]:
    rng = random.Random(seed)
    cases = []
    for i in range(count):
        base = random_text(rng, rng.randint(0, 60 if i % 10 else 160))
        ours, theirs = random_edit(rng, base), random_edit(rng, base)
        offset = rng.randint(0, len(base))
        patch = _dmp.patch_toText(_dmp.patch_make(base, _diff(base, ours)))
        cases.append(
            {
                "base": base,
                "ours": ours,
                "theirs": theirs,
                "merged": merge_texts(base, ours, theirs),
                "offset": offset,
                "mapped": _map_offset(base, ours, offset),
                "patch": patch,
            }
        )
    return cases


def test_the_javascript_model_matches_the_python_model(tmp_path):
    scenario = {
        "functions": function_cases(seed=1, count=1500),
        "traces": [
            traced_history(0, structural=True, deletes=True),
            traced_history(1, unicode=True, disconnects=0.1),
            traced_history(2, structural=True, sections=True, unicode=True, disconnects=0.1),
            traced_history(3, structural=True, sections=True, disconnects=0.15, keep_ops=4),
            traced_history(4, unicode=True, deletes=True, disconnects=0.1, keep_ops=10),
            traced_history(5, structural=True, deletes=True, sections=True, unicode=True),
            traced_history(6, structural=True, disconnects=0.05, keep_ops=8, unicode=True),
        ],
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario, ensure_ascii=False))

    result = run_node("tests/js/parity.js", str(path))

    assert result.returncode == 0, result.stderr[-4000:]
    report = json.loads(result.stdout)
    assert report["functions"] == {"checked": len(scenario["functions"]), "failures": []}
    assert len(report["traces"]) == len(scenario["traces"])
    for number, (trace, replayed) in enumerate(
        zip(scenario["traces"], report["traces"], strict=True)
    ):
        assert len(replayed) == len(trace)
        for step, (expected, actual) in enumerate(zip(trace, replayed, strict=True)):
            assert actual == expected["expect"], (
                f"trace {number} step {step}: {expected['call']}{tuple(expected['args'])}"
            )
    steps = sum(len(trace) for trace in scenario["traces"])
    calls = {step["call"] for trace in scenario["traces"] for step in trace}
    assert steps > 1000
    assert {"split", "merge", "receive_join", "insert_section", "receive_ack"} <= calls
