/*
 * Structural changes (split, join, delete, move, insert) as "intents": sent once
 * the sentences they touch have no edit in flight, retried after a conflict,
 * finished when their op comes back in the stream. Keys typed while one waits are
 * kept and replayed where the user expects. A deleted sentence offers "Undo". An
 * empty sentence made here and left empty is removed again (tidyEmpty).
 */
import { notice, number, quote, sanitise } from "./dom.js";
import { getCaret, setCaret } from "./caret.js";

const INTENT_TRIES = 5; // conflicts (someone typed meanwhile) before giving up
const TIDY_MS = 300; // after focus leaves an empty sentence, before it is removed

/** Add these methods to the live editor (static/js/editor.js: LiveSection). */
export function init(proto) {
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
      if (intent.quiet) this.say("Empty sentence " + intent.undo.number + " removed.");
      else this.offerUndo(intent.undo);
      return;
    }
    if ((op.op === "split" || op.op === "insert") && !model.text(target)) {
      this.madeEmpty.add(target);
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

  proto.startDelete = function (id, quiet) {
    var self = this;
    if (!this.online("delete a sentence")) return;
    var items = this.order();
    var index = -1;
    for (var i = 0; i < items.length; i++) if (items[i].id === id) index = i;
    if (index < 0) return;
    var intent = {
      kind: "delete",
      quiet: Boolean(quiet),
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

  /** After focus left sentence `id` for somewhere else (`now`: the user moved it, to
   * another sentence or a link that may leave the page), see to it (tidyEmpty); with
   * no new place, once focus has settled (a re-render can move it away and back). */
  proto.tidySoon = function (id, now) {
    var self = this;
    if (id === null || !this.madeEmpty.has(id)) return;
    if (now) {
      this.tidyEmpty(id);
      return;
    }
    window.setTimeout(function () {
      self.tidyEmpty(id);
    }, TIDY_MS);
  };

  /**
   * Remove an empty sentence this page made (Enter at the end of a sentence, "Add a
   * sentence") when the user has left it without typing: otherwise an empty numbered
   * sentence stays in everyone's text, in reviews and in exports. Not while the user
   * is back in it, when someone else is in it, or when it is the section's only one.
   * Said aloud, with no "Undo": there is nothing to put back.
   */
  proto.tidyEmpty = function (id) {
    var li = this.liOf(id);
    if (this.focusId === id || (li && li.contains(document.activeElement))) return;
    if (!this.madeEmpty.delete(id)) return;
    if (!this.model || !this.model.has(id) || this.model.text(id) !== "") return;
    if (!this.joined || !this.socket.connected || !this.canEdit) return;
    if (this.intentFor(id) || this.sentenceBusy(id) || this.order().length < 2) return;
    if (this.presence.inSentence(id)) return;
    this.startDelete(id, true);
  };

  proto.offerUndo = function (undo) {
    var self = this;
    var items = this.order();
    var box = notice("info", "Sentence " + undo.number + " deleted: " + quote(undo.text) + ".", [
      ["Undo", "button--secondary", function () {
        var place = undo.after && self.model.has(undo.after)
          ? { after: undo.after }
          : undo.before && self.model.has(undo.before)
            ? { before: undo.before }
            : { at: "start" };
        self.startInsert(place, undo.text, function () {
          box.remove();
        }, "Sentence put back.");
      }],
      ["Dismiss", "button--secondary", function () {
        box.remove();
        var next = items[Math.min(undo.number - 1, items.length - 1)];
        var el = next && self.textOf(next.id);
        if (el) el.focus();
      }],
    ]);
    var button = box.buttons[0];
    Array.prototype.forEach.call(this.notices.querySelectorAll(".live-notice--undo"), function (old) {
      old.remove();
    });
    box.classList.add("live-notice--undo");
    this.notices.appendChild(box);
    button.focus();
    this.say("Sentence " + undo.number + " deleted. To bring it back, press Undo.");
  };
}
