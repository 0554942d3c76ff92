"""A seeded simulation of many browsers editing one policy through the engine.

Server plays the socket layer: it handles one request at a time, numbers every
committed change (seq), acks the sender with {"ok": True, "seq": n} and sends
the op to everyone in the policy's room, sender included.

Network models what Flask-SocketIO gives with several server processes behind
Redis: each client's requests reach the server in order (one FIFO), and its
acks come back in order (another FIFO), but each op reaches each client
through the pipe of the process that committed it, so ops overtake acks and
ops from different processes overtake each other. A seeded scheduler delivers
the head of a random queue, so every history is random yet reproducible.

A disconnect drops everything in flight to and from that client; it rejoins
on a fresh connection with since = the last seq it applied.
"""

import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from fractional_indexing import generate_n_keys_between

from server.sync import structure
from server.sync.client import Client, Request
from server.sync.errors import Gone, NotFound, SyncError
from server.sync.ordering import (
    Place,
    delete_item,
    find_item,
    insert_item,
    live,
    move_item,
    replace_item,
)
from server.sync.text import SentenceState, apply_text_edit

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]
# Astral, accented and combining characters: JavaScript counts some of them twice.
UNICODE_WORDS = ["😀", "é", "e\u0301", "日本", "🇫🇷", "ß", "𝒳y", "naïve", "👩‍💻", "ok"]
POLICY = 7
PART = {"id": 1, "title": "Part one", "position": "a0"}


def section_of(*texts: str, first_id: int = 1) -> tuple[SentenceState, ...]:
    """Return a fresh section with ids first_id, first_id + 1, ... and evenly spread keys."""
    keys = generate_n_keys_between(None, None, len(texts))
    return tuple(
        SentenceState(i, text, 1, key)
        for i, (text, key) in enumerate(zip(texts, keys, strict=True), first_id)
    )


@dataclass(frozen=True)
class SectionItem:
    """A section's place and details, ordered like any item."""

    id: int
    position: str
    deleted: bool = False
    title: str = ""
    subgroup_id: int = 1
    kind: str = "text"

    def view(self, sentences: tuple[SentenceState, ...]) -> dict:
        return {
            "id": self.id,
            "part_id": PART["id"],
            "position": self.position,
            "title": self.title,
            "kind": self.kind,
            "subgroup_id": self.subgroup_id,
            "sentences": [
                {"id": s.id, "text": s.text, "version": s.version, "position": s.position}
                for s in live(sentences)
            ],
        }


