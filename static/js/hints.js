/*
 * Plain-language hints beside each sentence, and glossary terms that open in place.
 *
 * The server computes hints after each edit commits and sends a `hints` event to
 * everyone in the policy (docs/protocol.md) on the page's one socket
 * (static/js/connection.js); static/js/editor.js tells us with `codraft:sentence-built` when it has
 * (re)built a sentence, so the note can be put back beside it. The note's markup is
 * the same as templates/policies/_plain_macros.html builds without JavaScript.
 *
 * Each note is tied to its sentence with aria-describedby and says "hint" in words.
 * Members of the owning sub-group can dismiss a hint for that sentence: the form
 * is a real form posting to a page route; here it goes to the JSON API instead.
 */

import { connection } from "./connection.js";
import { init as markGlossaryTerms } from "./glossary-marks.js";

const root = document.querySelector("[data-hints-section]");
const hints = new Map(); // sentence id -> {id, version, hints, dismissed}

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function describe(li, id) {
  const text = li.querySelector(".sentence__text");
  if (!text) return;
  const ids = (text.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
  const mine = "sentence-" + id + "-hints";
  if (ids.indexOf(mine) < 0) ids.push(mine);
  text.setAttribute("aria-describedby", ids.join(" "));
}

function noteFor(li, id) {
  let note = li.querySelector("[data-hints-for]");
  if (!note) {
    note = el("div", "hints");
    note.id = "sentence-" + id + "-hints";
    note.setAttribute("data-hints-for", String(id));
    li.appendChild(note);
  }
  return note;
}

function dismissForm(id, hint) {
  const form = el("form", "hint__dismiss");
  form.method = "post";
  form.action = "/sentences/" + id + "/dismissed-hints/" + encodeURIComponent(hint.code);
  const token = el("input");
  token.type = "hidden";
  token.name = "csrf_token";
  token.value = root.getAttribute("data-hints-csrf") || "";
  form.appendChild(token);
  const button = el("button", "link-button", "Dismiss");
  button.type = "submit";
  button.appendChild(
    el("span", "visually-hidden", " the hint “" + hint.label + "” for this sentence"),
  );
  form.appendChild(button);
  return form;
}

function render(id, built) {
  const li = built || document.getElementById("sentence-" + id);
  const found = hints.get(id);
  if (!li || !found) return;
  const note = noteFor(li, id);
  describe(li, id);
  note.textContent = "";
  const shown = found.hints || [];
  note.hidden = shown.length === 0;
  if (!shown.length) return;
  const title = el("p", "hints__title");
  const icon = el("span", "hints__icon", "i");
  icon.setAttribute("aria-hidden", "true");
  title.appendChild(icon);
  title.appendChild(
    document.createTextNode(
      " " + shown.length + " plain-language hint" + (shown.length === 1 ? "" : "s") + ":",
    ),
  );
  note.appendChild(title);
  const list = el("ul", "hints__list");
  const canDismiss = root.getAttribute("data-hints-can-dismiss") === "true";
  shown.forEach((hint) => {
    const item = el("li", "hint hint--" + hint.code);
    item.setAttribute("data-hint-code", hint.code);
    item.appendChild(el("strong", "hint__label", hint.label + ":"));
    item.appendChild(document.createTextNode(" "));
    item.appendChild(el("span", "hint__message", hint.message));
    if (canDismiss) item.appendChild(dismissForm(id, hint));
    list.appendChild(item);
  });
  note.appendChild(list);
}

function take(item) {
  const old = hints.get(item.id);
  if (old && old.version > item.version) return; // an older check arrived late
  hints.set(item.id, item);
  render(item.id);
}

function announce(message) {
  const region = document.querySelector("[data-hints-announce]");
  if (!region) return;
  region.textContent = "";
  window.setTimeout(() => {
    region.textContent = message;
  }, 50);
}

async function dismiss(form) {
  const li = form.closest("li.sentence");
  const id = Number(li.getAttribute("data-sentence-id"));
  const code = form.closest("[data-hint-code]").getAttribute("data-hint-code");
  const response = await fetch(
    "/api/v1/sentences/" + id + "/dismissed-hints/" + encodeURIComponent(code),
    {
      method: "PUT",
      credentials: "same-origin",
      headers: { "X-CSRFToken": root.getAttribute("data-hints-csrf") || "" },
    },
  );
  if (!response.ok) {
    announce("The hint could not be dismissed. Try again.");
    return;
  }
  take(await response.json());
  const text = li.querySelector(".sentence__text");
  if (text) text.focus();
  announce("Hint dismissed for this sentence.");
}

function toggleTerm(button) {
  const target = document.getElementById(button.getAttribute("aria-controls"));
  if (!target) return;
  const open = button.getAttribute("aria-expanded") !== "true";
  button.setAttribute("aria-expanded", open ? "true" : "false");
  target.hidden = !open;
}

document.addEventListener("click", (event) => {
  const button = event.target.closest && event.target.closest("[data-term-toggle]");
  if (button) toggleTerm(button);
});

// Escape closes an open explanation, as it closes the editor's menus.
document.addEventListener("keydown", (event) => {
  if (event.key !== "Escape") return;
  const button = event.target.closest && event.target.closest("[data-term-toggle]");
  if (button && button.getAttribute("aria-expanded") === "true") {
    event.preventDefault();
    toggleTerm(button);
  }
});

if (root) {
  const region = el("div", "visually-hidden");
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  region.setAttribute("data-hints-announce", "");
  root.appendChild(region);

  const socket = connection();
  if (socket) {
    socket.on("hints", (data) => {
      ((data && data.sentences) || []).forEach(take);
      // static/js/glossary-marks.js lists the terms each sentence uses from the same event.
      document.dispatchEvent(new CustomEvent("codraft:hints", { detail: data || {} }));
    });
  }
  document.addEventListener("codraft:sentence-built", (event) => {
    render(event.detail.id, event.detail.li);
  });
  root.addEventListener("submit", (event) => {
    const form = event.target.closest(".hint__dismiss");
    if (!form) return;
    event.preventDefault();
    dismiss(form);
  });
  const section = root.getAttribute("data-hints-section");
  fetch("/api/v1/sections/" + section + "/hints", {
    credentials: "same-origin",
    headers: { Accept: "application/json" },
  })
    .then((response) => (response.ok ? response.json() : { sentences: [] }))
    .then((data) => data.sentences.forEach(take))
    .catch(() => {});
  markGlossaryTerms(root);
}
