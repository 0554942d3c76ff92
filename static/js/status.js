/*
 * What the live editor tells the user: the save status line, problems under a
 * sentence, alerts, polite announcements (others' changes summarised, never per
 * keystroke), and the unsaved words of a sentence someone else deleted.
 */
import { $, make, notice, plural, number, listWords, quote } from "./dom.js";

const ANNOUNCE_QUIET_MS = 2000; // summarise others' changes after this pause...
const ANNOUNCE_MAX_MS = 8000; // ...or at least this often while they keep typing

/** Add these methods to the live editor (static/js/editor.js: LiveSection). */
export function init(proto) {
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
    if (op.cause === "restore") this.noteRestored(op.by);
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

  /** Someone else put an earlier text back: the text changes under the reader all at
   * once, so it is said, in a notice that stays until dismissed (one at a time). */
  proto.noteRestored = function (by) {
    if (this.notices.querySelector(".live-notice--restored")) return;
    var message = this.whoDid(by) + " put back an earlier text of this section. " +
      "What it said before is kept in its history.";
    var box = notice("info", message, [
      ["Dismiss", "button--secondary", function () { box.remove(); }],
    ]);
    box.classList.add("live-notice--restored");
    this.notices.appendChild(box);
    this.say(message);
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
      (function (text, who) {
        var box = notice("warning",
          who + " deleted a sentence before your changes to it were saved. Your words: " +
          quote(text, 300), [
            ["Add them back at the end", "button--secondary", function () {
              self.startInsert({ at: "end" }, text, function () {
                box.remove();
              });
            }],
            ["Dismiss", "button--danger-quiet", function () {
              box.remove();
              self.say("Dismissed.");
            }],
          ]);
        self.notices.appendChild(box);
        self.say(who + " deleted a sentence you were changing. Your words are kept in a message above the text.");
      })(orphan.text, self.whoDid(orphan.by));
    }
  };
}