class Server:
    """The socket layer's part: load, call the engine, save, number, ack, broadcast.

    Like the live server it keeps every version's text, so that an edit made
    against an older version is merged with what others saved since (merges);
    with merges=False it is matched hunk by hunk and may conflict instead.
    """

    def __init__(
        self,
        *sections: tuple[SentenceState, ...],
        max_len: int = 10_000,
        keep_ops: int | None = None,
        merges: bool = True,
    ) -> None:
        keys = generate_n_keys_between(None, None, len(sections))
        self.items = tuple(SectionItem(i, key, title=f"S{i}") for i, key in enumerate(keys, 1))
        self.texts = {item.id: section for item, section in zip(self.items, sections, strict=True)}
        self.home = {s.id: section_id for section_id, ss in self.texts.items() for s in ss}
        self.max_len, self.keep_ops = max_len, keep_ops
        self.seq, self.log = 0, []
        self.next_id = max(self.home, default=0) + 1
        self.next_section = len(self.items) + 1
        self.children: dict[int, set[int]] = {}  # where each sentence's text went
        self.deleted_texts: list[str] = []
        self.errors: list[tuple[str, str]] = []  # (event, code) of every refusal
        self.origins: list[tuple[str | None, int | None]] = []  # (client_id, ref) per seq
        self.merges = merges
        self.kept: dict[tuple[int, int], str] = {}  # (sentence, version) -> its text
        self.cut: dict[int, int] = {}  # sentence -> its last version made by a split or merge
        self._keep_versions()

    def _keep_versions(self) -> None:
        for section in self.texts.values():
            for s in section:
                self.kept.setdefault((s.id, s.version), s.text)

    def handle(self, client_id: str | None, request: Request) -> tuple[dict, dict | None]:
        """Return the ack for the sender and the op for everyone, if anything changed."""
        if request.event == "join_policy":
            return self.join(**request.data), None
        data = dict(request.data)
        ref = data.pop("ref", None)
        try:
            message = getattr(self, request.event)(**data)
        except SyncError as error:
            self.errors.append((request.event, error.code))
            return error.ack(), None
        if message is None:  # an edit that changed nothing: nothing to number
            return {"ok": True, "seq": None}, None
        self._keep_versions()
        self.seq += 1
        op = {"seq": self.seq, "origin": client_id, "ref": ref, **message}
        self.log.append(op)
        self.origins.append((client_id, ref))
        return {"ok": True, "seq": self.seq}, op

    def join(self, policy_id: int, client_id: str, since: int | None = None) -> dict:
        """Return the ops after since if all are kept, else a snapshot."""
        first_kept = self.seq - len(self.log) + 1
        if self.keep_ops is not None:
            first_kept = max(first_kept, self.seq - self.keep_ops + 1)
        if since is not None and since + 1 >= first_kept:
            return {"ok": True, "seq": self.seq, "ops": self.log[since:]}
        return {"ok": True, "seq": self.seq, **self.snapshot()}

    def snapshot(self) -> dict:
        return {
            "parts": [PART],
            "sections": [item.view(self.texts[item.id]) for item in live(self.items)],
        }

    # Sentences.

    def edit_sentence(self, id: int, base_version: int, patch: str) -> dict | None:
        section_id = self._section_of(id)
        sentence = find_item(self.texts[section_id], id)
        merges = self.merges and base_version >= self.cut.get(id, 0)
        base_text = self.kept.get((id, base_version)) if merges else None
        result = apply_text_edit(
            sentence, base_version, patch, max_len=self.max_len, base_text=base_text
        )
        if not result.changed:
            return None
        self.texts[section_id] = replace_item(self.texts[section_id], result.sentence)
        return {"section_id": section_id, **result.message()}

    def insert_sentence(self, section_id: int, text: str, place: dict) -> dict:
        self._live_section(section_id)
        new_id = self._new_id()
        change = structure.insert_sentence(
            self.texts[section_id], new_id, text, Place(**place), max_len=self.max_len
        )
        self.home[new_id] = section_id
        return self._save(section_id, change)

    def delete_sentence(self, id: int, base_version: int) -> dict:
        section_id = self._section_of(id)
        text = find_item(self.texts[section_id], id).text
        change = structure.delete_sentence(self.texts[section_id], id, base_version)
        self.deleted_texts.append(text)
        return self._save(section_id, change)

    def split_sentence(self, id: int, base_version: int, offset: int) -> dict:
        section_id = self._section_of(id)
        new_id = self._new_id()
        change = structure.split_sentence(self.texts[section_id], id, base_version, offset, new_id)
        self.home[new_id] = section_id
        self.children.setdefault(id, set()).add(new_id)
        self.cut[id] = change.op.sentence.version
        return self._save(section_id, change)

    def merge_sentence(self, id: int, base_version: int, into: int, into_base_version: int):
        section_id = self._section_of(id)
        change = structure.merge_sentence(
            self.texts[section_id],
            id,
            base_version,
            into,
            into_base_version,
            max_len=self.max_len,
        )
        self.children.setdefault(id, set()).add(into)
        self.cut[into] = change.op.into.version
        return self._save(section_id, change)

    def move_sentence(self, id: int, place: dict) -> dict:
        section_id = self._section_of(id)
        return self._save(
            section_id, structure.move_sentence(self.texts[section_id], id, Place(**place))
        )

    # Sections.

    def insert_section(
        self, part_id: int, title: str, subgroup_id: int, kind: str, text: str, place: dict
    ) -> dict:
        """Add a section; text holds its sentences separated by "|"."""
        new_id = self.next_section
        self.items = insert_item(self.items, SectionItem(new_id, "", title=title), Place(**place))
        self.next_section += 1
        texts = [t for t in text.split("|") if t]
        first = self.next_id
        self.next_id += len(texts)
        self.texts[new_id] = section_of(*texts, first_id=first)
        self.home.update((s.id, new_id) for s in self.texts[new_id])
        item = find_item(self.items, new_id)
        return {
            "op": "section_insert",
            "section_id": new_id,
            "section": item.view(self.texts[new_id]),
        }

    def delete_section(self, id: int) -> dict:
        self.items = delete_item(self.items, id)
        self.deleted_texts += [s.text for s in live(self.texts[id])]
        return {"op": "section_delete", "section_id": id, "id": id}

    def move_section(self, id: int, place: dict) -> dict:
        self.items = move_item(self.items, id, Place(**place))
        position = find_item(self.items, id).position
        return {"op": "section_move", "section_id": id, "id": id, "position": position}

    # What the tests look at.

    def document(self) -> list[tuple[int, list[tuple[int, str]]]]:
        return [
            (item.id, [(s.id, s.text) for s in live(self.texts[item.id])])
            for item in live(self.items)
        ]

    def live_texts(self) -> list[tuple[int, str]]:
        return [sentence for _, sentences in self.document() for sentence in sentences]

    def lineage(self, sentence_id: int) -> set[int]:
        """Return the sentence and every sentence its text may have flowed into."""
        seen, todo = set(), [sentence_id]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.children.get(current, ()))
        return seen

    def _section_of(self, sentence_id: int) -> int:
        """Return the live section of a sentence; a sentence of a deleted section is gone."""
        if sentence_id not in self.home:
            raise NotFound(f"no sentence {sentence_id}", id=sentence_id)
        section_id = self.home[sentence_id]
        self._live_section(section_id)
        return section_id

    def _live_section(self, section_id: int) -> None:
        item = find_item(self.items, section_id)
        if item.deleted:
            raise Gone(f"section {section_id} was deleted", id=section_id, merged_into=None)

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _save(self, section_id: int, change: structure.StructureChange) -> dict:
        self.texts[section_id] = change.section
        return {"section_id": section_id, **change.op.message()}


