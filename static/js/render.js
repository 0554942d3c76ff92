/*
 * The live editor's sentences on the page: each built once (an editable box for
 * members of the owning sub-group, plain text for everyone else), then kept in the
 * model's order and text. Other scripts hear of a (re)built sentence through the
 * "codraft:sentence-built" DOM event, and of every render through "codraft:rendered"
 * (static/js/tracked.js puts its marks back after both).
 */
import { $, make } from "./dom.js";
import { setCaret } from "./caret.js";

/** Add these methods to the live editor (static/js/editor.js: LiveSection). */
export function init(proto) {
  // --- rendering -----------------------------------------------------------------

  proto.liOf = function (id) {
    return document.getElementById("sentence-" + id);
  };

  proto.placeCaret = function (el, start, end) {
    setCaret(el, start, end);
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
    document.dispatchEvent(new CustomEvent("codraft:rendered"));
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
    if (this.undo) this.undo.update();
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
}
