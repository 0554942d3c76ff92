"""Plain-language hints to connected browsers, computed off the edit path.

After a text change commits, its op (server.policies.oplog.PolicyChanged) names the
sentences it touched with their new text. `_on_op` only notes them in a queue and
returns: the edit, its ack and its broadcast never wait for a hint. One background
task per process then sleeps a moment (so a burst of typing is checked once, at
its latest version), computes the hints (server.plain.services, cached by text and
glossary) and sends a `hints` event to everyone in the policy (docs/protocol.md).
A browser that missed one gets the current hints with the page or from
GET /api/v1/sections/{id}/hints.

A glossary change (server.glossary.changes.GlossaryChanged: a term accepted,
renamed or removed) changes the jargon hints of every sentence using the term:
after it commits, a background task recomputes those sentences' hints and sends
them the same way, so open pages drop (or gain) the hint without a reload.
"""

from __future__ import annotations

import logging
import threading

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

log = logging.getLogger(__name__)
SETTLE_SECONDS = 0.3  # gather a burst of typing into one check per sentence

_lock = threading.Lock()
_pending: dict[int, dict[int, tuple[int, str]]] = {}  # policy -> sentence -> (version, text)
_scheduled = False


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
    global _scheduled
    if not has_app_context():
        return
    touched = changed_sentences(evt.message)
    if not touched:
        return
    with _lock:
        queue = _pending.setdefault(evt.policy_id, {})
        for s in touched:
            queue[s["id"]] = (s["version"], s["text"])
        if _scheduled:
            return
        _scheduled = True
    socketio.start_background_task(_drain, current_app._get_current_object())


def _take() -> dict[int, dict[int, tuple[int, str]]]:
    global _scheduled
    with _lock:
        work = dict(_pending)
        _pending.clear()
        _scheduled = False
    return work


def _drain(app) -> None:
    socketio.sleep(SETTLE_SECONDS)
    work = _take()
    if not work:
        return
    with app.app_context():
        engine = app.extensions["codraft_db"].engine
        for policy_id, sentences in work.items():
            try:
                with Session(bind=engine) as db:
                    group_id = db.scalar(select(Policy.group_id).where(Policy.id == policy_id))
                    if group_id is None:
                        continue
                    found = plain.hints_for(
                        db, group_id, [(i, v, t) for i, (v, t) in sentences.items()]
                    )
                socketio.emit(
                    "hints", {"sentences": [f.as_dict() for f in found]}, to=room(policy_id)
                )
            except Exception:
                log.exception("hints for policy %s failed", policy_id)


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
                found = plain.hints_using_terms(db, group_id, keys)
            for policy_id, items in found.items():
                socketio.emit(
                    "hints", {"sentences": [f.as_dict() for f in items]}, to=room(policy_id)
                )
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