def model_client(*args, **kw) -> Client:
    """A client for this server model, which keeps changes of spaces at either end
    (the real server records none: Client's quiet_whitespace, off here)."""
    return Client(*args, quiet_whitespace=False, **kw)


def join_reply(server: Server) -> dict:
    """Return what a first join_policy (no since) answers."""
    return server.join(POLICY, "new")


@dataclass
class History:
    server: Server
    clients: list[Client]
    typed: list[tuple[int, int, str]] = field(default_factory=list)  # (client, sentence, token)
    at_risk: set[str] = field(default_factory=set)  # in flight when a snapshot was sent
    rejoins: int = 0
    resyncs: int = 0
    snapshots: int = 0
    reordered: int = 0  # ops that arrived before an op with a lower seq
    acks_first: int = 0  # success acks that arrived before their op
    lost_uncommitted: int = 0  # requests dropped on the way to the server
    lost_committed: int = 0  # acks dropped on the way back: committed, unacknowledged


class Network:
    """Per-connection FIFO queues for requests and acks; ops through per-process pipes."""

    def __init__(self, history: History, rng: random.Random, processes: int = 3) -> None:
        self.history, self.rng = history, rng
        self.server, self.clients = history.server, history.clients
        count = len(self.clients)
        self.process = [i % processes for i in range(count)]
        self.up: list[deque] = [deque() for _ in range(count)]
        self.acks: list[deque] = [deque() for _ in range(count)]
        self.ops: list[list[deque]] = [[deque() for _ in range(processes)] for _ in range(count)]
        self.connected = [True] * count  # the socket is up: requests go out
        self.in_room = [True] * count  # the server sends this client the policy's ops

    def send(self, index: int, requests: list[Request]) -> None:
        if self.connected[index]:
            self.up[index].extend(requests)

    def queues(self) -> list[tuple[deque, int]]:
        found = [(q, i) for i, q in enumerate(self.up) if q]
        found += [(q, i) for i, q in enumerate(self.acks) if q]
        found += [(q, i) for i, pipes in enumerate(self.ops) for q in pipes if q]
        return found

    def deliver_one(self) -> bool:
        """Deliver the head of one random non-empty queue; False when all are empty."""
        queues = self.queues()
        if not queues:
            return False
        queue, index = self.rng.choice(queues)
        client = self.clients[index]
        if queue is self.up[index]:
            request = queue.popleft()
            ack, op = self.server.handle(client.client_id, request)
            if request.event == "join_policy":
                self.in_room[index] = True
            self.acks[index].append((request, ack))
            if op is not None:
                for other, pipes in enumerate(self.ops):
                    if self.in_room[other]:
                        pipes[self.process[index]].append(op)
            return True
        if queue is self.acks[index]:
            request, ack = queue.popleft()
            if request.event == "join_policy":
                if "sections" in ack:
                    self.history.snapshots += 1
                    self._note_at_risk(index)
                client.receive_join(ack)
            else:
                if ack.get("seq") is not None and ack["seq"] > client.seq:
                    self.history.acks_first += 1
                client.receive_ack(request, ack)
        else:
            op = queue.popleft()
            if op["seq"] > client.seq + 1:
                self.history.reordered += 1
            client.receive_op(op)
        self.send(index, client.pending())
        return True

    def disconnect(self, index: int) -> None:
        """Drop the connection and everything in flight on it, both ways."""
        self.connected[index] = self.in_room[index] = False
        self.history.lost_uncommitted += len(self.up[index])
        self.history.lost_committed += sum(
            ack.get("seq") is not None for _, ack in self.acks[index]
        )
        self.up[index].clear()
        self.acks[index].clear()
        for pipe in self.ops[index]:
            pipe.clear()
        self.clients[index].connection_lost()

    def reconnect(self, index: int) -> None:
        """Open a fresh connection and rejoin with since = the last seq applied."""
        self.history.rejoins += 1
        self.connected[index] = True
        self.up[index].append(Request("join_policy", self.clients[index].rejoin_payload()))

    def settle(self) -> None:
        """Deliver everything, reconnect everyone, resync anyone the stream left waiting."""
        deliveries = 0
        while True:
            while self.deliver_one():
                deliveries += 1
                assert deliveries < 200_000, "the network did not settle"
            stragglers = [i for i, up in enumerate(self.connected) if not up]
            waiting = [
                i for i, c in enumerate(self.clients) if self.connected[i] and c.needs_resync()
            ]
            if not stragglers and not waiting:
                return
            for index in stragglers:
                self.reconnect(index)
            for index in waiting:
                self.history.resyncs += 1
                self.disconnect(index)
                self.reconnect(index)

    def _note_at_risk(self, index: int) -> None:
        """Remember the tokens a snapshot may duplicate: those in flight at the disconnect."""
        sent = [s.sent for s in self.clients[index]._sentences.values() if s.sent is not None]
        self.history.at_risk |= {
            token
            for i, _, token in self.history.typed
            if i == index and any(token in text for text in sent)
        }


