/*
 * Codraft review: keeps comments, suggested changes and votes current without a
 * reload. Every page works without this file (its forms post and redirect).
 *
 * The server sends a `review` socket event ({section_id, kind, id, action}) to
 * everyone in the policy, on the page's one socket (static/js/connection.js); this
 * file passes it on as a "codraft:review" DOM event for any script that cares. On
 * the section page static/js/editor.js joins the policy; on other review pages
 * (a proposal, the decisions page) this file joins it itself. Either way
 * it then fetches the server-rendered fragments named by [data-review-fragment]
 * and swaps them in, keeping focus, open details and anything typed but not yet
 * sent, and says politely that something changed.
 *
 * On the section page it also keeps, in each sentence of the live text, a small
 * link to that sentence's comments (the margin says how many), and on wide
 * screens lines each sentence's notes up beside it.
 */
import { connection, onConnect } from "./connection.js";
import { newClientId } from "./dom.js";

(function () {
  // The name picker for comment and reply boxes (a module, beside this file).
  import("./mentions.js").catch(function () {});

  var QUIET_MS = 250; // gather a burst of events (a vote closing sends several) into one fetch
  var TEXT_QUIET_MS = 2500; // refresh the margin's quotes this long after typing stops
  var WIDE = "(min-width: 64rem)";

  var fragments = [];
  var announcer = null;
  var list = null; // the section's sentence list, if this is a section page
  var margin = null;
  var sectionId = null;
  var pending = { timer: null, actions: [], busy: false, again: false };
  var textTimer = null;
  var alignQueued = false;
  var observer = null;

  function all(root, selector) {
    return Array.prototype.slice.call(root.querySelectorAll(selector));
  }

  // --- keeping what the user was doing across a swap ---------------------------------

  function capture(container) {
    var state = { values: {}, checked: {}, open: {}, focus: null };
    all(container, "textarea[id], input[id]").forEach(function (el) {
      if (el.type === "radio" || el.type === "checkbox") {
        if (el.checked !== el.defaultChecked) state.checked[el.id] = el.checked;
      } else if (el.type !== "hidden" && el.value !== el.defaultValue) {
        state.values[el.id] = el.value;
      }
    });
    all(container, "details[id]").forEach(function (el) {
      state.open[el.id] = el.open;
    });
    var active = document.activeElement;
    if (active && active !== container && container.contains(active)) {
      state.focus = {
        id: active.id,
        summaryOf: active.tagName === "SUMMARY" && active.parentNode.id ? active.parentNode.id : null,
        href: active.getAttribute("href"),
        action: active.form ? active.form.getAttribute("action") : null,
        text: active.textContent,
        start: typeof active.selectionStart === "number" ? active.selectionStart : null,
        end: typeof active.selectionEnd === "number" ? active.selectionEnd : null,
      };
    }
    return state;
  }

  function findFocus(container, f) {
    if (f.id) return document.getElementById(f.id);
    if (f.summaryOf) {
      var details = document.getElementById(f.summaryOf);
      return details ? details.querySelector("summary") : null;
    }
    var candidates = all(container, "a[href], button, summary");
    for (var i = 0; i < candidates.length; i++) {
      var el = candidates[i];
      var sameForm = !f.action || (el.form && el.form.getAttribute("action") === f.action);
      if (el.getAttribute("href") === f.href && sameForm && el.textContent === f.text) return el;
    }
    return null;
  }

  function restore(container, state) {
    Object.keys(state.values).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && container.contains(el)) el.value = state.values[id];
    });
    Object.keys(state.checked).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && container.contains(el)) el.checked = state.checked[id];
    });
    Object.keys(state.open).forEach(function (id) {
      var el = document.getElementById(id);
      if (el && container.contains(el)) el.open = state.open[id];
    });
    var f = state.focus;
    if (!f) return;
    var target = findFocus(container, f);
    if (target && container.contains(target)) {
      // A place jumped to (a thread, by the address's #fragment) is focusable only
      // by the tabindex static/js/codraft.js gave it: the new copy needs it too.
      if (target.tabIndex < 0 && !target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
      target.focus({ preventScroll: true });
      if (f.start !== null && typeof target.setSelectionRange === "function") {
        try {
          target.setSelectionRange(f.start, f.end);
        } catch (err) {
          /* not a text field */
        }
      }
    } else {
      // What had focus is gone (a thread was resolved, say): keep focus nearby.
      if (!container.hasAttribute("tabindex")) container.setAttribute("tabindex", "-1");
      container.focus({ preventScroll: true });
    }
  }

  // The thing the reader jumped to (the #fragment of the address), if it is inside
  // the container and on screen: a swap must not move it out of sight.
  function jumpedTo(container) {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var el = id && document.getElementById(id);
    if (!el || !container.contains(el)) return null;
    var box = el.getBoundingClientRect();
    return box.bottom > 0 && box.top < window.innerHeight ? id : null;
  }

  function keepInView(id) {
    var el = id && document.getElementById(id);
    if (!el) return;
    var box = el.getBoundingClientRect();
    if (box.bottom <= 0 || box.top >= window.innerHeight) el.scrollIntoView({ block: "start" });
  }

  function swap(container, html) {
    if (container.reviewHtml === html) return false;
    var state = capture(container);
    var anchor = jumpedTo(container);
    container.innerHTML = html;
    container.reviewHtml = html;
    restore(container, state);
    keepInView(anchor);
    return true;
  }

  // --- fetching fragments ----------------------------------------------------------------

  function fetchOne(container) {
    var url = container.getAttribute("data-review-fragment");
    return window
      .fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (response) {
        if (!response.ok || response.redirected) return false;
        return response.text().then(function (html) {
          return swap(container, html);
        });
      })
      .catch(function () {
        return false;
      });
  }

  function refresh() {
    if (pending.busy) {
      pending.again = true;
      return;
    }
    pending.busy = true;
    var actions = pending.actions;
    pending.actions = [];
    Promise.all(fragments.map(fetchOne)).then(function (changed) {
      pending.busy = false;
      if (changed.some(Boolean)) {
        afterSwap();
        announce(actions);
      }
      if (pending.again) {
        pending.again = false;
        refresh();
      }
    });
  }

  function schedule(detail, delay) {
    if (detail) pending.actions.push(detail);
    window.clearTimeout(pending.timer);
    pending.timer = window.setTimeout(refresh, delay === undefined ? QUIET_MS : delay);
  }

  var WORDS = {
    comment: { added: "New comment", edited: "A comment was changed", deleted: "A comment was deleted",
               resolved: "A discussion was resolved", reopened: "A discussion was reopened" },
    proposal: { added: "New suggested change", edited: "A suggested change was changed",
                withdrawn: "A suggested change was withdrawn", voting: "Voting started on a suggested change",
                applied: "A suggested change was approved and is now in the text",
                conflict: "A suggested change was approved but could not be added to the text",
                rejected: "A suggested change was not approved",
                not_decided: "A vote on a suggested change was not decided" },
    vote: { opened: "A vote has started", voted: "Votes updated", closed: "A vote has closed",
            extended: "A vote was given more time" },
    section: { ready: "The section is ready for the group to agree", agreed: "The group agreed the section",
               drafting: "The section was not agreed and is back to drafting" },
  };

  function announce(actions) {
    // Only what others did is news; a refresh after typing in the text is not.
    if (!announcer || !actions.length) return;
    var said = [];
    actions.forEach(function (a) {
      var words = (WORDS[a.kind] || {})[a.action];
      if (words && said.indexOf(words) < 0) said.push(words);
    });
    var message = said.length ? said.join(". ") + "." : "Comments updated.";
    announcer.textContent = "";
    window.setTimeout(function () {
      announcer.textContent = message;
    }, 50);
  }

  function relevant(detail) {
    if (!detail) return false;
    return sectionId === null || Number(detail.section_id) === sectionId;
  }

  // --- the section page: counts in the text, notes beside it ----------------------------------

  var FLAGS = { changed: "Changed since the group agreed it", added: "Added since the group agreed it" };

  function slots() {
    return margin ? all(margin, "[data-margin-for]") : [];
  }

  function syncSentences() {
    if (!list || !margin) return;
    var known = {};
    slots().forEach(function (slot) {
      var id = slot.getAttribute("data-margin-for");
      known[id] = true;
      var li = document.getElementById("sentence-" + id);
      if (!li || !list.contains(li)) return;
      var count = Number(slot.getAttribute("data-count")) || 0;
      var flag = slot.getAttribute("data-flag");
      var link = li.querySelector(":scope > .sentence__notes");
      if (count > 0 || flag) {
        var words = [FLAGS[flag], count > 0 ? slot.getAttribute("data-count-words") : ""]
          .filter(Boolean)
          .join(" · ");
        var label = " on sentence " + slot.getAttribute("data-number");
        if (!link) {
          link = document.createElement("a");
          link.className = "sentence__notes";
          link.href = "#notes-" + id;
          link.appendChild(document.createElement("span"));
          var hidden = document.createElement("span");
          hidden.className = "visually-hidden";
          link.appendChild(hidden);
          li.appendChild(link);
        }
        if (link.firstChild.textContent !== words) link.firstChild.textContent = words;
        if (link.lastChild.textContent !== label) link.lastChild.textContent = label;
      } else if (link) {
        li.removeChild(link);
      }
      li.classList.toggle("sentence--since-agreed", Boolean(flag));
    });
    if (observer) observer.takeRecords(); // our own changes are not the editor's
    // A sentence the margin does not know yet (added live), or one it lists that has
    // gone: fetch a fresh margin.
    var ids = all(list, ":scope > li[data-sentence-id]").map(function (li) {
      return li.getAttribute("data-sentence-id");
    });
    var differs = ids.length !== slots().length || ids.some(function (id) {
      return !known[id];
    });
    if (differs) schedule(null, 600);
  }

  function align() {
    alignQueued = false;
    if (!list || !margin) return;
    var all_ = slots();
    var box = margin.closest(".margin") || margin;
    box.style.marginTop = "";
    all_.forEach(function (slot) {
      slot.style.marginTop = "";
    });
    if (!window.matchMedia(WIDE).matches) return;
    var marginBox = margin.getBoundingClientRect();
    var listBox = list.getBoundingClientRect();
    if (marginBox.left < listBox.right) return; // not side by side
    // The whole margin moves down to meet the first discussion's sentence, rather than
    // leaving an empty gap inside it above that discussion; its top never goes lower
    // than the top of the text, so "Comment on the whole section" stays in view.
    var firstLi = all_.length
      ? document.getElementById("sentence-" + all_[0].getAttribute("data-margin-for"))
      : null;
    if (firstLi) {
      var shift = Math.min(
        firstLi.getBoundingClientRect().top - all_[0].getBoundingClientRect().top,
        listBox.top - box.getBoundingClientRect().top,
      );
      if (shift > 1) box.style.marginTop = shift + "px";
    }
    all_.forEach(function (slot) {
      var li = document.getElementById("sentence-" + slot.getAttribute("data-margin-for"));
      if (!li) return;
      var gap = li.getBoundingClientRect().top - slot.getBoundingClientRect().top;
      if (gap > 1) slot.style.marginTop = gap + "px";
    });
  }

  function queueAlign() {
    if (alignQueued) return;
    alignQueued = true;
    window.requestAnimationFrame(align);
  }

  function afterSwap() {
    syncSentences();
    queueAlign();
    syncStatus();
    document.dispatchEvent(new CustomEvent("codraft:swapped")); // static/js/mentions.js
  }

  /** The header's status badge follows the status the decision fragment carries. */
  function syncStatus() {
    var from = document.querySelector("[data-section-status]");
    var badge = document.querySelector("[data-section-status-badge]");
    if (!from || !badge || badge.textContent === from.textContent) return;
    badge.className = "status status--" + from.getAttribute("data-section-status");
    badge.textContent = from.textContent;
  }

  function isMarks(node) {
    return node.nodeType === 1 && (node.matches(".text-marks-row") || Boolean(node.closest(".text-marks-row")));
  }

  function marksOnly(m) {
    if (m.type === "characterData") return Boolean(m.target.parentElement && isMarks(m.target.parentElement));
    if (isMarks(m.target)) return true;
    var nodes = Array.prototype.slice.call(m.addedNodes).concat(Array.prototype.slice.call(m.removedNodes));
    return nodes.length > 0 && nodes.every(isMarks);
  }

  function watchText() {
    observer = new MutationObserver(function (mutations) {
      var structure = false;
      var typed = false;
      mutations.forEach(function (m) {
        if (marksOnly(m)) return; // static/js/tracked.js putting its marks back
        if (m.type === "characterData") typed = true;
        else if (m.target === list) structure = true;
        else if (m.type === "childList") typed = true;
      });
      if (structure) syncSentences();
      else if (typed) {
        // The editor rebuilds a sentence now and then: put its link back.
        syncSentences();
        window.clearTimeout(textTimer);
        textTimer = window.setTimeout(function () {
          schedule(null, 0);
        }, TEXT_QUIET_MS);
      }
      queueAlign();
    });
    observer.observe(list, { childList: true, subtree: true, characterData: true });
  }

  // --- joining the policy, where the live editor is not running ------------------------------

  function joinPolicy(root) {
    var socket = connection();
    if (!socket) return;
    var policyId = Number(root.getAttribute("data-review-policy"));
    var seq = Number(root.getAttribute("data-review-seq"));
    var id = newClientId();
    var joinedBefore = false;
    onConnect(function () {
      var payload = { policy_id: policyId, client_id: id };
      if (!joinedBefore && seq >= 0 && root.hasAttribute("data-review-seq")) payload.since = seq;
      socket.emit("join_policy", payload, function (reply) {
        if (!reply || !reply.ok) return;
        // Anything that changed between the page being made and now (or while we
        // were away) came without an event: fetch once to catch up.
        schedule(null, 0);
        joinedBefore = true;
        root.setAttribute("data-review-joined", "true");
      });
    });
  }

  // --- start -----------------------------------------------------------------------------

  function boot() {
    fragments = all(document, "[data-review-fragment]");
    if (!fragments.length || !window.fetch) return;
    announcer = document.querySelector("[data-review-announce]");
    var scope = document.querySelector("[data-review-section]");
    sectionId = scope ? Number(scope.getAttribute("data-review-section")) : null;
    list = document.querySelector("[data-live-sentences]");
    margin = document.querySelector("[data-review-margin]");

    document.addEventListener("codraft:review", function (e) {
      if (relevant(e.detail)) schedule(e.detail);
    });

    if (list && margin) {
      syncSentences();
      watchText();
      queueAlign();
      window.addEventListener("resize", queueAlign);
      margin.addEventListener("toggle", queueAlign, true);
      if (document.fonts && document.fonts.ready) document.fonts.ready.then(queueAlign);
    }
    var socket = connection();
    if (socket) {
      socket.on("review", function (detail) {
        document.dispatchEvent(new CustomEvent("codraft:review", { detail: detail }));
      });
    }
    var own = document.querySelector("[data-review-policy]");
    if (own && !document.querySelector("[data-live-policy]")) joinPolicy(own);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", boot);
  } else {
    boot();
  }
})();
