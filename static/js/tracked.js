/*
 * Marks inside the live text, sentence by sentence: the words open comments are
 * about, and (for members who chose that view) open suggestions as word diffs in
 * the sentence they would change, track-changes style.
 *
 * The server renders them (server/web/text_marks.py, templates/review/
 * _text_marks.html): into each sentence's row of the page, and again into a
 * hidden fragment, [data-text-marks], that static/js/review.js fetches afresh with
 * the margin when a `review` event arrives or typing stops. This file copies that
 * fragment's block for each sentence into its row of the live editor, whenever
 * the editor (re)builds a row ("codraft:sentence-built") and whenever the fragment
 * changes ("codraft:swapped"), so the marks survive others' edits re-rendering
 * the text. Nothing here works out a diff or follows words through edits: the
 * server does, once, for everyone.
 *
 * Commented words are highlighted with the CSS Custom Highlight API, which marks
 * text without changing the DOM, so the editable text and the caret are never
 * touched. Each block also names the words in plain text with a link to the
 * comment, so the mark is never colour alone. A highlight is shown only while the
 * sentence still has those words at those places; after an edit it waits for
 * the fresh fragment, which says where they went.
 */

const HIGHLIGHT = "codraft-commented";
const ROW = ":scope > .text-marks-row";

let source = null; // the hidden fragment: [data-text-marks]
let list = null;
let top = null;

function blockFor(id) {
  return source.querySelector(`[data-marks-for="${id}"]`);
}

/** Put a copy of the sentence's block in its row, just after its text (or take it away). */
function place(li) {
  const id = li.getAttribute("data-sentence-id");
  const old = li.querySelector(ROW);
  const block = id && blockFor(id);
  if (!block) {
    if (old) old.remove();
    return;
  }
  if (old && old.innerHTML === block.innerHTML) return;
  const copy = block.cloneNode(true);
  const text = li.querySelector(":scope > .sentence__text");
  const focused = old && old.contains(document.activeElement) ? document.activeElement : null;
  if (old) old.replaceWith(copy);
  else if (text) text.after(copy); // read with the sentence, before hints and notes
  else li.appendChild(copy);
  if (focused) {
    // Fresh marks arrived while a link in them had focus: keep focus on the same link.
    const same = copy.querySelector(`a[href="${focused.getAttribute("href")}"]`);
    (same || list).focus({ preventScroll: true });
  }
}

function placeTop() {
  const from = source.querySelector("[data-marks-top]");
  const html = from ? from.innerHTML.trim() : "";
  if (top.innerHTML.trim() !== html) top.innerHTML = html;
  top.hidden = html === "";
}

/** UTF-16 index of code point `n` of `text` (the server counts code points). */
function unitsAt(text, n) {
  let units = 0;
  let points = 0;
  for (const ch of text) {
    if (points === n) return units;
    units += ch.length;
    points += 1;
  }
  return points === n ? units : -1;
}

/** A DOM range over characters [start, end) of `el`'s text, across text nodes. */
function rangeIn(el, start, end) {
  const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  const range = document.createRange();
  let at = 0;
  let begun = false;
  let node;
  while ((node = walker.nextNode())) {
    const next = at + node.data.length;
    if (!begun && start <= next) {
      range.setStart(node, start - at);
      begun = true;
    }
    if (begun && end <= next) {
      range.setEnd(node, end - at);
      return range;
    }
    at = next;
  }
  return null;
}

/** Highlight every commented word range whose words are still where the server said. */
function highlight() {
  if (!window.CSS || !CSS.highlights || typeof Highlight !== "function") return;
  const ranges = [];
  source.querySelectorAll("[data-marks-for]").forEach((block) => {
    const li = document.getElementById("sentence-" + block.getAttribute("data-marks-for"));
    const el = li && list.contains(li) ? li.querySelector(".sentence__text") : null;
    if (!el) return;
    const text = el.textContent;
    block.querySelectorAll("[data-words-start]").forEach((link) => {
      const start = unitsAt(text, Number(link.getAttribute("data-words-start")));
      const end = unitsAt(text, Number(link.getAttribute("data-words-end")));
      if (start < 0 || end <= start) return;
      if (text.slice(start, end) !== link.getAttribute("data-words")) return; // edited: wait
      const range = rangeIn(el, start, end);
      if (range) ranges.push(range);
    });
  });
  CSS.highlights.set(HIGHLIGHT, new Highlight(...ranges));
}

function placeAll() {
  list.querySelectorAll(":scope > li[data-sentence-id]").forEach(place);
  placeTop();
  highlight();
}

/** The link in a block moves focus to its comment in the margin. */
function follow(event) {
  const link = event.target.closest && event.target.closest("a[data-focus-thread]");
  if (!link) return;
  const thread = document.getElementById(link.getAttribute("href").slice(1));
  if (!thread) return;
  event.preventDefault();
  if (!thread.hasAttribute("tabindex")) thread.setAttribute("tabindex", "-1");
  thread.scrollIntoView({ block: "center" });
  thread.focus({ preventScroll: true });
}

export function init(root = document) {
  source = root.querySelector("[data-text-marks]");
  list = root.querySelector("[data-live-sentences]");
  top = root.querySelector("[data-tracked-top]");
  if (!source || !list || !top) return;
  document.addEventListener("codraft:sentence-built", (event) => {
    place(event.detail.li);
    highlight();
  });
  document.addEventListener("codraft:rendered", highlight);
  document.addEventListener("codraft:swapped", placeAll);
  root.addEventListener("click", follow);
  placeAll();
}

init();