def run_history(
    seed: int,
    *,
    clients: int,
    actions: int,
    structural: bool = False,
    deletes: bool = False,
    sections: bool = False,
    disconnects: float = 0.0,
    keep_ops: int | None = None,
    unicode: bool = False,
    merges: bool = True,
    make_client: Callable[..., Client] | None = None,
) -> History:
    """Let random users type unique tokens (maybe delete words, restructure), then settle.

    disconnects is the chance per step that one client loses its connection
    (and one that lost it rejoins); keep_ops limits how many ops the server
    keeps for replays, so rejoining clients far behind get a snapshot.
    """
    rng = random.Random(seed)
    words = UNICODE_WORDS if unicode else WORDS
    server = Server(
        section_of(*(" ".join(rng.sample(words, 4)) for _ in range(3))),
        section_of(*(" ".join(rng.sample(words, 4)) for _ in range(2)), first_id=4),
        keep_ops=keep_ops,
        merges=merges,
    )
    history = History(
        server,
        [
            (make_client or model_client)(POLICY, f"client-{i}", join_reply(server))
            for i in range(clients)
        ],
    )
    network = Network(history, rng)
    for _ in range(actions):
        if rng.random() < 0.4:
            index = rng.randrange(clients)
            network.send(index, _act(history, index, rng, structural, deletes, sections, unicode))
        if rng.random() < disconnects:
            up = [i for i, connected in enumerate(network.connected) if connected]
            down = [i for i, connected in enumerate(network.connected) if not connected]
            if down and rng.random() < 0.5:
                network.reconnect(rng.choice(down))
            elif up:
                network.disconnect(rng.choice(up))
        network.deliver_one()
    network.settle()
    return history


