/*
 * What the user does in the live editor: typing (to the model at once), paste,
 * input methods, and the keys: Enter splits, Backspace at the start and Delete at
 * the end join, Alt+Up/Down moves, Up/Down cross sentences, Ctrl/Cmd+Z undoes
 * (static/js/undo.js). Focus tells presence where the user is.
 */
import { $, sanitise } from "./dom.js";
import { offsetIn, getCaret, setCaret, caretRect, onEdgeLine } from "./caret.js";

const Sync = window.CodraftSync;

/** Add these methods to the live editor (static/js/editor.js: LiveSection). */
export function init(proto) {
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
      var left = self.focusId;
      self.focusId = id;
      self.attachActions(id);
      self.presence.send();
      if (left !== null && left !== id) self.tidySoon(left, true);
    });
    list.addEventListener("focusout", function (e) {
      var next = e.relatedTarget;
      if (next && list.contains(next)) return;
      var left = self.focusId;
      self.focusId = null;
      self.presence.send();
      // Focus went somewhere (a link, say, that may leave the page): see to it now.
      self.tidySoon(left, Boolean(next));
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
    if (e.inputType === "historyUndo" || e.inputType === "historyRedo") {
      e.preventDefault(); // the browser's history is stale here: static/js/undo.js instead
      this.undo.step(e.inputType === "historyUndo", false);
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
    var before = this.model.text(id);
    if (text === before) return;
    this.model.edit(id, text);
    this.undo.record(id, before, text);
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
    var before = this.model.text(id);
    this.model.edit(id, merged);
    this.undo.record(id, before, merged);
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
    // What the server refuses in typed text (server/text/clean.py), cleaned here:
    // line breaks and tabs become spaces, invisible control characters go.
    var text = data
      .replace(/\s*(\r\n?|\n)\s*/g, " ")
      .replace(/[\t\u00a0]/g, " ")
      .replace(/[\x00-\x1f\x7f-\x9f\u200b\u2028\u2029\ufeff]/g, "");
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
    if (!intent && this.undo.key(e)) return;
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
      // Enter after a full stop, before its space: the space stays with the first
      // half. At the start of the new one it was hidden on others' pages, and typing
      // there doubled it.
      var before = this.model.text(id);
      var at = caret.start;
      while (at < before.length && before[at] === " ") at++;
      this.startSplit(id, at, "");
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
}
