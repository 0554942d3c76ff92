/*
 * Glossary terms marked in the live editor, as they are on the reading view.
 *
 * The sentence being typed is never touched: a short list of the glossary terms a
 * sentence uses goes right after it ("Words explained in the glossary: EHCP"),
 * each a <dfn> with a button that opens its explanation in place (Enter or Space;
 * the toggle is the reading view's, in static/js/hints.js: any [data-term-toggle]).
 *
 * Which terms a sentence uses comes from the server, with its hints (`terms` in
 * GET /api/v1/sections/{id}/hints and in every `hints` event, which
 * static/js/hints.js passes on as `codraft:hints`), so the browser does not keep
 * a second copy of the matching rule. It arrives again when the text or the
 * glossary changes. Explanations come from GET /api/v1/groups/{id}/glossary,
 * fetched again when a term appears that this page does not know yet.
 * Everything is built with textContent: no markup from what people typed.
 */

const terms = new Map(); // sentence id -> {version, terms: [key]}
const explained = new Map(); // term key -> {term, explanation}
let section = null;
let glossaryUrl = "";
let refreshing = null;

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

async function loadGlossary() {
  if (!glossaryUrl) return;
  if (!refreshing) {
    refreshing = fetch(glossaryUrl, {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then((response) => (response.ok ? response.json() : []))
      .then((rows) => {
        explained.clear();
        rows
          .filter((row) => row.status === "accepted")
          .forEach((row) => explained.set(row.term.toLowerCase(), row));
      })
      .catch(() => {})
      .finally(() => {
        refreshing = null;
      });
  }
  await refreshing;
}

function listFor(li, id) {
  let box = li.querySelector("[data-terms-for]");
  if (!box) {
    box = el("div", "sentence-terms");
    box.setAttribute("data-terms-for", String(id));
    li.appendChild(box);
  }
  return box;
}

function render(id, built) {
  const li = built || document.getElementById("sentence-" + id);
  const found = terms.get(id);
  if (!li || !found) return;
  const box = listFor(li, id);
  const shown = found.terms.filter((key) => explained.has(key));
  box.textContent = "";
  box.hidden = shown.length === 0;
  if (!shown.length) return;
  box.appendChild(el("span", "sentence-terms__title", "Words explained in the glossary: "));
  shown.forEach((key, n) => {
    const row = explained.get(key);
    const tid = "sentence-" + id + "-term-" + n;
    const wrap = el("span", "term");
    const dfn = el("dfn", "term__dfn");
    const button = el("button", "term__button", row.term);
    button.type = "button";
    button.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-controls", tid);
    button.setAttribute("data-term-toggle", "");
    dfn.appendChild(button);
    wrap.appendChild(dfn);
    const note = el("span", "term__explanation", " (" + row.term + ": " + row.explanation + ")");
    note.id = tid;
    note.setAttribute("role", "note");
    note.hidden = true;
    wrap.appendChild(note);
    // The comma stays on the term's line (.term-run), as on the server's pages.
    const run = el("span", "term-run");
    run.appendChild(wrap);
    const last = n === shown.length - 1;
    if (!last) run.appendChild(document.createTextNode(","));
    box.appendChild(run);
    if (!last) box.appendChild(document.createTextNode(" "));
  });
}

async function take(items) {
  const fresh = [];
  items.forEach((item) => {
    const old = terms.get(item.id);
    if (old && old.version > item.version) return; // an older answer arrived late
    terms.set(item.id, { version: item.version, terms: item.terms || [] });
    fresh.push(item.id);
  });
  const unknown = fresh.some((id) => terms.get(id).terms.some((key) => !explained.has(key)));
  if (unknown) await loadGlossary();
  fresh.forEach((id) => render(id));
}

/**
 * Start marking terms in the live editor of a section page. `root` is the element
 * carrying data-hints-section (the section) and data-glossary-url.
 */
export function init(root = document.querySelector("[data-hints-section]")) {
  if (!root || section) return;
  section = root.getAttribute("data-hints-section");
  glossaryUrl = root.getAttribute("data-glossary-url") || "";
  if (!section || !glossaryUrl) return;
  document.addEventListener("codraft:hints", (event) => {
    take(event.detail.sentences || []);
  });
  document.addEventListener("codraft:sentence-built", (event) => {
    render(event.detail.id, event.detail.li);
  });
  Promise.all([
    loadGlossary(),
    fetch("/api/v1/sections/" + section + "/hints", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    }).then((response) => (response.ok ? response.json() : { sentences: [] })),
  ])
    .then(([, data]) => take(data.sentences || []))
    .catch(() => {});
}