def _act(
    history: History,
    index: int,
    rng: random.Random,
    structural: bool,
    deletes: bool,
    sections: bool,
    unicode: bool,
) -> list[Request]:
    """Do one random user action on one client; return what it sends."""
    client = history.clients[index]
    document = client.document()
    if sections and rng.random() < 0.05:
        request = _restructure_sections(client, [s for s, _ in document], rng)
        if request is not None:
            return [request, *client.pending()]
    filled = [(section_id, ids) for section_id, ids in document if ids]
    if not filled:
        return []
    section_id, sentences = rng.choice(filled)
    ids = [sentence_id for sentence_id, _ in sentences]
    sentence_id = rng.choice(ids)
    text = client.text(sentence_id)
    boundaries = [i + 1 for i, char in enumerate(text) if char == " "]
    if structural and rng.random() < 0.3:
        request = _restructure(client, section_id, ids, sentence_id, boundaries, rng)
        if request is not None:
            return [request, *client.pending()]
    if deletes and len(boundaries) > 1 and rng.random() < 0.3:
        start, end = sorted(rng.sample([0, *boundaries], 2))
        client.edit(sentence_id, text[:start] + text[end:])
        return client.pending()
    at = rng.choice([0, *boundaries])
    token = f"<C{index}{'🙂' if unicode else ''}K{len(history.typed)}>"
    history.typed.append((index, sentence_id, token))
    client.edit(sentence_id, f"{text[:at]}{token} {text[at:]}")
    return client.pending()


def _restructure(client, section_id, ids, sentence_id, boundaries, rng) -> Request | None:
    kind = rng.choice(["split", "split", "merge", "merge", "move", "insert", "delete"])
    others = [other for other in ids if other != sentence_id]
    if kind == "split" and boundaries:
        return client.split(sentence_id, rng.choice(boundaries))
    if kind == "merge" and ids.index(sentence_id) > 0:
        return client.merge(sentence_id)
    if kind == "move" and others:
        place = rng.choice([{"after": rng.choice(others)}, {"before": rng.choice(others)}])
        return client.move(sentence_id, rng.choice([place, {"at": "start"}, {"at": "end"}]))
    if kind == "insert":
        return client.insert(section_id, " ".join(rng.sample(WORDS, 3)), {"after": sentence_id})
    if kind == "delete" and len(ids) > 2:
        return client.delete(sentence_id)
    return None


def _restructure_sections(client, section_ids, rng) -> Request | None:
    kind = rng.choice(["insert", "delete", "move"])
    anchor = rng.choice(section_ids) if section_ids else None
    if kind == "insert" or anchor is None:
        text = "|".join(" ".join(rng.sample(WORDS, 3)) for _ in range(2))
        details = {
            "part_id": PART["id"],
            "title": "New",
            "subgroup_id": 1,
            "kind": "text",
            "text": text,
        }
        return client.insert_section(details, {"after": anchor} if anchor else {"at": "end"})
    if kind == "delete" and len(section_ids) > 1:
        return client.delete_section(anchor)
    others = [other for other in section_ids if other != anchor]
    if kind == "move" and others:
        return client.move_section(
            anchor, rng.choice([{"after": rng.choice(others)}, {"at": "start"}])
        )
    return None


def run_typing(seed: int, *, clients: int, each: int, texts: list[str]) -> History:
    """Everyone types `each` words into one section's few sentences, fast: the live
    convergence test's load (tests/realtime/test_convergence.py), without sockets.

    Each word is `<C{client}K{n}>`, numbered per client, so words share most of
    their characters ("<C1K1>", "<C1K10>", "<C11K1>"): the case in which merging
    character by character once cut words in two.
    """
    rng = random.Random(seed)
    server = Server(section_of(*texts))
    history = History(
        server,
        [model_client(POLICY, f"client-{i}", join_reply(server)) for i in range(clients)],
    )
    network = Network(history, rng, processes=1)
    typed = [0] * clients
    while min(typed) < each:
        index = rng.randrange(clients)
        if typed[index] < each and rng.random() < 0.5:
            client = history.clients[index]
            ((_section_id, sentences),) = client.document()
            sentence_id, text = rng.choice(sentences)
            at = rng.choice([0, *[i + 1 for i, char in enumerate(text) if char == " "]])
            token = f"<C{index}K{typed[index]}>"
            typed[index] += 1
            history.typed.append((index, sentence_id, token))
            client.edit(sentence_id, f"{text[:at]}{token} {text[at:]}")
            network.send(index, client.pending())
        network.deliver_one()
    network.settle()
    return history
