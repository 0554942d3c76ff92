/* The unread count in the header, kept live over the socket, and "reading the
   target marks it read": when a page opens, notifications pointing at it are
   marked read (a POST from here; the page read itself writes nothing).
   The server sends `notifications` {unread} to each member's own room
   (docs/protocol.md). */
import { connection } from "./connection.js";

(function () {
  var link = document.getElementById("notifications-link");
  if (!link) { return; }
  var badge = link.querySelector("[data-unread-count]");
  var words = link.querySelector("[data-unread-words]");
  var live = document.getElementById("notifications-live");
  var shown = parseInt(badge.textContent, 10) || 0;

  function show(count) {
    badge.textContent = count ? String(count) : "";
    badge.className = count ? "tag" : "";
    words.textContent = count ? ", " + count + " unread" : "";
    if (live && count > shown) {
      live.textContent = "New notification. You have " + count + " unread.";
    }
    shown = count;
  }

  function markSeen() {
    var body = new URLSearchParams();
    body.set("path", window.location.pathname);
    body.set("csrf_token", link.getAttribute("data-csrf") || "");
    fetch("/notifications/seen", {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": link.getAttribute("data-csrf") || "" },
      body: body
    }).then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) { if (data && typeof data.unread === "number") { show(data.unread); } })
      .catch(function () { /* the count stays as it was */ });
  }

  if (shown > 0 && window.location.pathname !== "/notifications") { markSeen(); }

  var socket = connection(); // the page's one socket (static/js/connection.js)
  if (socket) {
    socket.on("notifications", function (data) {
      if (data && typeof data.unread === "number") { show(data.unread); }
    });
  }
}());
