"""Plain-language hints to connected browsers, computed off the edit path.

After a text change commits, its op (server.policies.oplog.PolicyChanged) names the
sentences it touched with their new text. `_on_op` only notes them in a queue
(server/realtime/hints_queue.py) and returns: the edit, its ack and its broadcast
never wait for a hint. One background task per process then checks each sentence
once it has been quiet a moment (a burst of typing is checked once, at its latest
version; a sentence typed into without a pause at most every couple of seconds;
rounds at least half a second apart, so what falls due together is sent together)
and sends a `hints` event to everyone in the policy (docs/protocol.md). A browser
that missed one gets the current hints with the page or from
GET /api/v1/sections/{id}/hints.

Why typing always wins, in a single gevent process: the database is read once per
policy per round (server.plain.services.read_context), then sentences are checked
one at a time (cached by text and glossary), yielding to the hub after each, and
the time hints take is bounded (hints_queue.Budget: past its share of a second
the task sleeps). Each check is well under a millisecond (docs/performance.md), so
no edit waits behind more than one.

A glossary change (server.glossary.changes.GlossaryChanged: a term accepted,
renamed or removed) changes the jargon hints of every sentence using the term:
after it commits, a background task recomputes those sentences' hints the same
way and sends them, so open pages drop (or gain) the hint without a reload.
"""

from __future__ import annotations

import logging
import threading
import time

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from server import events
from server.extensions import socketio
from server.glossary.changes import GlossaryChanged
from server.plain import rules
from server.plain import services as plain
from server.policies.models import Policy
from server.policies.oplog import PolicyChanged
from server.realtime.broadcast import room
from server.realtime.hints_queue import ROUND_GAP_SECONDS, Budget, HintsQueue

log = logging.getLogger(__name__)

_lock = threading.Lock()
_queue = HintsQueue()
_budget = Budget()
_running = False


def changed_sentences(message: dict) -> list[dict]:
    """The sentences an op leaves with new text: {id, version, text} each."""
    kind = message.get("op")
    if kind == "edit":
        return [{"id": message["id"], "version": message["version"], "text": message["text"]}]
    if kind in ("insert", "split"):
        out = [message["sentence"]]
        if kind == "split":
            out.append(message["new"])
        return out
    if kind == "merge":
        return [message["into"]]
    if kind == "section_insert":
        return list(message["section"].get("sentences", []))
    return []


def _on_op(evt: PolicyChanged) -> None:
    global _running
    if not has_app_context():
        return
    touched = changed_sentences(evt.message)
    if not touched:
        return
    with _lock:
        _queue.note(evt.policy_id, touched, time.monotonic())
        if _running:
            return
        _running = True
    socketio.start_background_task(_run, current_app._get_current_object())


def _run(app) -> None:
    """Until the queue is empty: sleep to the next sentence due, check what is due."""
    global _running
    try:
        while True:
            with _lock:
                due_at = _queue.next_due()
                if due_at is None:
                    _running = False  # under the lock: a new note starts a new task
                    return
                wait = due_at - time.monotonic()
                work = {} if wait > 0 else _queue.take_due(time.monotonic())
            if wait > 0:
                socketio.sleep(wait)  # typing meanwhile only moves sentences later
                continue
            try:
                _check_policies(app, work)
            except Exception:
                log.exception("hints after edits failed")
            socketio.sleep(ROUND_GAP_SECONDS)
    except BaseException:  # killed: let the next edit start a new task
        with _lock:
            _running = False
        raise


def _check_policies(app, work: dict[int, list[tuple[int, int, str]]]) -> None:
    with app.app_context():
        started = time.perf_counter()
        with Session(bind=app.extensions["codraft_db"].engine) as db:
            groups = dict(
                db.execute(select(Policy.id, Policy.group_id).where(Policy.id.in_(work))).all()
            )
            contexts = {
                pid: plain.read_context(db, groups[pid], [i for i, _v, _t in items])
                for pid, items in work.items()
                if pid in groups
            }
        _rest(time.perf_counter() - started)
        for policy_id, context in contexts.items():
            _send(policy_id, context, work[policy_id])


def _send(policy_id: int, context: plain.Context, items: list[tuple[int, int, str]]) -> None:
    """Check the sentences one at a time, yielding after each, then send them."""
    found = []
    for item in items:
        started = time.perf_counter()
        found.append(context.hints(*item).as_dict())
        _rest(time.perf_counter() - started)
    started = time.perf_counter()
    socketio.emit("hints", {"sentences": found}, to=room(policy_id))
    _rest(time.perf_counter() - started)


def _rest(spent: float) -> None:
    """Let edits in: always yield to the hub; past the budget, sleep it out."""
    socketio.sleep(_budget.spend(spent, time.monotonic()))


def _on_glossary(evt: GlossaryChanged) -> None:
    """Off the request that changed the glossary: it has committed already."""
    if has_app_context():
        socketio.start_background_task(
            _glossary_hints, current_app._get_current_object(), evt.group_id, evt.term_keys
        )


def _glossary_hints(app, group_id: int, keys: tuple[str, ...]) -> None:
    with app.app_context():
        try:
            with Session(bind=app.extensions["codraft_db"].engine) as db:
                work = plain.sentences_using_terms(db, group_id, keys)
                contexts = {
                    pid: plain.read_context(db, group_id, [i for i, _v, _t in items])
                    for pid, items in work.items()
                }
            for policy_id, context in contexts.items():
                _send(policy_id, context, work[policy_id])
        except Exception:
            log.exception("hints after a glossary change in group %s failed", group_id)


def init_app(app) -> None:
    """Not in TESTING apps (the in-process test client): no socket would receive the
    hints, and a background task outliving the test's database helps nobody. The
    live server the browser and socket tests start runs it as shipped."""
    if app.config.get("TESTING"):
        return
    events.subscribe(PolicyChanged, _on_op)
    events.subscribe(GlossaryChanged, _on_glossary)
    _warm_in_background()


WARM_AFTER_SECONDS = 3  # let the server start listening first


def _warm_in_background() -> None:
    """Load the word lists and the pronouncing dictionary soon after start-up (over a
    second of CPU), so the first hint does not wait for them. In a real OS thread:
    under gevent a greenlet doing this would hold up every socket until it finished.
    It starts a few seconds after the server does, so start-up is no slower; anything
    that needs the rules before then starts it at once and waits for it (only its
    own greenlet or thread waits) rather than loading a second copy."""
    gevent_mode = socketio.async_mode == "gevent"
    state: dict = {}
    lock = threading.Lock()

    def ensure_started():
        with lock:
            if "job" not in state:
                if gevent_mode:
                    import gevent

                    state["job"] = gevent.get_hub().threadpool.spawn(_warm)
                else:
                    done = threading.Event()
                    state["job"] = done

                    def run() -> None:
                        try:
                            _warm()
                        finally:
                            done.set()

                    threading.Thread(target=run, daemon=True, name="warm-hints").start()
            return state["job"]

    def wait() -> None:
        job = ensure_started()
        job.get() if gevent_mode else job.wait()
        plain.set_warm_waiter(plain._no_wait)

    def later() -> None:
        socketio.sleep(WARM_AFTER_SECONDS)
        ensure_started()

    plain.set_warm_waiter(wait)
    socketio.start_background_task(later)


def _warm() -> None:
    try:
        rules.warm()
    except Exception:  # the rules then load on first use instead
        log.exception("loading the plain-language rules failed")
