/*
 * Codraft live editor for one section page.
 *
 * The server-rendered page lists the sentences; this file connects a socket,
 * joins the policy, and from then on shows the section as the sync model
 * (static/js/sync-model.js, window.CodraftSync) sees it: every sentence
 * editable in place for members of the owning sub-group, a live read-only view
 * for everyone else, who is here and what they edit, and whether everything is
 * saved. Without JavaScript (or this file) the page stays a plain list.
 *
 * The model owns the text. This file only turns what the user does into model
 * calls and socket events, and what the model says into the page:
 * - typing: model.edit() at once, pending() sent at most every FLUSH_MS, so a
 *   sentence has at most one small patch in flight;
 * - everything that arrives (ops, acks, join replies) goes through inbound(),
 *   which notes where the caret is, lets the model change, re-renders, and puts
 *   the caret back where it was relative to the text (model.mapCaret);
 * - structural changes (split, merge, delete, move, insert) are "intents": sent
 *   once the sentences they touch have no edit in flight, retried after a
 *   conflict, finished when their op comes back in the stream. Keys typed while
 *   one waits are kept and land where the user expects.
 */
(function () {
  "use strict";

  var FLUSH_MS = 150; // batch typing into one patch per sentence at most this often
  var PRESENCE_MS = 120; // focus moving from one sentence to the next sends one update
  var RESYNC_AFTER_MS = 3000; // the stream owes us something this long: rejoin
  var ACK_TIMEOUT_MS = 15000; // no answer this long: the connection is not working
  var INTENT_TIMEOUT_MS = 8000; // a split or merge not done by then is given up
  var INTENT_TRIES = 5; // conflicts (someone typed meanwhile) before giving up
  var ANNOUNCE_QUIET_MS = 2000; // summarise others' changes after this pause...
  var ANNOUNCE_MAX_MS = 8000; // ...or at least this often while they keep typing
  var SIGNED_OUT_RETRY_MS = 5000;

  var Sync = window.CodraftSync;

  // --- small helpers ---------------------------------------------------------

  function $(root, selector) {
    return root.querySelector(selector);
  }

  function make(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function newClientId() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map
      .call(bytes, function (b) {
        return (b < 16 ? "0" : "") + b.toString(16);
      })
      .join("");
  }

  function plural(n, one, many) {
    return n === 1 ? one : many;
  }

  function number(n) {
    return n.toLocaleString("en-GB");
  }

  function listWords(items) {
    if (items.length <= 1) return items.join("");
    return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
  }

  function quote(text, max) {
    max = max || 80;
    return "“" + (text.length > max ? text.slice(0, max - 1) + "…" : text) + "”";
  }

  /** Text as a sentence may hold it: no line breaks; no-break spaces typed by the browser. */
  function sanitise(text) {
    return text.replace(/\r\n?|\n/g, " ").replace(/\u00a0/g, " ");
  }

  // --- caret in a contenteditable element (offsets in UTF-16 units) ----------

  function locate(el, offset) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var node;
    var left = offset;
    var last = null;
    while ((node = walker.nextNode())) {
      if (left <= node.length) return { node: node, offset: left };
      left -= node.length;
      last = node;
    }
    if (last) return { node: last, offset: last.length };
    return { node: el, offset: 0 };
  }

  function offsetIn(el, node, offset) {
    var range = document.createRange();
    range.selectNodeContents(el);
    try {
      range.setEnd(node, offset);
    } catch (err) {
      return el.textContent.length;
    }
    return range.toString().length;
  }

  function getCaret(el) {
    var sel = window.getSelection();
    if (!sel || !sel.rangeCount) return null;
    var range = sel.getRangeAt(0);
    if (!el.contains(range.startContainer)) return null;
    return {
      start: offsetIn(el, range.startContainer, range.startOffset),
      end: offsetIn(el, range.endContainer, range.endOffset),
    };
  }

  function setCaret(el, start, end) {
    var length = el.textContent.length;
    start = Math.max(0, Math.min(start, length));
    end = Math.max(start, Math.min(end === undefined ? start : end, length));
    var a = locate(el, start);
    var b = locate(el, end);
    var range = document.createRange();
    range.setStart(a.node, a.offset);
    range.setEnd(b.node, b.offset);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  function caretRect(el, offset) {
    var at = locate(el, offset);
    var range = document.createRange();
    range.setStart(at.node, at.offset);
    range.collapse(true);
    var rects = range.getClientRects();
    if (rects.length) return rects[rects.length - 1];
    return null;
  }

  /** Say whether a caret is on the first (which "first") or last line of a wrapped sentence. */
  function onEdgeLine(el, offset, which) {
    var length = el.textContent.length;
    if (!length) return true;
    var here = caretRect(el, offset);
    var edge = caretRect(el, which === "first" ? 0 : length);
    if (!here || !edge) return which === "first" ? offset === 0 : offset === length;
    return Math.abs(here.top - edge.top) < Math.max(4, here.height / 2);
  }

  // --- the editor ------------------------------------------------------------

  function LiveSection(root) {
    this.root = root;
    this.policyId = Number(root.getAttribute("data-live-policy"));
    this.sectionId = Number(root.getAttribute("data-live-section"));
    this.canEdit = root.getAttribute("data-live-can-edit") === "true";
    this.maxChars = Number(root.getAttribute("data-live-max-chars")) || 2000;
    this.clientId = newClientId();

    this.list = $(root, "[data-live-sentences]");
    this.count = $(root, "[data-live-count]");
    this.empty = $(root, "[data-live-empty]");
    this.addBox = $(root, "[data-live-add]");
    this.readOnly = $(root, "[data-live-read-only]");
    this.keys = $(root, "[data-live-keys]");
    this.panel = $(root, "[data-live-panel]");
    this.status = $(root, "[data-live-status]");
    this.statusText = $(root, "[data-live-status-text]");
    this.saveText = $(root, "[data-live-save-text]");
    this.presenceList = $(root, "[data-live-presence]");
    this.alertBox = $(root, "[data-live-alert]");
    this.notices = $(root, "[data-live-notices]");
    this.announcer = $(root, "[data-live-announce]");

    this.model = null;
    this.early = []; // ops that came before the first join reply
    this.earlyPresence = []; // presence events that came before a join reply
    this.me = null;
    this.state = "connecting"; // connecting | online | offline | ended
    this.endedMessage = "";
    this.joined = false;
    this.everJoined = false;
    this.epoch = 0; // bumps on every disconnect: late acks from older sockets are ignored
    this.inflight = new Map(); // key -> {at, epoch}
    this.sendKey = 0;
    this.batch = null;
    this.flushTimer = null;
    this.intents = [];
    this.problems = new Map(); // sentence id -> message
    this.refusedSeen = 0;
    this.orphansSeen = 0;
    this.people = new Map(); // sid -> presence
    this.focusId = null; // the sentence the user is in (presence)
    this.presenceSent = null;
    this.presenceTimer = null;
    this.current = null; // the sentence the actions button belongs to
    this.composing = null; // {id, base} while an input method composes
    this.resyncSince = 0;
    this.changes = null; // others' changes waiting to be announced
    this.announceTimer = null;
    this.announceFirst = 0;
    this.backOnlineTimer = null;
    this.lastStatus = "";

    this.buildActions();
    this.bindPage();
    this.connect();
    this.panel.hidden = false;
    this.status.hidden = false;
    this.updateStatus();
    var self = this;
    window.setInterval(function () {
      self.watchdog();
    }, 1000);
  }

  var proto = LiveSection.prototype;

  // --- per-sentence save state (model.sentenceStatus) ---------------------------

  proto.status_ = function (id) {
    return this.model && this.model.has(id) ? this.model.sentenceStatus(id) : null;
  };

  /** Typed text not yet saved, or an edit on its way. */
  proto.sentenceBusy = function (id) {
    var s = this.status_(id);
    return s !== null && !s.saved;
  };

  /** Refused for good (too long, say) and not being sent: waits for the user. */
  proto.sentenceHeld = function (id) {
    var s = this.status_(id);
    return s !== null && s.held && !s.sending && !s.saved;
  };

  // --- the connection ----------------------------------------------------------

  proto.connect = function () {
    var self = this;
    // ?policy= lets a proxy send every socket of one policy to one process (README,
    // "Running at scale"); the server itself does not read it.
    var socket = (this.socket = window.io({
      autoConnect: false,
      reconnectionDelayMax: 5000,
      query: { policy: String(this.policyId) },
    }));
    socket.on("connect", function () {
      self.join();
    });
    socket.on("disconnect", function (reason) {
      self.lost(reason);
    });
    socket.on("connect_error", function (err) {
      var code = err && err.data && err.data.code;
      if (code === "not_authenticated" || /not_authenticated/.test((err && err.message) || "")) {
        self.end(
          "You are signed out. Sign in again in another tab and this page will reconnect. " +
            "Your unsaved changes are kept on this page until then.",
          true,
        );
        window.setTimeout(function () {
          if (!socket.connected) socket.connect();
        }, SIGNED_OUT_RETRY_MS);
      } else if (self.state !== "ended") {
        self.state = self.everJoined ? "offline" : "connecting";
        self.updateStatus();
      }
    });
    socket.on("op", function (op) {
      if (!self.model) {
        self.early.push(op); // before the first join reply: applied right after it
        return;
      }
      self.inbound(function () {
        self.model.receiveOp(op);
      });
    });
    socket.on("presence", function (p) {
      if (!self.joined) self.earlyPresence.push(["presence", p]);
      self.people.set(p.sid, p);
      self.renderPresence();
    });
    socket.on("presence_left", function (p) {
      if (!self.joined) self.earlyPresence.push(["presence_left", p]);
      self.people.delete(p.sid);
      self.renderPresence();
    });
    socket.on("presence_batch", function (batch) {
      // Several joins, moves and leaves, gathered by the server (docs/protocol.md).
      batch.present.forEach(function (p) {
        if (!self.joined) self.earlyPresence.push(["presence", p]);
        self.people.set(p.sid, p);
      });
      batch.left.forEach(function (sid) {
        if (!self.joined) self.earlyPresence.push(["presence_left", { sid: sid }]);
        self.people.delete(sid);
      });
      self.renderPresence();
    });
    socket.on("rights", function (rights) {
      self.setCanEdit(rights.can_edit.indexOf(self.sectionId) >= 0, true);
    });
    socket.on("hints", function (data) {
      // Plain-language hints, computed after a change committed: static/js/hints.js.
      document.dispatchEvent(new CustomEvent("codraft:hints", { detail: data }));
    });
    socket.on("review", function (detail) {
      // Comments, proposals and votes changed: static/js/review.js refreshes the margin.
      document.dispatchEvent(new CustomEvent("codraft:review", { detail: detail }));
    });
    socket.on("access_revoked", function (data) {
      var messages = {
        signed_out: "You were signed out, so this page stopped updating. Sign in again to keep working.",
        removed_from_group:
          "You are no longer a member of this group, so this page stopped updating.",
      };
      self.revoked = true;
      self.end(messages[data && data.reason] || "Your access ended, so this page stopped updating.");
    });
    socket.connect();
  };

  proto.join = function () {
    var self = this;
    var payload = this.model
      ? this.model.rejoinPayload()
      : Sync.joinPayload(this.policyId, this.clientId);
    var epoch = this.epoch;
    this.socket.emit("join_policy", payload, function (reply) {
      if (epoch !== self.epoch) return;
      if (!reply || !reply.ok) {
        var code = reply && reply.error && reply.error.code;
        if (code === "not_found" || code === "forbidden" || code === "signed_out") {
          self.end("You can no longer see this policy. Reload the page to check.");
          self.socket.disconnect();
        } else {
          window.setTimeout(function () {
            self.reconnect();
          }, 2000);
        }
        return;
      }
      self.joinedWith(reply);
    });
  };

  proto.joinedWith = function (reply) {
    var self = this;
    this.me = reply.me;
    this.people = new Map();
    (reply.presence || []).forEach(function (p) {
      self.people.set(p.sid, p);
    });
    // Presence that came while the join was answered is newer than the reply's list.
    this.earlyPresence.forEach(function (event) {
      if (event[0] === "presence") self.people.set(event[1].sid, event[1]);
      else self.people.delete(event[1].sid);
    });
    this.earlyPresence = [];
    var first = !this.model;
    var unanswered = this.intents.filter(function (intent) {
      return intent.ref !== null; // sent on the lost connection
    });
    this.inbound(function () {
      if (first) {
        self.model = new Sync.Model(self.policyId, self.clientId, reply, function (change) {
          self.noteChange(change);
        });
        self.early.forEach(function (op) {
          self.model.receiveOp(op); // older ones than the snapshot are ignored
        });
        self.early = [];
      } else {
        self.model.receiveJoin(reply);
      }
      self.joined = true;
    });
    var wasOffline = this.everJoined && this.state !== "online";
    this.everJoined = true;
    this.state = "online";
    this.setCanEdit(reply.rights.can_edit.indexOf(this.sectionId) >= 0, !first);
    // Requests whose op was not in the replay were never done: ask again.
    unanswered.forEach(function (intent) {
      intent.ref = null;
    });
    this.presenceSent = null;
    this.sendPresence();
    this.runIntents();
    this.flush();
    if (this.offlineAlert) {
      this.offlineAlert = false;
      if (!this.problems.size) this.clearAlert();
    }
    if (wasOffline) this.flashBackOnline(); // the status line says "Back online."
    this.renderPresence();
    this.updateStatus();
  };

  proto.lost = function (reason) {
    this.epoch += 1;
    this.joined = false;
    this.earlyPresence = [];
    this.inflight.clear();
    if (this.socket.sendBuffer) this.socket.sendBuffer = []; // nothing stale after a reconnect
    if (this.model) this.model.connectionLost();
    this.people = new Map();
    this.renderPresence();
    if (this.state === "ended") return;
    this.state = this.everJoined ? "offline" : "connecting";
    if (reason === "io server disconnect") {
      // Cut off by the server without saying why: try once more; a refusal ends it.
      var socket = this.socket;
      window.setTimeout(function () {
        if (!socket.connected) socket.connect();
      }, 500);
    }
    this.updateStatus();
  };

  proto.reconnect = function () {
    if (this.state === "ended" && !this.signedOut) return;
    this.socket.disconnect();
    this.socket.connect();
  };

  proto.end = function (message, signedOut) {
    this.state = "ended";
    this.signedOut = Boolean(signedOut);
    this.endedMessage = message;
    this.updateStatus();
  };

  /** Every second: rejoin if the stream owes us something, or a request gets no answer. */
  proto.watchdog = function () {
    if (!this.joined || !this.model) {
      this.resyncSince = 0;
      return;
    }
    var now = Date.now();
    var stuck = false;
    this.inflight.forEach(function (entry) {
      if (now - entry.at > ACK_TIMEOUT_MS) stuck = true;
    });
    if (this.model.needsResync()) {
      if (!this.resyncSince) this.resyncSince = now;
      if (now - this.resyncSince > RESYNC_AFTER_MS) stuck = true;
    } else {
      this.resyncSince = 0;
    }
    this.intents.forEach(
      function (intent) {
        if (now - intent.started > INTENT_TIMEOUT_MS) {
          this.failIntent(intent, "It took too long. Try again.");
        }
      }.bind(this),
    );
    if (stuck) {
      this.resyncSince = 0;
      this.reconnect();
    }
  };

  /** Emit one request; its ack goes to the model (and to then, if given). */
  proto.send = function (request, then) {
    var self = this;
    if (!this.joined || !this.socket.connected) return false;
    var epoch = this.epoch;
    var key = ++this.sendKey;
    this.inflight.set(key, { at: Date.now() });
    this.socket.emit(request.event, request.data, function (ack) {
      self.inflight.delete(key);
      if (epoch !== self.epoch) return;
      ack = ack || { ok: false, error: { code: "busy", message: "No answer." } };
      self.inbound(function () {
        self.model.receiveAck(request, ack);
      });
      if (then) then(ack);
      if (!ack.ok && ack.error && (ack.error.code === "busy" || ack.error.code === "rate_limited")) {
        window.setTimeout(function () {
          self.flush();
        }, 1000);
      }
    });
    return true;
  };

  proto.scheduleFlush = function () {
    var self = this;
    if (this.flushTimer) return;
    this.flushTimer = window.setTimeout(function () {
      self.flushTimer = null;
      self.flush();
    }, FLUSH_MS);
  };

  proto.flush = function () {
    if (this.flushTimer) {
      window.clearTimeout(this.flushTimer);
      this.flushTimer = null;
    }
    if (!this.model || !this.joined || !this.socket.connected) {
      this.updateStatus();
      return;
    }
    var self = this;
    this.model.pending().forEach(function (request) {
      self.send(request);
    });
    this.updateStatus();
  };

  // --- everything that arrives ---------------------------------------------------

  proto.noteChange = function (change) {
    if (!this.batch) this.batch = { ops: [], all: false, orphans: false };
    if (change.op) this.batch.ops.push(change.op);
    if (change.kind === "policy") this.batch.all = true;
    if (change.kind === "orphans") this.batch.orphans = true;
  };

  proto.isMine = function (op) {
    return op && op.origin === this.clientId && op.ref !== null && op.ref !== undefined;
  };

  /** Let the model take something from the server, then show it, keeping the caret. */
  proto.inbound = function (fn) {
    var focus = this.captureFocus();
    var before = new Map();
    if (this.model) {
      this.model.sentences(this.sectionId).forEach(function (s, i, all) {
        before.set(s.id, { text: s.text, index: i, prev: i ? all[i - 1].id : null,
                           next: i + 1 < all.length ? all[i + 1].id : null });
      });
    }
    this.batch = { ops: [], all: false, orphans: false };
    try {
      fn();
    } finally {
      var batch = this.batch;
      this.batch = null;
      if (this.model) {
        this.render();
        this.restoreFocus(focus, before, batch);
        this.afterChange(before, batch);
      }
    }
  };

  proto.captureFocus = function () {
    var el = document.activeElement;
    if (!el || !el.classList || !el.classList.contains("sentence__text")) return null;
    var li = el.closest("li.sentence");
    if (!li || !this.list.contains(li)) return null;
    var caret = getCaret(el) || { start: el.textContent.length, end: el.textContent.length };
    return { id: Number(li.getAttribute("data-sentence-id")), start: caret.start,
             end: caret.end, text: el.textContent };
  };

  /** Put the caret back where it was relative to the text, following splits and merges. */
  proto.restoreFocus = function (focus, before, batch) {
    if (!focus) return;
    var model = this.model;
    var id = focus.id;
    var text = focus.text;
    var start = focus.start;
    var end = focus.end;
    var mapped = false;
    for (var i = 0; i < batch.ops.length; i++) {
      var op = batch.ops[i];
      if (op.section_id !== this.sectionId) continue;
      if (op.op === "split" && op.sentence.id === id && model.has(op["new"].id)) {
        var first = model.text(id);
        var whole = first + model.text(op["new"].id);
        start = model.mapCaret(text, whole, start);
        end = model.mapCaret(text, whole, end);
        if (start > first.length) {
          id = op["new"].id;
          start -= first.length;
          end = Math.max(start, end - first.length);
        } else {
          end = Math.min(end, first.length);
        }
        text = model.text(id);
        mapped = true;
      } else if (op.op === "merge" && op.id === id) {
        var into = before.get(op.into.id);
        var head = (into ? into.text : "") + op.separator;
        text = head + text;
        start += head.length;
        end += head.length;
        id = op.into.id;
      } else if (op.op === "merge" && op.into.id === id) {
        var gone = before.get(op.id);
        text = text + op.separator + (gone ? gone.text : "");
      } else if (op.op === "delete" && op.id === id) {
        var was = before.get(id) || {};
        var target = was.prev && model.has(was.prev) ? was.prev : was.next;
        if (!this.isMine(op)) {
          this.say("Someone else deleted the sentence you were in.");
        }
        if (target && model.has(target)) {
          id = target;
          text = model.text(id);
          start = end = target === was.prev ? text.length : 0;
          mapped = true;
        } else {
          id = null;
          break;
        }
      }
    }
    if (id === null || !model.has(id)) {
      if (!document.activeElement || document.activeElement === document.body) {
        this.list.focus();
      }
      return;
    }
    var now = model.text(id);
    if (!mapped || text !== now) {
      start = model.mapCaret(text, now, start);
      end = model.mapCaret(text, now, end);
    }
    var el = this.textOf(id);
    if (!el) return;
    if (this.composing && this.composing.id === id) return;
    if (document.activeElement !== el) el.focus({ preventScroll: id === focus.id });
    var caret = getCaret(el);
    if (!caret || caret.start !== start || caret.end !== end) setCaret(el, start, end);
  };

  proto.afterChange = function (before, batch) {
    var self = this;
    var model = this.model;
    batch.ops.forEach(function (op) {
      if (self.isMine(op)) {
        self.intents.slice().forEach(function (intent) {
          if (intent.ref === op.ref) self.finishIntent(intent, op, before);
        });
      } else if (op.section_id === self.sectionId) {
        self.noteOthers(op);
      } else if (op.op === "section_delete" && op.id === self.sectionId) {
        self.sectionGone();
      }
    });
    // Edits the server refused for good: keep the text, say why.
    while (this.refusedSeen < model.refused.length) {
      var refusal = model.refused[this.refusedSeen++];
      if (refusal.request.event === "edit_sentence") this.refusedEdit(refusal);
    }
    if (batch.orphans || this.orphansSeen < model.orphans.length) this.showOrphans();
    // A sentence that is saved again has no problem any more.
    this.problems.forEach(function (_message, id) {
      if (!model.has(id) || !self.sentenceBusy(id)) self.clearProblem(id);
    });
    this.runIntents();
    this.flush();
    this.renderPresence();
  };

  // --- rendering -----------------------------------------------------------------

  proto.liOf = function (id) {
    return document.getElementById("sentence-" + id);
  };

  proto.textOf = function (id) {
    var li = this.liOf(id);
    return li ? $(li, ".sentence__text") : null;
  };

  proto.idOf = function (el) {
    var li = el && el.closest ? el.closest("li.sentence") : null;
    return li && this.list.contains(li) ? Number(li.getAttribute("data-sentence-id")) : null;
  };

  proto.order = function () {
    return this.model ? this.model.sentences(this.sectionId) : [];
  };

  proto.build = function (li, id, text) {
    li.textContent = "";
    li.className = "sentence sentence--live" + (this.canEdit ? " sentence--editable" : "");
    li.id = "sentence-" + id;
    li.setAttribute("data-sentence-id", String(id));
    var body;
    if (this.canEdit) {
      body = make("div", "sentence__text");
      try {
        body.contentEditable = "plaintext-only";
      } catch (err) {
        body.contentEditable = "true";
      }
      if (body.contentEditable !== "plaintext-only") body.contentEditable = "true";
      body.setAttribute("role", "textbox");
      body.setAttribute("aria-multiline", "true");
      body.setAttribute("spellcheck", "true");
      body.setAttribute("aria-describedby", "sentence-" + id + "-who sentence-" + id + "-problem");
    } else {
      body = make("span", "sentence__text");
    }
    body.textContent = text;
    li.appendChild(body);
    var who = make("p", "sentence__who");
    who.id = "sentence-" + id + "-who";
    who.hidden = true;
    li.appendChild(who);
    var problem = make("p", "sentence__problem");
    problem.id = "sentence-" + id + "-problem";
    problem.hidden = true;
    li.appendChild(problem);
    var message = this.problems.get(id);
    if (message) this.showProblem(id, message);
    document.dispatchEvent(new CustomEvent("codraft:sentence-built", { detail: { id: id, li: li } }));
    return li;
  };

  proto.render = function () {
    var self = this;
    var items = this.order();
    var wanted = new Set(
      items.map(function (s) {
        return s.id;
      }),
    );
    Array.prototype.slice.call(this.list.children).forEach(function (li) {
      if (!wanted.has(Number(li.getAttribute("data-sentence-id")))) {
        if (li.contains(self.actions)) self.detachActions();
        self.list.removeChild(li);
      }
    });
    var previous = null;
    var total = items.length;
    items.forEach(function (item, index) {
      var li = self.liOf(item.id);
      var text = li && $(li, ".sentence__text");
      var editable = Boolean(text && text.isContentEditable);
      if (!li || !li.classList.contains("sentence--live") || editable !== self.canEdit) {
        li = self.build(li || make("li"), item.id, item.text);
        text = $(li, ".sentence__text");
      }
      var expected = previous ? previous.nextElementSibling : self.list.firstElementChild;
      if (li !== expected) self.list.insertBefore(li, expected);
      previous = li;
      var composing = self.composing && self.composing.id === item.id;
      if (!composing && text.textContent !== item.text) text.textContent = item.text;
      var state = self.status_(item.id);
      if (state) li.setAttribute("data-version", String(state.version));
      var label = "Sentence " + (index + 1) + " of " + total;
      if (self.canEdit && text.getAttribute("aria-label") !== label) {
        text.setAttribute("aria-label", label);
      }
    });
    this.list.hidden = total === 0;
    this.empty.hidden = total !== 0;
    this.empty.textContent = this.canEdit
      ? "No text yet. Add the first sentence with the button below."
      : "No text yet.";
    this.count.textContent = String(total);
    this.updateActions();
  };

  proto.setCanEdit = function (canEdit, tell) {
    if (this.sectionDeleted) canEdit = false;
    var changed = canEdit !== this.canEdit;
    this.canEdit = canEdit;
    if (!canEdit && !this.readOnly) {
      // Rights were lost while the page was open: say so where the page would have.
      this.readOnly = make("div", "notice notice--info");
      this.readOnly.appendChild(make("p", null,
        "You can read this section. Only members of its sub-group edit its text."));
      var heading = document.getElementById("text-title");
      heading.parentNode.insertBefore(this.readOnly, heading);
    }
    if (this.readOnly) this.readOnly.hidden = canEdit;
    if (this.keys) this.keys.hidden = !canEdit;
    this.addBox.hidden = !canEdit;
    if (changed) {
      if (!canEdit) this.detachActions();
      if (this.model) this.render();
      if (tell) {
        this.say(
          canEdit
            ? "You can now edit this section."
            : "You can no longer edit this section. You can still read it as it changes.",
        );
      }
    }
    this.updateStatus();
  };

  proto.sectionGone = function () {
    this.sectionDeleted = true;
    this.setCanEdit(false, false);
    this.alert("This section was deleted. The text above is how it was when it was deleted.");
  };

  // --- status, messages, announcements ---------------------------------------------

  proto.updateStatus = function () {
    var state = this.state;
    var live = "";
    var quiet = "";
    var shown = state;
    if (state === "ended") {
      live = this.endedMessage;
    } else if (state === "connecting") {
      quiet = "Connecting…";
    } else if (state === "offline") {
      live = this.canEdit
        ? "Offline — your changes are kept and will be sent when you reconnect."
        : "Offline — trying to reconnect. Changes by others will show when you are back.";
    } else if (this.problems.size) {
      shown = "problem";
      var first = this.problems.keys().next().value;
      live =
        "Not saved: sentence " + (this.positionOf(first) || "") + " needs a change. " +
        "See the message under it.";
      live = live.replace("sentence  ", "a sentence ");
    } else if (this.backOnline) {
      live = "Back online.";
    }
    if (state === "online" && !this.problems.size) {
      if (!this.canEdit) {
        quiet = "Live: you see changes as people make them.";
        shown = "saved";
      } else if (this.model && (!this.model.isSettled() || this.intents.length)) {
        quiet = "Saving…";
        shown = "saving";
      } else {
        quiet = "All changes saved.";
        shown = "saved";
      }
    }
    if (this.statusText.textContent !== live) this.statusText.textContent = live;
    if (this.saveText.textContent !== quiet) this.saveText.textContent = quiet;
    this.status.setAttribute("data-state", shown);
  };

  proto.flashBackOnline = function () {
    var self = this;
    this.backOnline = true;
    window.clearTimeout(this.backOnlineTimer);
    this.backOnlineTimer = window.setTimeout(function () {
      self.backOnline = false;
      self.updateStatus();
    }, 5000);
  };

  proto.positionOf = function (id) {
    var items = this.order();
    for (var i = 0; i < items.length; i++) if (items[i].id === id) return i + 1;
    return 0;
  };

  /** Say something to screen reader users, politely. */
  proto.say = function (message) {
    var box = this.announcer;
    box.textContent = "";
    window.setTimeout(function () {
      box.textContent = message;
    }, 50);
  };

  /** Show and announce a problem the user must know about now. */
  proto.alert = function (message, quiet) {
    var box = this.alertBox;
    box.textContent = "";
    // quiet: already shown where it belongs (under its sentence); only say it.
    var p = make("p", quiet ? "visually-hidden" : "notice notice--error", message);
    box.appendChild(p);
  };

  proto.clearAlert = function () {
    this.alertBox.textContent = "";
  };

  proto.refusedEdit = function (refusal) {
    var id = refusal.request.data.id;
    if (!this.model.has(id)) return;
    var error = refusal.ack.error || {};
    var n = this.positionOf(id);
    var length = this.model.text(id).length;
    var message;
    if (error.code === "too_long" || length > this.maxChars) {
      message =
        "Sentence " + n + " is too long to save: it has " + number(length) +
        " characters and the limit is " + number(this.maxChars) +
        ". Shorten it, or press Enter to split it. Your text is kept here.";
    } else if (error.code === "bad_text") {
      message = "Sentence " + n + " was not saved. " + (error.message || "") +
        " Your text is kept here.";
    } else if (error.code === "forbidden") {
      message = "Sentence " + n + " was not saved: you can no longer edit this section. " +
        "Copy your text if you want to keep it.";
    } else {
      message = "Sentence " + n + " was not saved" +
        (error.message ? ": " + error.message : ".") + " Your text is kept here.";
    }
    this.showProblem(id, message);
    this.alert(message, true);
    this.updateStatus();
  };

  proto.showProblem = function (id, message) {
    this.problems.set(id, message);
    var li = this.liOf(id);
    if (!li) return;
    var p = $(li, ".sentence__problem");
    if (p) {
      p.textContent = message;
      p.hidden = false;
    }
    li.classList.add("sentence--problem");
    var text = $(li, ".sentence__text");
    if (text && text.isContentEditable) text.setAttribute("aria-invalid", "true");
  };

  proto.clearProblem = function (id) {
    this.problems.delete(id);
    var li = this.liOf(id);
    if (li) {
      var p = $(li, ".sentence__problem");
      if (p) {
        p.textContent = "";
        p.hidden = true;
      }
      li.classList.remove("sentence--problem");
      var text = $(li, ".sentence__text");
      if (text) text.removeAttribute("aria-invalid");
    }
    if (!this.problems.size) this.clearAlert();
    this.updateStatus();
  };

  /** Remember others' changes to this section, to summarise them in a while. */
  proto.noteOthers = function (op) {
    var self = this;
    if (!this.changes) this.changes = { edited: new Set(), added: 0, removed: 0, moved: 0 };
    var c = this.changes;
    if (op.op === "edit") c.edited.add(op.id);
    else if (op.op === "insert" || op.op === "split") c.added += 1;
    else if (op.op === "delete" || op.op === "merge") c.removed += 1;
    else if (op.op === "move") c.moved += 1;
    if (op.op === "split" || op.op === "merge") c.edited.add(op.op === "split" ? op.sentence.id : op.into.id);
    var now = Date.now();
    if (!this.announceFirst) this.announceFirst = now;
    window.clearTimeout(this.announceTimer);
    var wait = Math.max(0, Math.min(ANNOUNCE_QUIET_MS, this.announceFirst + ANNOUNCE_MAX_MS - now));
    this.announceTimer = window.setTimeout(function () {
      self.announceOthers();
    }, wait);
  };

  proto.announceOthers = function () {
    var c = this.changes;
    this.changes = null;
    this.announceFirst = 0;
    if (!c) return;
    var self = this;
    var parts = [];
    var numbers = [];
    c.edited.forEach(function (id) {
      var n = self.positionOf(id);
      if (n) numbers.push(n);
    });
    numbers.sort(function (a, b) {
      return a - b;
    });
    if (numbers.length) {
      parts.push(plural(numbers.length, "Sentence ", "Sentences ") + listWords(numbers.map(String)) +
        " changed.");
    }
    if (c.added) parts.push(c.added + plural(c.added, " sentence", " sentences") + " added.");
    if (c.removed) parts.push(c.removed + plural(c.removed, " sentence", " sentences") + " removed.");
    if (c.moved) parts.push(c.moved + plural(c.moved, " sentence", " sentences") + " moved.");
    if (parts.length) this.say("Changes by others: " + parts.join(" "));
  };

  // --- orphans: unsaved text of sentences someone else deleted -------------------

  proto.showOrphans = function () {
    var self = this;
    while (this.orphansSeen < this.model.orphans.length) {
      var orphan = this.model.orphans[this.orphansSeen++];
      if (!orphan.text) continue;
      (function (text) {
        var box = make("div", "notice notice--warning live-notice");
        box.appendChild(make("p", null,
          "Someone deleted a sentence before your changes to it were saved. Your words: " +
          quote(text, 300)));
        var row = make("p", "button-row");
        var restore = make("button", "button button--secondary", "Add them back at the end");
        restore.type = "button";
        var dismiss = make("button", "button button--danger-quiet", "Dismiss");
        dismiss.type = "button";
        row.appendChild(restore);
        row.appendChild(dismiss);
        box.appendChild(row);
        restore.addEventListener("click", function () {
          self.startInsert({ at: "end" }, text, function () {
            box.remove();
          });
        });
        dismiss.addEventListener("click", function () {
          box.remove();
          self.say("Dismissed.");
        });
        self.notices.appendChild(box);
        self.say("Someone deleted a sentence you were changing. Your words are kept in a message above the text.");
      })(orphan.text);
    }
  };

  // --- presence -------------------------------------------------------------------

  proto.sendPresence = function () {
    var self = this;
    window.clearTimeout(this.presenceTimer);
    this.presenceTimer = window.setTimeout(function () {
      if (!self.joined || !self.socket.connected) return;
      var want = { section_id: self.sectionId, sentence_id: self.canEdit ? self.focusId : null };
      var key = want.section_id + ":" + want.sentence_id;
      if (key === self.presenceSent) return;
      self.presenceSent = key;
      self.socket.emit("presence", want, function () {});
    }, PRESENCE_MS);
  };

  proto.renderPresence = function () {
    var self = this;
    var me = this.me;
    var byUser = new Map();
    var bySentence = new Map();
    this.people.forEach(function (p) {
      if (me && (p.sid === me.sid || p.user_id === me.user_id)) return;
      var entry = byUser.get(p.user_id) || { name: p.name, colour: p.colour, where: [] };
      entry.where.push(p);
      byUser.set(p.user_id, entry);
      if (p.section_id === self.sectionId && p.sentence_id && self.model && self.model.has(p.sentence_id)) {
        var list = bySentence.get(p.sentence_id) || [];
        if (!list.some(function (q) { return q.user_id === p.user_id; })) list.push(p);
        bySentence.set(p.sentence_id, list);
      }
    });

    // Here now: one line per person, what they are doing, in words.
    var titles = new Map();
    if (this.model) {
      this.model.sections().forEach(function (s) {
        titles.set(s.id, s.title);
      });
    }
    var list = this.presenceList;
    list.textContent = "";
    if (!this.joined) {
      list.appendChild(make("li", "presence__item presence__item--none",
        this.everJoined ? "Not known while offline." : "Finding out…"));
    } else if (!byUser.size) {
      list.appendChild(make("li", "presence__item presence__item--none", "Only you."));
    }
    byUser.forEach(function (entry) {
      var editing = entry.where.filter(function (p) {
        return p.section_id === self.sectionId && p.sentence_id && self.positionOf(p.sentence_id);
      });
      var here = entry.where.filter(function (p) {
        return p.section_id === self.sectionId;
      });
      var what;
      if (editing.length) what = "editing sentence " + self.positionOf(editing[0].sentence_id);
      else if (here.length) what = "reading";
      else {
        var elsewhere = entry.where.filter(function (p) { return p.section_id; })[0];
        what = elsewhere && titles.get(elsewhere.section_id)
          ? "in another section: " + titles.get(elsewhere.section_id)
          : "elsewhere in the policy";
      }
      var li = make("li", "presence__item");
      var swatch = make("span", "presence__swatch");
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.setProperty("--who-colour", entry.colour);
      li.appendChild(swatch);
      li.appendChild(make("span", "presence__name", entry.name));
      li.appendChild(document.createTextNode(" (" + what + ")"));
      list.appendChild(li);
    });

    // Per sentence: a coloured border and the names, never the colour alone.
    Array.prototype.forEach.call(this.list.children, function (li) {
      var id = Number(li.getAttribute("data-sentence-id"));
      var who = $(li, ".sentence__who");
      if (!who) return;
      var here = bySentence.get(id) || [];
      who.textContent = "";
      if (!here.length) {
        who.hidden = true;
        li.classList.remove("sentence--others");
        li.style.removeProperty("--who-colour");
        return;
      }
      here.forEach(function (p, i) {
        if (i) who.appendChild(document.createTextNode(i === here.length - 1 ? " and " : ", "));
        var name = make("span", "sentence__who-name", p.name);
        name.style.setProperty("--who-colour", p.colour);
        who.appendChild(name);
      });
      who.appendChild(document.createTextNode(here.length === 1 ? " is editing" : " are editing"));
      who.hidden = false;
      li.classList.add("sentence--others");
      li.style.setProperty("--who-colour", here[0].colour);
    });
  };

  // --- the actions button (one, beside the sentence the user is in) ---------------

  proto.buildActions = function () {
    var self = this;
    var box = (this.actions = make("div", "sentence__actions"));
    var toggle = (this.actionsToggle = make("button", "sentence__menu-button"));
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "sentence-actions-menu");
    var icon = make("span", "sentence__menu-icon", "⋮");
    icon.setAttribute("aria-hidden", "true");
    toggle.appendChild(icon);
    toggle.appendChild(make("span", "sentence__menu-label", "Actions"));
    this.actionsFor = make("span", "visually-hidden");
    toggle.appendChild(this.actionsFor);
    box.appendChild(toggle);

    var menu = (this.menu = make("div", "sentence__menu"));
    menu.id = "sentence-actions-menu";
    menu.hidden = true;
    menu.setAttribute("role", "group");
    var buttons = [
      ["add", "Add a sentence after"],
      ["up", "Move up"],
      ["down", "Move down"],
      ["delete", "Delete"],
    ];
    this.menuButtons = {};
    buttons.forEach(function (b) {
      var button = make("button", "button button--secondary sentence__action", b[1]);
      if (b[0] === "delete") button.className = "button button--danger-quiet sentence__action";
      button.type = "button";
      button.setAttribute("data-action", b[0]);
      self.menuButtons[b[0]] = button;
      menu.appendChild(button);
    });
    var confirm = (this.confirmBox = make("div", "sentence__confirm"));
    confirm.hidden = true;
    this.confirmText = make("p", "sentence__confirm-text");
    this.confirmText.id = "sentence-confirm-text";
    confirm.appendChild(this.confirmText);
    var yes = make("button", "button button--danger sentence__action", "Yes, delete it");
    yes.type = "button";
    yes.setAttribute("data-action", "confirm-delete");
    yes.setAttribute("aria-describedby", "sentence-confirm-text");
    var no = make("button", "button button--secondary sentence__action", "No, keep it");
    no.type = "button";
    no.setAttribute("data-action", "cancel-delete");
    confirm.appendChild(yes);
    confirm.appendChild(no);
    this.menuButtons["confirm-delete"] = yes;
    this.menuButtons["cancel-delete"] = no;
    menu.appendChild(confirm);
    box.appendChild(menu);

    toggle.addEventListener("click", function () {
      self.toggleMenu(toggle.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("click", function (e) {
      var button = e.target.closest("[data-action]");
      if (button) self.menuAction(button.getAttribute("data-action"));
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !menu.hidden) {
        e.preventDefault();
        self.toggleMenu(false);
        toggle.focus();
      }
    });
  };

  proto.attachActions = function (id) {
    if (!this.canEdit) return;
    var li = this.liOf(id);
    if (!li) return;
    if (this.current !== id || this.actions.parentNode !== li) {
      this.toggleMenu(false);
      this.current = id;
      li.appendChild(this.actions);
    }
    this.updateActions();
  };

  proto.detachActions = function () {
    this.toggleMenu(false);
    if (this.actions.parentNode) this.actions.parentNode.removeChild(this.actions);
    this.current = null;
  };

  proto.updateActions = function () {
    if (this.current === null) return;
    if (!this.model || !this.model.has(this.current) || !this.canEdit) {
      this.detachActions();
      return;
    }
    var n = this.positionOf(this.current);
    var total = this.order().length;
    this.actionsFor.textContent = " for sentence " + n;
    this.menu.setAttribute("aria-label", "Actions for sentence " + n);
    this.menuButtons.up.disabled = n <= 1;
    this.menuButtons.down.disabled = n >= total;
    this.confirmText.textContent = "Delete sentence " + n + "? You can undo this straight after.";
  };

  proto.toggleMenu = function (open) {
    if (!this.menu) return;
    this.menu.hidden = !open;
    this.confirmBox.hidden = true;
    this.actionsToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) this.updateActions();
  };

  proto.menuAction = function (action) {
    var id = this.current;
    if (id === null || !this.model || !this.model.has(id)) return;
    if (action === "add") {
      this.toggleMenu(false);
      this.startInsert({ after: id }, "");
    } else if (action === "up" || action === "down") {
      this.toggleMenu(false);
      this.startMove(id, action === "up" ? -1 : 1, true);
    } else if (action === "delete") {
      this.confirmBox.hidden = false;
      this.menuButtons["cancel-delete"].focus();
    } else if (action === "cancel-delete") {
      this.toggleMenu(false);
      this.actionsToggle.focus();
    } else if (action === "confirm-delete") {
      this.toggleMenu(false);
      this.startDelete(id);
    }
  };

  // --- structural intents --------------------------------------------------------

  proto.online = function (what) {
    if (this.joined && this.socket.connected) return true;
    this.alert("You are offline, so you cannot " + what + " now. You can keep typing; " +
      "your words are sent when you reconnect.");
    this.offlineAlert = true;
    return false;
  };

  proto.intentFor = function (id) {
    for (var i = 0; i < this.intents.length; i++) {
      if (this.intents[i].blocks === id) return this.intents[i];
    }
    return null;
  };

  proto.addIntent = function (intent) {
    intent.ref = null;
    intent.tries = 0;
    intent.wait = {};
    intent.buffer = intent.buffer || "";
    intent.started = Date.now();
    this.intents.push(intent);
    this.flush();
    this.runIntents();
    this.updateStatus();
  };

  /** Send every intent whose sentences are ready; keep the rest waiting. */
  proto.runIntents = function () {
    var self = this;
    if (!this.model || !this.joined) return;
    this.intents.slice().forEach(function (intent) {
      if (intent.ref !== null) return;
      var needs = intent.needs || [];
      for (var i = 0; i < needs.length; i++) {
        var id = needs[i];
        if (!self.model.has(id)) {
          self.failIntent(intent, "The sentence was changed by someone else meanwhile.");
          return;
        }
        var s = self.status_(id);
        if (intent.wait[id] && s.version < intent.wait[id]) return;
        if (intent.allowHeld && self.sentenceHeld(id)) continue;
        if (self.sentenceHeld(id)) {
          self.failIntent(intent, "Sentence " + self.positionOf(id) +
            " has changes that are not saved yet. Fix them first.");
          return;
        }
        if (self.sentenceBusy(id)) return; // its edit is on the way; the ack brings us back
      }
      var request = intent.make();
      if (!request) {
        self.failIntent(intent, null);
        return;
      }
      intent.ref = request.data.ref;
      var sent = self.send(request, function (ack) {
        self.intentAck(intent, request, ack);
      });
      if (!sent) intent.ref = null;
    });
  };

  proto.intentAck = function (intent, request, ack) {
    if (this.intents.indexOf(intent) < 0 || intent.ref !== request.data.ref) return;
    if (ack.ok) return; // done when its op comes back in the stream
    var error = ack.error || {};
    intent.ref = null;
    if ((error.code === "conflict" || error.code === "busy" || error.code === "rate_limited") &&
        ++intent.tries < INTENT_TRIES) {
      if (error.code === "conflict" && error.id) intent.wait[error.id] = error.version || 0;
      var self = this;
      window.setTimeout(function () {
        self.runIntents();
      }, error.code === "conflict" ? 0 : 500);
      return;
    }
    var message = null;
    if (error.code === "too_long") {
      message = "The two sentences together would be longer than " + number(this.maxChars) +
        " characters, so they were not joined.";
    } else if (error.code === "gone" || error.code === "not_found") {
      message = "That sentence was deleted or joined by someone else meanwhile.";
    } else if (error.code === "forbidden") {
      message = "You can no longer edit this section.";
    } else if (error.code === "conflict") {
      message = "Others kept changing that sentence. Try again in a moment.";
    } else {
      message = error.message || "The server refused it.";
    }
    this.failIntent(intent, message);
  };

  proto.dropIntent = function (intent) {
    var i = this.intents.indexOf(intent);
    if (i >= 0) this.intents.splice(i, 1);
    this.updateStatus();
  };

  proto.failIntent = function (intent, message) {
    if (this.intents.indexOf(intent) < 0) return;
    this.dropIntent(intent);
    if (message) {
      this.alert((intent.failText || "That did not work.") + " " + message);
    }
    // Keys typed while it waited still belong where the caret was.
    if (intent.buffer && intent.blocks && this.model.has(intent.blocks)) {
      var id = intent.blocks;
      var text = this.model.text(id);
      var at = Math.min(intent.marker === undefined ? text.length : intent.marker, text.length);
      var typed = sanitise(intent.buffer);
      this.model.edit(id, text.slice(0, at) + typed + text.slice(at));
      this.render();
      var el = this.textOf(id);
      if (el) {
        el.focus();
        setCaret(el, at + typed.length);
      }
      this.scheduleFlush();
    }
  };

  /** Its op came back: put the caret where the user expects and replay kept keys. */
  proto.finishIntent = function (intent, op, before) {
    this.dropIntent(intent);
    var model = this.model;
    var target = null;
    var caret = 0;
    if (op.op === "split") {
      target = op["new"].id;
      caret = 0;
      this.say("New sentence " + this.positionOf(target) + " of " + this.order().length + ".");
    } else if (op.op === "merge") {
      target = op.into.id;
      var into = before.get(op.into.id);
      var head = into ? into.text : "";
      var at = head.length + (intent.caretAfterSeparator ? op.separator.length : 0);
      var gone = before.get(op.id);
      caret = model.mapCaret(head + op.separator + (gone ? gone.text : ""), model.text(target), at);
      this.say((intent.forward ? "Joined the next sentence to this one." :
        "Joined with the sentence before.") + " Now sentence " + this.positionOf(target) +
        " of " + this.order().length + ".");
    } else if (op.op === "insert") {
      target = op.sentence.id;
      caret = model.text(target).length;
      this.say(intent.spoken || "New sentence " + this.positionOf(target) + " of " +
        this.order().length + ".");
      if (intent.done) intent.done();
    } else if (op.op === "move") {
      target = op.id;
      var focusText = this.textOf(target);
      var c = focusText === document.activeElement ? getCaret(focusText) : null;
      caret = c ? c.start : model.text(target).length;
      this.say("Moved. Now sentence " + this.positionOf(target) + " of " + this.order().length + ".");
    } else if (op.op === "delete") {
      this.offerUndo(intent.undo);
      return;
    }
    if (target === null || !model.has(target)) return;
    var el = this.textOf(target);
    if (!el) return;
    el.focus();
    setCaret(el, caret);
    this.attachActions(target);
    if (intent.buffer) this.replay(target, caret, intent.buffer);
  };

  /** Type keys kept while an intent waited, as if typed now (Enter splits again). */
  proto.replay = function (id, caret, buffer) {
    var cut = buffer.indexOf("\n");
    var typed = cut < 0 ? buffer : buffer.slice(0, cut);
    var text = this.model.text(id);
    if (typed) {
      text = text.slice(0, caret) + typed + text.slice(caret);
      this.model.edit(id, text);
      this.render();
      caret += typed.length;
      var el = this.textOf(id);
      if (el) setCaret(el, caret);
      this.scheduleFlush();
    }
    if (cut >= 0) this.startSplit(id, caret, buffer.slice(cut + 1));
  };

  proto.startSplit = function (id, caret, buffer) {
    var self = this;
    if (!this.online("start a new sentence")) return;
    var text = this.model.text(id);
    var intent = {
      kind: "split",
      blocks: id,
      needs: [id],
      marker: caret,
      markerText: text,
      buffer: buffer || "",
      allowHeld: true,
      failText: "A new sentence could not be started.",
    };
    if (this.sentenceHeld(id)) {
      // Its text was refused (too long, say): the server has not got it, so split it here:
      // keep the first part in this sentence and insert the rest as a new one after it.
      var head = text.slice(0, caret);
      var tail = text.slice(caret);
      if (tail.length > this.maxChars) {
        this.alert("The part after the cursor would still be too long to save. " +
          "Shorten it first, or split it nearer its end.");
        return;
      }
      this.model.edit(id, head);
      this.render();
      this.scheduleFlush();
      this.startInsert({ after: id }, tail, null, "New sentence with the rest of the text.", buffer,
        true);
      return;
    }
    intent.make = function () {
      var now = self.model.text(id);
      var at = self.model.mapCaret(intent.markerText, now, intent.marker);
      intent.marker = at;
      intent.markerText = now;
      return self.model.split(id, at);
    };
    this.addIntent(intent);
  };

  proto.startMerge = function (id, forward) {
    var self = this;
    if (!this.online("join sentences")) return;
    var items = this.order();
    var index = -1;
    for (var i = 0; i < items.length; i++) if (items[i].id === id) index = i;
    if (index <= 0) return;
    var into = items[index - 1].id;
    var intent = {
      kind: "merge",
      blocks: forward ? into : id,
      needs: [into, id],
      marker: forward ? this.model.text(into).length : 0,
      forward: forward,
      caretAfterSeparator: !forward,
      failText: "The sentences were not joined.",
    };
    intent.make = function () {
      var now = self.order();
      for (var j = 1; j < now.length; j++) {
        if (now[j].id === id) return now[j - 1].id === into ? self.model.merge(id) : null;
      }
      return null;
    };
    this.addIntent(intent);
  };

  proto.startDelete = function (id) {
    var self = this;
    if (!this.online("delete a sentence")) return;
    var items = this.order();
    var index = -1;
    for (var i = 0; i < items.length; i++) if (items[i].id === id) index = i;
    if (index < 0) return;
    var intent = {
      kind: "delete",
      blocks: id,
      needs: [id],
      failText: "The sentence was not deleted.",
      undo: {
        text: this.model.text(id),
        after: index > 0 ? items[index - 1].id : null,
        before: index + 1 < items.length ? items[index + 1].id : null,
        number: index + 1,
      },
    };
    intent.make = function () {
      return self.model.has(id) ? self.model["delete"](id) : null;
    };
    this.addIntent(intent);
  };

  proto.startMove = function (id, step, fromMenu) {
    var self = this;
    if (!this.online("move a sentence")) return;
    var items = this.order();
    var index = -1;
    for (var i = 0; i < items.length; i++) if (items[i].id === id) index = i;
    var other = items[index + step];
    if (index < 0 || !other) {
      this.say(step < 0 ? "This is already the first sentence." : "This is already the last sentence.");
      return;
    }
    var place = step < 0 ? { before: other.id } : { after: other.id };
    this.addIntent({
      kind: "move",
      blocks: null,
      needs: [],
      failText: "The sentence was not moved.",
      make: function () {
        return self.model.has(id) ? self.model.move(id, place) : null;
      },
    });
    if (fromMenu) {
      var el = this.textOf(id);
      if (el) el.focus();
    }
  };

  proto.startInsert = function (place, text, done, spoken, buffer, allowWhileHeld) {
    var self = this;
    if (!this.online("add a sentence")) return;
    this.addIntent({
      kind: "insert",
      blocks: null,
      needs: [],
      buffer: buffer || "",
      done: done,
      spoken: spoken,
      allowHeld: allowWhileHeld,
      failText: "The sentence was not added.",
      make: function () {
        var where = place;
        if (place.after && !self.model.has(place.after)) where = { at: "end" };
        if (place.before && !self.model.has(place.before)) where = { at: "end" };
        return self.model.insert(self.sectionId, text, where);
      },
    });
  };

  proto.offerUndo = function (undo) {
    var self = this;
    var items = this.order();
    var box = make("div", "notice notice--info live-notice");
    box.appendChild(make("p", null, "Sentence " + undo.number + " deleted: " + quote(undo.text) + "."));
    var row = make("p", "button-row");
    var button = make("button", "button button--secondary", "Undo");
    button.type = "button";
    var hide = make("button", "button button--secondary", "Dismiss");
    hide.type = "button";
    row.appendChild(button);
    row.appendChild(hide);
    box.appendChild(row);
    Array.prototype.forEach.call(this.notices.querySelectorAll(".live-notice--undo"), function (old) {
      old.remove();
    });
    box.classList.add("live-notice--undo");
    this.notices.appendChild(box);
    button.addEventListener("click", function () {
      var place = undo.after && self.model.has(undo.after)
        ? { after: undo.after }
        : undo.before && self.model.has(undo.before)
          ? { before: undo.before }
          : { at: "start" };
      self.startInsert(place, undo.text, function () {
        box.remove();
      }, "Sentence put back.");
    });
    hide.addEventListener("click", function () {
      box.remove();
      var next = items[Math.min(undo.number - 1, items.length - 1)];
      var el = next && self.textOf(next.id);
      if (el) el.focus();
    });
    button.focus();
    this.say("Sentence " + undo.number + " deleted. To bring it back, press Undo.");
  };

  // --- what the user does ----------------------------------------------------------

  proto.bindPage = function () {
    var self = this;
    var list = this.list;
    list.setAttribute("tabindex", "-1"); // somewhere for focus to go if its sentence vanishes
    list.addEventListener("keydown", function (e) {
      self.onKeydown(e);
    });
    list.addEventListener("beforeinput", function (e) {
      self.onBeforeInput(e);
    });
    list.addEventListener("input", function (e) {
      self.onInput(e);
    });
    list.addEventListener("paste", function (e) {
      self.onPaste(e);
    });
    list.addEventListener("drop", function (e) {
      if (e.target.closest && e.target.closest(".sentence__text")) e.preventDefault();
    });
    list.addEventListener("compositionstart", function (e) {
      var id = self.idOf(e.target);
      if (id !== null && self.model && self.model.has(id)) {
        self.composing = { id: id, base: self.model.text(id) };
      }
    });
    list.addEventListener("compositionend", function (e) {
      self.onCompositionEnd(e);
    });
    list.addEventListener("focusin", function (e) {
      if (!e.target.classList || !e.target.classList.contains("sentence__text")) return;
      var id = self.idOf(e.target);
      if (id === null) return;
      self.focusId = id;
      self.attachActions(id);
      self.sendPresence();
    });
    list.addEventListener("focusout", function (e) {
      var next = e.relatedTarget;
      if (next && list.contains(next)) return;
      self.focusId = null;
      self.sendPresence();
    });
    var addEnd = $(this.root, "[data-live-add-end]");
    if (addEnd) {
      addEnd.addEventListener("click", function () {
        self.startInsert({ at: "end" }, "");
      });
    }
    window.addEventListener("offline", function () {
      // The browser knows the network is gone: say so now, and stop waiting on a dead socket.
      if (self.socket.connected && self.socket.io.engine) self.socket.io.engine.close();
      if (self.state !== "ended") self.state = self.everJoined ? "offline" : "connecting";
      self.updateStatus();
    });
    window.addEventListener("online", function () {
      if (!self.socket.connected) self.reconnect();
    });
    window.addEventListener("beforeunload", function (e) {
      if (self.model && self.canEdit && !self.model.isSettled()) {
        e.preventDefault();
        e.returnValue = "";
      }
    });
  };

  proto.onBeforeInput = function (e) {
    var id = this.idOf(e.target);
    if (id === null) return;
    if (e.inputType === "insertParagraph" || e.inputType === "insertLineBreak") {
      e.preventDefault(); // Enter is handled on keydown
      return;
    }
    var intent = this.intentFor(id);
    if (intent) {
      // A split or join is on its way: keep what is typed and put it where it belongs after.
      e.preventDefault();
      if (e.inputType === "insertText" && e.data) intent.buffer += sanitise(e.data);
      else if (e.inputType === "deleteContentBackward" && intent.buffer) {
        intent.buffer = intent.buffer.slice(0, -1);
      }
    }
  };

  proto.onInput = function (e) {
    var el = e.target;
    var id = this.idOf(el);
    if (id === null || !this.model || !this.model.has(id) || !this.canEdit) return;
    if (this.composing || e.isComposing) return;
    var raw = el.textContent;
    var text = sanitise(raw);
    if (text !== raw) {
      var caret = getCaret(el);
      el.textContent = text;
      if (caret) setCaret(el, caret.start, caret.end);
    }
    if (text === this.model.text(id)) return;
    this.model.edit(id, text);
    this.scheduleFlush();
    this.updateStatus();
  };

  proto.onCompositionEnd = function (e) {
    var composing = this.composing;
    this.composing = null;
    var el = e.target;
    var id = this.idOf(el);
    if (!composing || id === null || id !== composing.id || !this.model.has(id)) return;
    var typed = sanitise(el.textContent);
    var merged = Sync.mergeTexts(composing.base, typed, this.model.text(id));
    var caret = getCaret(el);
    this.model.edit(id, merged);
    if (el.textContent !== merged) {
      el.textContent = merged;
      if (caret) setCaret(el, this.model.mapCaret(typed, merged, caret.start));
    }
    this.scheduleFlush();
    this.updateStatus();
  };

  proto.onPaste = function (e) {
    var id = this.idOf(e.target);
    if (id === null || !this.canEdit) return;
    e.preventDefault();
    var data = e.clipboardData && e.clipboardData.getData("text/plain");
    if (!data) return;
    var text = data.replace(/\s*(\r\n?|\n)\s*/g, " ").replace(/\u00a0/g, " ");
    var intent = this.intentFor(id);
    if (intent) {
      intent.buffer += text;
      return;
    }
    document.execCommand("insertText", false, text);
  };

  proto.onKeydown = function (e) {
    var el = e.target;
    if (!el.classList || !el.classList.contains("sentence__text") || !el.isContentEditable) return;
    var id = this.idOf(el);
    if (id === null || !this.model || !this.model.has(id)) return;
    if (e.isComposing || this.composing) return;
    var intent = this.intentFor(id);
    var caret = getCaret(el) || { start: 0, end: 0 };
    var collapsed = caret.start === caret.end;
    var length = el.textContent.length;
    var plain = !e.altKey && !e.ctrlKey && !e.metaKey;
    var items = this.order();
    var index = -1;
    for (var i = 0; i < items.length; i++) if (items[i].id === id) index = i;

    if (e.key === "Enter" && plain) {
      e.preventDefault();
      if (intent) {
        intent.buffer += "\n";
        return;
      }
      if (!collapsed) {
        // Like a text editor: typing Enter over a selection replaces it.
        document.execCommand("delete");
        caret = getCaret(el) || caret;
      }
      this.startSplit(id, caret.start, "");
      return;
    }
    if (intent) {
      if (e.key.indexOf("Arrow") === 0 || e.key === "Delete" || e.key === "Home" || e.key === "End") {
        e.preventDefault(); // a moment: the sentence is being split or joined
      }
      return;
    }
    if (e.key === "Backspace" && plain && collapsed && caret.start === 0 && index > 0) {
      e.preventDefault();
      this.startMerge(id, false);
      return;
    }
    if (e.key === "Delete" && plain && collapsed && caret.start === length && index >= 0 &&
        index + 1 < items.length) {
      e.preventDefault();
      this.startMerge(items[index + 1].id, true);
      return;
    }
    if ((e.key === "ArrowUp" || e.key === "ArrowDown") && e.altKey && !e.ctrlKey && !e.metaKey) {
      e.preventDefault();
      this.startMove(id, e.key === "ArrowUp" ? -1 : 1, false);
      return;
    }
    if ((e.key === "ArrowUp" || e.key === "ArrowDown") && plain && !e.shiftKey) {
      var up = e.key === "ArrowUp";
      var neighbour = items[index + (up ? -1 : 1)];
      if (!neighbour || !onEdgeLine(el, caret.start, up ? "first" : "last")) return;
      e.preventDefault();
      this.goTo(el, neighbour.id, caret.start, up);
    }
  };

  /** Move to the sentence above or below, keeping the caret's place across the line. */
  proto.goTo = function (from, id, offset, up) {
    var to = this.textOf(id);
    if (!to) return;
    var rect = caretRect(from, offset);
    to.focus();
    var length = to.textContent.length;
    var at = up ? length : 0;
    if (rect && document.caretRangeFromPoint) {
      var line = caretRect(to, at);
      if (line) {
        var x = rect.left;
        var y = line.top + line.height / 2;
        var range = document.caretRangeFromPoint(x, y);
        if (range && to.contains(range.startContainer)) {
          at = offsetIn(to, range.startContainer, range.startOffset);
        }
      }
    }
    setCaret(to, at);
  };

  // --- start -----------------------------------------------------------------

  function boot() {
    var root = document.querySelector("[data-live-policy]");
    if (!root || !window.io || !Sync || !window.diff_match_patch) return;
    try {
      window.codraftLive = new LiveSection(root);
    } catch (err) {
      // The page still reads without the live editor.
      if (window.console) window.console.error(err);
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
