"""A seeded simulation of many browsers editing one section through the engine.

Server plays the socket layer: it handles one request at a time, replies to the
sender and broadcasts the op to everyone else. Each direction between a client
and the server is a FIFO queue; a seeded scheduler interleaves user actions and
deliveries on random queues, so every history is random yet reproducible.
"""

import random
from collections import deque
from dataclasses import dataclass, field

from fractional_indexing import generate_n_keys_between

from server.sync import structure
from server.sync.client import Client, Request
from server.sync.errors import SyncError
from server.sync.ordering import Place, find_item, live, replace_item
from server.sync.text import SentenceState, apply_text_edit

WORDS = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota", "kappa"]


def section_of(*texts: str) -> tuple[SentenceState, ...]:
    """Return a fresh section with ids 1, 2, ... and evenly spread keys."""
    keys = generate_n_keys_between(None, None, len(texts))
    return tuple(
        SentenceState(i, text, 1, key)
        for i, (text, key) in enumerate(zip(texts, keys, strict=True), 1)
    )


class Server:
    """The socket layer's part: load, call the engine, save, reply, broadcast."""

    def __init__(self, section: tuple[SentenceState, ...], max_len: int = 10_000) -> None:
        self.section = section
        self.max_len = max_len
        self.next_id = max(s.id for s in section) + 1
        self.children: dict[int, set[int]] = {}  # where each sentence's text went
        self.deleted_texts: list[str] = []
        self.errors: list[tuple[str, str]] = []  # (event, code) of every refusal

    def handle(self, request: Request) -> tuple[dict, dict | None]:
        """Return the reply for the sender and the broadcast for the others, if any."""
        try:
            op = getattr(self, request.event)(**request.data)
        except SyncError as error:
            self.errors.append((request.event, error.code))
            return error.ack(), None
        message = op.message()
        return {"ok": True, **message}, (message if getattr(op, "changed", True) else None)

    def edit_sentence(self, id: int, base_version: int, patch: str):
        sentence = find_item(self.section, id)
        result = apply_text_edit(sentence, base_version, patch, max_len=self.max_len)
        self.section = replace_item(self.section, result.sentence)
        return result

    def insert_sentence(self, text: str, place: dict):
        new_id = self._new_id()
        return self._save(
            structure.insert_sentence(
                self.section, new_id, text, Place(**place), max_len=self.max_len
            )
        )

    def delete_sentence(self, id: int, base_version: int):
        text = find_item(self.section, id).text
        op = self._save(structure.delete_sentence(self.section, id, base_version))
        self.deleted_texts.append(text)
        return op

    def split_sentence(self, id: int, base_version: int, offset: int):
        new_id = self._new_id()
        op = self._save(structure.split_sentence(self.section, id, base_version, offset, new_id))
        self.children.setdefault(id, set()).add(new_id)
        return op

    def merge_sentence(self, id: int, base_version: int, into: int, into_base_version: int):
        change = structure.merge_sentence(
            self.section, id, base_version, into, into_base_version, max_len=self.max_len
        )
        self.children.setdefault(id, set()).add(into)
        return self._save(change)

    def move_sentence(self, id: int, place: dict):
        return self._save(structure.move_sentence(self.section, id, Place(**place)))

    def live_texts(self) -> list[tuple[int, str]]:
        return [(s.id, s.text) for s in live(self.section)]

    def lineage(self, sentence_id: int) -> set[int]:
        """Return the sentence and every sentence its text may have flowed into."""
        seen, todo = set(), [sentence_id]
        while todo:
            current = todo.pop()
            if current not in seen:
                seen.add(current)
                todo.extend(self.children.get(current, ()))
        return seen

    def _new_id(self) -> int:
        self.next_id += 1
        return self.next_id - 1

    def _save(self, change: structure.StructureChange) -> structure.Op:
        self.section = change.section
        return change.op


@dataclass
class History:
    server: Server
    clients: list[Client]
    typed: list[tuple[int, int, str]] = field(default_factory=list)  # (client, sentence, token)


class Network:
    """Per-client FIFO queues both ways, delivered in an order the rng picks."""

    def __init__(self, server: Server, clients: list[Client], rng: random.Random) -> None:
        self.server, self.clients, self.rng = server, clients, rng
        self.up: list[deque] = [deque() for _ in clients]
        self.down: list[deque] = [deque() for _ in clients]

    def send(self, index: int, requests: list[Request]) -> None:
        self.up[index].extend(requests)

    def deliver_one(self) -> bool:
        """Deliver the head of one random non-empty queue; False when all are empty."""
        queues = [(q, i) for i, q in enumerate(self.up) if q]
        queues += [(q, i) for i, q in enumerate(self.down) if q]
        if not queues:
            return False
        queue, index = self.rng.choice(queues)
        if queue is self.up[index]:
            request = queue.popleft()
            reply, broadcast = self.server.handle(request)
            self.down[index].append((request, reply))
            if broadcast is not None:
                for other, down in enumerate(self.down):
                    if other != index:
                        down.append((None, broadcast))
        else:
            request, message = queue.popleft()
            client = self.clients[index]
            if request is None:
                client.receive(message)
            else:
                client.receive_reply(request, message)
            self.send(index, client.pending())
        return True


def run_history(
    seed: int, *, clients: int, actions: int, structural: bool = False, deletes: bool = False
) -> History:
    """Let random users type unique tokens (maybe delete words, restructure), then settle."""
    rng = random.Random(seed)
    section = section_of(*(" ".join(rng.sample(WORDS, 4)) for _ in range(3)))
    history = History(Server(section), [Client(section) for _ in range(clients)])
    network = Network(history.server, history.clients, rng)
    for _ in range(actions):
        if rng.random() < 0.4:
            index = rng.randrange(clients)
            network.send(index, _act(history, index, rng, structural, deletes))
        network.deliver_one()
    deliveries = 0
    while network.deliver_one():
        deliveries += 1
        assert deliveries < 100_000, "the network did not settle"
    return history


def _act(
    history: History, index: int, rng: random.Random, structural: bool, deletes: bool
) -> list[Request]:
    """Do one random user action on one client; return what it sends."""
    client = history.clients[index]
    ids = [sentence_id for sentence_id, _ in client.sentences()]
    sentence_id = rng.choice(ids)
    text = client.text(sentence_id)
    boundaries = [i + 1 for i, char in enumerate(text) if char == " "]
    if structural and rng.random() < 0.3:
        request = _restructure(client, ids, sentence_id, boundaries, rng)
        if request is not None:
            return [request, *client.pending()]
    if deletes and len(boundaries) > 1 and rng.random() < 0.3:
        start, end = sorted(rng.sample([0, *boundaries], 2))
        client.edit(sentence_id, text[:start] + text[end:])
        return client.pending()
    at = rng.choice([0, *boundaries])
    token = f"<C{index}K{len(history.typed)}>"
    history.typed.append((index, sentence_id, token))
    client.edit(sentence_id, f"{text[:at]}{token} {text[at:]}")
    return client.pending()


def _restructure(client, ids, sentence_id, boundaries, rng) -> Request | None:
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
        return client.insert(" ".join(rng.sample(WORDS, 3)), {"after": sentence_id})
    if kind == "delete" and len(ids) > 2:
        return client.delete(sentence_id)
    return None
