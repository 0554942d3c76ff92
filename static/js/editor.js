/*
 * Codraft live editor for one section page: the coordinator.
 *
 * The server-rendered page lists the sentences; this file joins the policy on the
 * page's one socket (connection.js) and from then on shows the section as the sync
 * model (sync-model.js, window.CodraftSync) sees it: every sentence editable in
 * place for members of the owning sub-group, a live read-only view for everyone
 * else. Without JavaScript (or this file) the page stays a plain list.
 *
 * The model owns the text; pending.js sends what it has pending and handles acks,
 * retries and reconnects. This file joins, rejoins and runs everything that
 * arrives (ops, acks, join replies) through inbound(), which notes where the caret
 * is, lets the model change, re-renders, and puts the caret back where it was
 * relative to the text (model.mapCaret). The rest is in modules, each with an
 * init(): render.js (the sentences), status.js (status line, problems,
 * announcements), menus.js (the Actions menu), intents.js (split, join, move,
 * delete, insert), keys.js (typing and keys), presence.js (who is where), undo.js
 * (undo and redo of your own typing). Other scripts hook in through DOM events
 * ("codraft:sentence-built") or window.codraftLive.
 */
import { connection, connectNow, onConnect } from "./connection.js";
import { Pending } from "./pending.js";
import * as presence from "./presence.js";
import * as undo from "./undo.js";
import * as render from "./render.js";
import * as status from "./status.js";
import * as menus from "./menus.js";
import * as intents from "./intents.js";
import * as keys from "./keys.js";
import { $, newClientId } from "./dom.js";
import { getCaret, setCaret } from "./caret.js";

var FLUSH_MS = 150; // batch typing into one patch per sentence at most this often
var INTENT_TIMEOUT_MS = 8000; // a split or merge not done by then is given up
var SIGNED_OUT_RETRY_MS = 5000;

var Sync = window.CodraftSync;

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
  // The group's members by user id, to name who changed something (an op's `by`).
  this.names = JSON.parse(root.getAttribute("data-live-names") || "{}");

  var self = this;
  this.pending = new Pending({
    emit: function (event, data, ack) {
      self.socket.emit(event, data, ack);
    },
    createModel: function (reply) {
      return new Sync.Model(self.policyId, self.clientId, reply, function (change) {
        self.noteChange(change);
      });
    },
    apply: function (fn) {
      self.inbound(fn);
    },
  });
  this.me = null;
  this.state = "connecting"; // connecting | online | offline | ended
  this.endedMessage = "";
  this.joined = false;
  this.everJoined = false;
  this.batch = null;
  this.flushTimer = null;
  this.intents = [];
  this.problems = new Map(); // sentence id -> message
  this.refusedSeen = 0;
  this.orphansSeen = 0;
  this.focusId = null; // the sentence the user is in (presence)
  this.madeEmpty = new Set(); // empty sentences this page made, removed if left empty (intents.js)
  this.current = null; // the sentence the actions button belongs to
  this.composing = null; // {id, base} while an input method composes
  this.changes = null; // others' changes waiting to be announced
  this.announceTimer = null;
  this.announceFirst = 0;
  this.backOnlineTimer = null;
  this.lastStatus = "";

  this.presence = presence.init(this);
  this.undo = undo.init(this);
  this.buildActions();
  this.bindPage();
  this.connect();
  this.panel.hidden = false;
  this.status.hidden = false;
  this.updateStatus();
  window.setInterval(function () {
    self.watchdog();
  }, 1000);
}

var proto = LiveSection.prototype;
render.init(proto);
status.init(proto);
menus.init(proto);
intents.init(proto);
keys.init(proto);

/** The sync model (static/js/sync-model.js), once the first join reply built it. */
Object.defineProperty(proto, "model", {
  get: function () {
    return this.pending.model;
  },
});

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
  var socket = (this.socket = connection());
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
    self.pending.receiveOp(op); // before the first join reply: kept until it comes
  });
  socket.on("rights", function (rights) {
    self.setCanEdit(rights.can_edit.indexOf(self.sectionId) >= 0, true);
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
  onConnect(function () {
    self.join();
  });
  connectNow();
};

proto.join = function () {
  var self = this;
  var payload = this.pending.joinPayload(this.policyId, this.clientId);
  var epoch = this.pending.epoch;
  this.socket.emit("join_policy", payload, function (reply) {
    if (epoch !== self.pending.epoch) return;
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
  this.me = reply.me;
  this.presence.joined(reply);
  var first = !this.model;
  var unanswered = this.intents.filter(function (intent) {
    return intent.ref !== null; // sent on the lost connection
  });
  this.joined = true;
  this.pending.joined(reply);
  var wasOffline = this.everJoined && this.state !== "online";
  this.everJoined = true;
  this.state = "online";
  this.setCanEdit(reply.rights.can_edit.indexOf(this.sectionId) >= 0, !first);
  // Requests whose op was not in the replay were never done: ask again.
  unanswered.forEach(function (intent) {
    intent.ref = null;
  });
  this.presence.send(true);
  this.runIntents();
  this.flush();
  if (this.offlineAlert) {
    this.offlineAlert = false;
    if (!this.problems.size) this.clearAlert();
  }
  if (wasOffline) this.flashBackOnline(); // the status line says "Back online."
  this.presence.render();
  this.updateStatus();
};

proto.lost = function (reason) {
  this.joined = false;
  this.pending.lost();
  if (this.socket.sendBuffer) this.socket.sendBuffer = []; // nothing stale after a reconnect
  this.presence.lost();
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
  var stuck = this.pending.check() === "stuck";
  if (!this.joined || !this.model) return;
  var now = Date.now();
  this.intents.forEach(
    function (intent) {
      if (now - intent.started > INTENT_TIMEOUT_MS) {
        this.failIntent(intent, "It took too long. Try again.");
      }
    }.bind(this),
  );
  if (stuck) this.reconnect();
};

/** Emit one request; its ack goes to the model (and to then, if given). */
proto.send = function (request, then) {
  if (!this.joined || !this.socket.connected) return false;
  return this.pending.send(request, then);
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
  this.pending.flush();
  this.updateStatus();
};

// --- everything that arrives ---------------------------------------------------

proto.noteChange = function (change) {
  if (!this.batch) this.batch = { ops: [], all: false, orphans: false };
  if (change.op) this.batch.ops.push(change.op);
  if (change.kind === "policy") this.batch.all = true;
  if (change.kind === "orphans") this.batch.orphans = true;
};

/** Who made a change, in words: a member's name, "You", or "Someone" (a change that
 * is nobody's, or by someone no longer in the group). */
proto.whoDid = function (by) {
  if (by === null || by === undefined) return "Someone";
  if (this.me && by === this.me.user_id) return "You";
  return this.names[String(by)] || "Someone";
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
      if (!this.isMine(op)) {
        // Taken away under the caret: the next keys must not land in another
        // sentence (they went on into the one before, joined to its words).
        // Focus waits on the text, and what was not saved is kept in a notice.
        var who = this.whoDid(op.by);
        this.say((who === "Someone" ? "Someone else" : who) +
          " deleted the sentence you were in. Choose where to go on.");
        id = null;
        break;
      }
      var was = before.get(id) || {};
      var target = was.prev && model.has(was.prev) ? was.prev : was.next;
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
    self.undo.followOp(op);
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
  this.presence.render();
  this.undo.update();
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

