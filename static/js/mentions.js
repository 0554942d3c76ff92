/*
 * Codraft name picker: in any comment or reply box, typing "@" and the start of a
 * name lists the group's members who match; choose one with the arrow keys and
 * Enter or Tab (or a tap), close the list with Escape. The chosen name is typed
 * into the box as "@Full Name", which is what the server reads as a mention.
 *
 * It follows the ARIA 1.2 combobox pattern with a listbox popup, on the box
 * itself: aria-autocomplete="list", aria-controls naming the listbox, and
 * aria-activedescendant naming the highlighted option, so focus never leaves the
 * box. A textarea keeps its own (textbox) role: HTML allows it no other, so the
 * list opening and closing, and how many names it shows, are said in a polite
 * live region instead of through aria-expanded.
 *
 * A box takes part when it, or something around it, has data-mention-lookup: the
 * URL of GET /api/v1/groups/{id}/mention-candidates (docs/api.md). Without this
 * file the boxes work as before: a typed "@Full Name" is still a mention.
 */

const QUIET_MS = 120; // wait for a short pause in typing before asking the server
const MAX_WORDS = 3; // "@Mary Ann Smith": a name may have spaces in it
// "@" at the start or after a space or opening bracket, then up to the caret.
const TRIGGER = /(^|[\s([{"'“‘])@([^\s@]*(?: [^\s@]+)*(?: )?)$/u;

const boxes = new WeakMap();
let serial = 0;

function lookupFor(textarea) {
  const holder = textarea.closest("[data-mention-lookup]");
  return holder ? holder.getAttribute("data-mention-lookup") : null;
}

function setUp(textarea) {
  if (boxes.has(textarea)) return boxes.get(textarea);
  const url = lookupFor(textarea);
  if (!url) return null;
  serial += 1;
  const id = (textarea.id || "comment-box-" + serial) + "-names";
  const list = document.createElement("ul");
  list.id = id;
  list.className = "mention-list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", "Members to mention");
  list.hidden = true;
  const status = document.createElement("p");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  const holder = document.createElement("div");
  holder.className = "mention-picker";
  holder.append(list, status);
  textarea.insertAdjacentElement("afterend", holder);
  textarea.setAttribute("aria-autocomplete", "list");
  textarea.setAttribute("aria-controls", id);
  const state = { textarea, url, list, status, options: [], active: -1, start: -1, chosen: -1, timer: null, asked: 0 };
  boxes.set(textarea, state);
  list.addEventListener("mousedown", (event) => event.preventDefault()); // keep focus in the box
  list.addEventListener("click", (event) => {
    const option = event.target.closest("[role=option]");
    if (option) choose(state, Number(option.dataset.index));
  });
  return state;
}

function say(state, words) {
  // Clearing first makes a screen reader say the same words again when they repeat.
  state.status.textContent = "";
  window.setTimeout(() => {
    state.status.textContent = words;
  }, 50);
}

function typedName(state) {
  const { textarea } = state;
  if (textarea.selectionStart !== textarea.selectionEnd) return null;
  const before = textarea.value.slice(0, textarea.selectionStart);
  const match = TRIGGER.exec(before.slice(-120));
  if (!match || match[2].split(" ").length > MAX_WORDS) return null;
  return { query: match[2], start: textarea.selectionStart - match[2].length - 1 };
}

function close(state, words) {
  window.clearTimeout(state.timer);
  state.asked += 1; // an answer still on its way is no longer wanted
  const wasOpen = !state.list.hidden;
  state.list.hidden = true;
  state.list.replaceChildren();
  state.options = [];
  state.active = -1;
  state.textarea.removeAttribute("aria-activedescendant");
  if (words) say(state, words);
  else if (wasOpen) say(state, "Name list closed.");
}

function highlight(state, index) {
  const items = state.list.children;
  if (!items.length) return;
  state.active = (index + items.length) % items.length;
  Array.from(items).forEach((item, i) => {
    item.setAttribute("aria-selected", i === state.active ? "true" : "false");
  });
  const item = items[state.active];
  state.textarea.setAttribute("aria-activedescendant", item.id);
  item.scrollIntoView({ block: "nearest" });
}

function show(state, names, query) {
  if (!names.length) {
    // After a space the person may simply be writing on: only a one-word miss is said.
    const miss = query && !query.includes(" ");
    close(state, miss ? "No member’s name starts with “" + query + "”." : "");
    return;
  }
  state.options = names;
  state.list.replaceChildren(
    ...names.map((person, i) => {
      const item = document.createElement("li");
      item.id = state.list.id + "-" + i;
      item.className = "mention-list__option";
      item.setAttribute("role", "option");
      item.dataset.index = String(i);
      item.textContent = person.name; // text, never HTML
      return item;
    }),
  );
  state.list.hidden = false;
  highlight(state, 0);
  say(
    state,
    (names.length === 1 ? "1 name: " + names[0].name : names.length + " names, first " + names[0].name) +
      ". Up and down arrows to move, Enter to mention, Escape to close.",
  );
}

function ask(state) {
  const typed = typedName(state);
  if (!typed || typed.start === state.chosen) {
    // Also when the list is not open: a lookup may be waiting for its pause, or on
    // its way, for an "@" that has just been deleted; its answer must not open it.
    close(state);
    return;
  }
  state.chosen = -1;
  state.start = typed.start;
  window.clearTimeout(state.timer);
  state.timer = window.setTimeout(() => {
    const ticket = ++state.asked;
    const url = state.url + "?q=" + encodeURIComponent(typed.query.trim());
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((reply) => (reply.ok ? reply.json() : []))
      .then((names) => {
        if (ticket === state.asked && document.activeElement === state.textarea) {
          show(state, Array.isArray(names) ? names : [], typed.query.trim());
        }
      })
      .catch(() => {}); // offline: the box still takes a typed "@Full Name"
  }, QUIET_MS);
}

function choose(state, index) {
  const person = state.options[index];
  if (!person) return;
  const { textarea } = state;
  const end = textarea.selectionStart;
  const after = textarea.value.slice(end);
  const insert = "@" + person.name + (after.startsWith(" ") ? "" : " ");
  textarea.setRangeText(insert, state.start, end, "end");
  textarea.dispatchEvent(new Event("input", { bubbles: true }));
  state.chosen = state.start; // typing on after the name does not reopen the list
  close(state, person.name + " will be mentioned.");
  textarea.focus();
}

function onKey(event) {
  const state = boxes.get(event.target);
  if (!state || state.list.hidden) return;
  const keys = {
    ArrowDown: () => highlight(state, state.active + 1),
    ArrowUp: () => highlight(state, state.active - 1),
    Enter: () => choose(state, state.active),
    Tab: () => choose(state, state.active),
    Escape: () => close(state),
  };
  const act = keys[event.key];
  if (!act || event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
  event.preventDefault();
  event.stopPropagation(); // Escape closes the list, not a surrounding panel
  act();
}

function onInput(event) {
  const target = event.target;
  if (!(target instanceof HTMLTextAreaElement)) return;
  const state = setUp(target);
  if (state && event.isTrusted !== false) ask(state);
}

export function start(root = document) {
  root.addEventListener("input", onInput);
  root.addEventListener("keydown", onKey, true);
  // review.js swapped the margin in again: the box is new, with what was typed and
  // the caret put back; open its list again if a name was being typed.
  document.addEventListener("codraft:swapped", () => {
    const box = document.activeElement;
    if (box instanceof HTMLTextAreaElement && lookupFor(box)) ask(setUp(box));
  });
  root.addEventListener("focusout", (event) => {
    const state = boxes.get(event.target);
    if (state && !state.list.hidden) close(state);
  });
}

start();
