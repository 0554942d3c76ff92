/*
 * Undo and redo of the user's own typing on a section page: Ctrl/Cmd+Z,
 * Ctrl+Shift+Z or Ctrl+Y, and two buttons above the text.
 *
 * The browser's own undo cannot work here: the editor rewrites a sentence's
 * text whenever others' changes arrive, so its history would put back stale
 * text (it used to leave a stray space behind, saved as a change). Instead each
 * change the user types is kept as (sentence, text before, text after), and
 * undoing it merges the reverse change into the sentence as it is now, with the
 * same word merge the server uses (mergeTexts): the user's words come out (or
 * back), and words others typed meanwhile stay where they are. Typing in one
 * sentence with no pause of a second is one step. Splits, joins, moves and deletes are not
 * steps here (a deleted sentence has its own "Undo" notice), and typing in a
 * sentence that is then split or joined can no longer be undone.
 */

const STEP_MS = 1000; // typing in one sentence closer together than this is one step
const MAX_STEPS = 100;

function button(text, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.className = "button button--secondary live-undo__button";
  b.setAttribute("data-undo", action);
  b.textContent = text;
  b.setAttribute(
    "aria-keyshortcuts",
    action === "undo" ? "Control+Z Meta+Z" : "Control+Shift+Z Control+Y Meta+Shift+Z",
  );
  return b;
}

export class Undo {
  constructor(editor) {
    this.editor = editor;
    this.done = []; // {id, before, after, at}
    this.undone = [];
    this.bar = document.createElement("div");
    this.bar.className = "live-undo";
    this.bar.setAttribute("role", "group");
    this.bar.setAttribute("aria-label", "Undo and redo your typing");
    this.undoButton = button("Undo typing", "undo");
    this.redoButton = button("Redo typing", "redo");
    this.bar.append(this.undoButton, this.redoButton);
    this.bar.hidden = !editor.canEdit;
    editor.list.parentNode.insertBefore(this.bar, editor.list);
    this.bar.addEventListener("click", (e) => {
      const b = e.target.closest("[data-undo]");
      if (b) this.step(b.getAttribute("data-undo") === "undo", true);
    });
    this.update();
  }

  /** The user changed a sentence's text from before to after. */
  record(id, before, after) {
    if (before === after) return;
    const now = Date.now();
    const last = this.done[this.done.length - 1];
    if (last && last.id === id && now - last.at < STEP_MS) {
      // One step. If others' words arrived meanwhile, its "before" takes them in too,
      // so that undoing it never takes their words out.
      if (last.after !== before) {
        last.before = window.CodraftSync.mergeTexts(last.after, last.before, before);
      }
      last.after = after;
      last.at = now;
    } else {
      this.done.push({ id, before, after, at: now });
      if (this.done.length > MAX_STEPS) this.done.shift();
    }
    this.undone = [];
    this.update();
  }

  /**
   * A sentence was split or joined (by anyone): typing recorded in it no longer
   * lines up with one sentence's text, so those steps are dropped.
   */
  followOp(op) {
    let ids = null;
    if (op.op === "split") ids = [op.sentence.id];
    else if (op.op === "merge") ids = [op.id, op.into.id];
    if (!ids) return;
    const keep = (e) => ids.indexOf(e.id) < 0;
    this.done = this.done.filter(keep);
    this.undone = this.undone.filter(keep);
    this.update();
  }

  /** Handle Ctrl/Cmd+Z, Ctrl+Shift+Z and Ctrl+Y; say whether the key was ours. */
  key(e) {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return false;
    const k = e.key.toLowerCase();
    if (k === "z") {
      e.preventDefault();
      this.step(!e.shiftKey, false);
      return true;
    }
    if (k === "y" && !e.metaKey) {
      e.preventDefault();
      this.step(false, false);
      return true;
    }
    return false;
  }

  /** Undo (back) or redo the last step whose sentence is still there. */
  step(back, fromButton) {
    const editor = this.editor;
    const model = editor.model;
    if (!model || !editor.canEdit) return;
    const from = back ? this.done : this.undone;
    const to = back ? this.undone : this.done;
    let entry = from.pop();
    while (entry && !model.has(entry.id)) entry = from.pop();
    if (!entry) {
      editor.say(back ? "Nothing to undo." : "Nothing to redo.");
      this.update();
      return;
    }
    const now = model.text(entry.id);
    const base = back ? entry.after : entry.before;
    const want = back ? entry.before : entry.after;
    const text = window.CodraftSync.mergeTexts(base, want, now);
    model.edit(entry.id, text);
    to.push({ id: entry.id, before: entry.before, after: entry.after, at: 0 });
    editor.render();
    const el = editor.textOf(entry.id);
    if (el) {
      el.focus({ preventScroll: !fromButton });
      editor.placeCaret(el, model.mapCaret(want, text, changeEnd(base, want)));
    }
    editor.scheduleFlush();
    editor.updateStatus();
    editor.say((back ? "Undone" : "Redone") + " in sentence " + editor.positionOf(entry.id) + ".");
    this.update();
  }

  update() {
    const editor = this.editor;
    const has = (list) => list.some((e) => editor.model && editor.model.has(e.id));
    this.bar.hidden = !editor.canEdit;
    this.undoButton.disabled = !has(this.done);
    this.redoButton.disabled = !has(this.undone);
  }
}

/** Where a change from a to b ends in b (the caret goes there after undo or redo). */
function changeEnd(a, b) {
  let tail = 0;
  while (tail < a.length && tail < b.length && a[a.length - 1 - tail] === b[b.length - 1 - tail]) {
    tail += 1;
  }
  return b.length - tail;
}

/** Start undo and redo for a live section editor (static/js/editor.js). */
export function init(editor) {
  return new Undo(editor);
}
