/*
 * The page's one Socket.IO connection (docs/protocol.md), shared by every script
 * on the page: the live editor, review margin, notifications badge and hints all
 * listen on the same socket instead of each opening its own.
 *
 * connection() returns it (null without the Socket.IO client); it connects once,
 * after every script that loaded with the page has had the chance to listen.
 * onConnect(fn) runs fn on every (re)connect, and at once if already connected:
 * that is where a script joins a policy again after a drop. Socket.IO itself
 * reconnects with back-off (at most 5 s apart).
 */

let socket = null;

export function connection() {
  if (socket || typeof window.io !== "function") return socket;
  // ?policy= lets a proxy send every socket of one policy to one process (README,
  // "Running at scale"); the server itself does not read it.
  const live = document.querySelector("[data-live-policy]");
  const options = { autoConnect: false, reconnectionDelayMax: 5000 };
  if (live) options.query = { policy: live.getAttribute("data-live-policy") };
  socket = window.io(options);
  const start = () => {
    if (!socket.connected && !socket.active) socket.connect();
  };
  // Deferred and module scripts all run before DOMContentLoaded: connect after them.
  if (document.readyState === "complete") setTimeout(start, 0);
  document.addEventListener("DOMContentLoaded", start, { once: true });
  window.addEventListener("load", start, { once: true });
  return socket;
}

/** Run fn on every connect, and now if the socket is already connected. */
export function onConnect(fn) {
  const s = connection();
  if (!s) return;
  s.on("connect", fn);
  if (s.connected) fn();
}

/** Connect now (the editor does, so typing need not wait for images to load). */
export function connectNow() {
  const s = connection();
  if (s && !s.connected && !s.active) s.connect();
}

export function init() {
  return connection();
}
