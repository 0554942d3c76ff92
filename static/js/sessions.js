/* Session and review pages: keep the main list up to date while others work.
   Watches the whole group on the page's one socket (static/js/connection.js,
   `watch_group` in docs/protocol.md). On `review` or `policy_changed` events it
   fetches the server-rendered list again
   and swaps it in, keeping focus and saying "Updated" politely. Mark buttons send
   their form in the background and refresh the list. Without this file the
   pages work as plain forms and links. */
import { connection, onConnect } from "./connection.js";

(function () {

  var REFRESH_DELAY_MS = 400;

  function Live(root) {
    this.root = root;
    this.url = root.getAttribute("data-live-url");
    this.announcer = document.querySelector("[data-sessions-announce]");
    this.timer = null;
    this.busy = false;
    this.again = false;
  }

  Live.prototype.focusKey = function () {
    var el = document.activeElement;
    if (!el || !this.root.contains(el)) return null;
    if (el.hasAttribute("data-mark-key")) return { mark: el.getAttribute("data-mark-key") };
    if (el.id) return { id: el.id };
    var holder = el.closest("[id]");
    return holder && this.root.contains(holder) ? { id: holder.id } : null;
  };

  Live.prototype.restoreFocus = function (key) {
    if (!key) return;
    var el = null;
    if (key.mark) {
      el = this.root.querySelector('[data-mark-key="' + key.mark.replace(/"/g, "") + '"]');
    } else if (key.id) {
      el = document.getElementById(key.id);
    }
    if (el) el.focus();
  };

  Live.prototype.refresh = function (message) {
    var self = this;
    if (this.busy) {
      this.again = true;
      return Promise.resolve();
    }
    this.busy = true;
    return fetch(this.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok) throw new Error("refresh failed");
        return response.text();
      })
      .then(function (html) {
        var key = self.focusKey();
        self.root.innerHTML = html;
        self.bindMarks();
        self.restoreFocus(key);
        self.announce(message || "Updated");
      })
      .catch(function () {})
      .then(function () {
        self.busy = false;
        if (self.again) {
          self.again = false;
          self.refresh();
        }
      });
  };

  Live.prototype.announce = function (text) {
    if (!this.announcer) return;
    var box = this.announcer;
    box.textContent = "";
    window.setTimeout(function () { box.textContent = text; }, 50);
  };

  Live.prototype.soon = function () {
    var self = this;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(function () { self.refresh(); }, REFRESH_DELAY_MS);
  };

  Live.prototype.bindMarks = function () {
    var self = this;
    var forms = this.root.querySelectorAll("form[data-mark-form]");
    Array.prototype.forEach.call(forms, function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector("[data-mark-key]");
        var key = button && button.getAttribute("data-mark-key");
        var marking = form.querySelector('input[name="reviewed"]').value === "1";
        fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
          .then(function (response) {
            if (!response.ok) throw new Error("mark failed");
            return self.refresh(marking ? "Marked as reviewed" : "Marked as not reviewed");
          })
          .then(function () { self.restoreFocus({ mark: key }); })
          .catch(function () { form.submit(); });
      });
    });
  };

  Live.prototype.watch = function () {
    var self = this;
    var socket = connection();
    var groupId = Number(this.root.getAttribute("data-group-id"));
    if (!socket || !groupId) return;
    var watchedBefore = false;
    onConnect(function () {
      socket.emit("watch_group", { group_id: groupId }, function (reply) {
        if (!reply || !reply.ok) return;
        // After a drop, what changed while we were away came without an event.
        if (watchedBefore) self.soon();
        watchedBefore = true;
        self.root.setAttribute("data-watching", "true");
      });
    });
    socket.on("review", function () { self.soon(); });
    socket.on("policy_changed", function () { self.soon(); });
  };

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-sessions-live]");
    if (!root || !window.fetch) return;
    var live = new Live(root);
    live.bindMarks();
    live.watch();
  });
}());
