/*
 * Comment on some words of a sentence, not only on the whole sentence.
 *
 * Select words inside one sentence of the text (mouse, touch, or Shift+arrows),
 * then use the "Comment on these words" button that appears, or Ctrl+Alt+M. A
 * comment box opens in place, with focus in it; it is an ordinary form posting to
 * the page route (POST /sections/<id>/comments with sentence_id, words_start and
 * words_end), so the server checks everything and the page shows the comment in
 * the margin after the redirect. The server follows the words through later edits
 * (server/review/word_anchors.py) and the margin says when they were removed.
 *
 * It works from the DOM only: any element with data-sentence-id holds a sentence,
 * and its `.sentence__text` (the live editor's) or itself holds the words.
 */

const SHORTCUT = "Ctrl+Alt+M";

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Offsets count Unicode code points, as the server's strings do. */
function points(text) {
  return Array.from(text).length;
}

function sentenceOf(node, list) {
  const element = node && (node.nodeType === 1 ? node : node.parentElement);
  const li = element && element.closest("[data-sentence-id]");
  if (!li || !list.contains(li)) return null;
  return { li, text: li.querySelector(".sentence__text") || li };
}

/** The words selected inside one sentence, or null. */
function chosen(list) {
  const sel = window.getSelection();
  if (!sel || sel.rangeCount === 0 || sel.isCollapsed) return null;
  const range = sel.getRangeAt(0);
  const a = sentenceOf(range.startContainer, list);
  const b = sentenceOf(range.endContainer, list);
  if (!a || !b || a.li !== b.li || !a.text.contains(range.commonAncestorContainer)) return null;
  const words = range.toString();
  if (!words.trim()) return null;
  const before = document.createRange();
  before.setStart(a.text, 0);
  before.setEnd(range.startContainer, range.startOffset);
  const start = points(before.toString());
  return {
    sentenceId: a.li.getAttribute("data-sentence-id"),
    start,
    end: start + points(words),
    words: words.trim(),
  };
}

function quoted(words) {
  return "“" + (words.length > 60 ? words.slice(0, 59) + "…" : words) + "”";
}

export function init(root) {
  const list = root.querySelector("ol.sentences");
  const action = root.getAttribute("data-word-comments");
  const tokenInput = document.querySelector('input[name="csrf_token"]');
  if (!list || !action || !tokenInput) return;

  const bar = el("div", "word-comment");
  const button = el("button", "button button--secondary word-comment__button");
  button.type = "button";
  button.setAttribute("aria-keyshortcuts", "Control+Alt+M");
  const hint = el("p", "hint word-comment__hint", "Shortcut: " + SHORTCUT + ".");
  hint.id = "word-comment-hint";
  button.setAttribute("aria-describedby", hint.id);
  bar.append(button, hint);
  bar.hidden = true;
  list.after(bar);

  let current = null; // the selection the button offers to comment on
  let form = null;

  function offer() {
    if (form) return;
    const found = chosen(list);
    if (!found) {
      // Keep the offer while focus moves to the button itself.
      if (!bar.contains(document.activeElement)) {
        current = null;
        bar.hidden = true;
      }
      return;
    }
    current = found;
    button.textContent = "Comment on these words: " + quoted(found.words);
    bar.hidden = false;
  }

  function field(name, value) {
    const input = el("input");
    input.type = "hidden";
    input.name = name;
    input.value = value;
    return input;
  }

  function open() {
    if (!current || form) return;
    const pick = current;
    form = el("form", "comment-form word-comment__form");
    form.method = "post";
    form.action = action;
    const id = "word-comment-body";
    const label = el("label", "label", "Your comment on the words " + quoted(pick.words));
    label.htmlFor = id;
    const box = el("textarea", "textarea");
    box.id = id;
    box.name = "body";
    box.rows = 3;
    box.required = true;
    const buttons = el("div", "button-row");
    const post = el("button", "button button--secondary", "Post comment");
    post.type = "submit";
    const cancel = el("button", "link-button", "Cancel");
    cancel.type = "button";
    buttons.append(post, cancel);
    form.append(
      field("csrf_token", tokenInput.value),
      field("sentence_id", pick.sentenceId),
      field("words_start", String(pick.start)),
      field("words_end", String(pick.end)),
      label,
      box,
      buttons,
    );
    cancel.addEventListener("click", close);
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") close();
    });
    bar.hidden = true;
    bar.after(form);
    box.focus();
  }

  function close() {
    if (!form) return;
    form.remove();
    form = null;
    current = null;
    offer();
    if (!bar.hidden) button.focus({ preventScroll: true });
  }

  document.addEventListener("selectionchange", offer);
  button.addEventListener("click", open);
  document.addEventListener("keydown", (e) => {
    if (e.ctrlKey && e.altKey && (e.key === "m" || e.key === "M")) {
      const found = chosen(list);
      if (found) {
        current = found;
        e.preventDefault();
        open();
      }
    }
  });
}

const page = document.querySelector("[data-word-comments]");
if (page) init(page);
