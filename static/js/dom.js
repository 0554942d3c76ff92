/*
 * Small DOM and wording helpers shared by the live editor's modules
 * (static/js/editor.js and the files it imports).
 */

export function $(root, selector) {
  return root.querySelector(selector);
}

export function make(tag, className, text) {
  var el = document.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

export function newClientId() {
  var bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.prototype.map
    .call(bytes, function (b) {
      return (b < 16 ? "0" : "") + b.toString(16);
    })
    .join("");
}

export function plural(n, one, many) {
  return n === 1 ? one : many;
}

export function number(n) {
  return n.toLocaleString("en-GB");
}

export function listWords(items) {
  if (items.length <= 1) return items.join("");
  return items.slice(0, -1).join(", ") + " and " + items[items.length - 1];
}

export function quote(text, max) {
  max = max || 80;
  return "“" + (text.length > max ? text.slice(0, max - 1) + "…" : text) + "”";
}

/** Text as a sentence may hold it: no line breaks; no-break spaces typed by the browser. */
export function sanitise(text) {
  return text.replace(/\r\n?|\n/g, " ").replace(/\u00a0/g, " ");
}


/**
 * Return a notice box: a message and a row of buttons, each [label, className,
 * onClick(box)]. The caller puts it in the page.
 */
export function notice(kind, message, buttons) {
  const box = make("div", "notice notice--" + kind + " live-notice");
  box.appendChild(make("p", null, message));
  const row = make("p", "button-row");
  box.buttons = buttons.map(([label, className, onClick]) => {
    const b = make("button", "button " + className, label);
    b.type = "button";
    b.addEventListener("click", () => onClick(box));
    row.appendChild(b);
    return b;
  });
  box.appendChild(row);
  return box;
}
