/*
 * Who is where, on a section page: the "Here now" list, each sentence someone
 * edits marked with their name in their colour (never the colour alone), and a
 * polite word to screen readers when someone starts editing a sentence here.
 *
 * Uses the `presence` and `presence_left` events of docs/protocol.md. The server
 * may send them batched (several people, or several moves of one person, at
 * once): each event's payload may be one object or a list of them, and only the
 * last state of each person counts, so a batch is rendered and announced once.
 * Who is already here comes once after joining, as a `presence_batch` marked
 * `everyone` (not in the join reply): until then the list says "Finding out…",
 * and what it lists is not announced as news.
 */

import { connection } from "./connection.js";
import { make } from "./dom.js";

const SEND_MS = 120; // focus moving from one sentence to the next sends one update
const ANNOUNCE_MS = 1500; // moves are summarised after this pause, never per keystroke

function each(payload, fn) {
  if (Array.isArray(payload)) payload.forEach(fn);
  else if (payload && Array.isArray(payload.people)) payload.people.forEach(fn);
  else if (payload) fn(payload);
}

export class Presence {
  constructor(editor) {
    this.editor = editor;
    this.people = new Map(); // sid -> {sid, user_id, name, colour, section_id, sentence_id}
    this.early = []; // events that came while a join was answered
    this.listed = false; // told who is here since the last connection
    this.sent = null;
    this.timer = null;
    this.spoken = new Map(); // user id -> the sentence last announced for them
    this.announceTimer = null;
    const socket = connection();
    socket.on("presence", (payload) => this.receive("presence", payload));
    socket.on("presence_left", (payload) => this.receive("presence_left", payload));
    // Several changes gathered by the server into one message (docs/protocol.md).
    socket.on("presence_batch", (batch) => {
      if (batch && batch.everyone) {
        this.everyone(batch.present || []);
        return;
      }
      this.receive("presence", (batch && batch.present) || []);
      this.receive("presence_left", ((batch && batch.left) || []).map((sid) => ({ sid })));
    });
  }

  receive(kind, payload) {
    each(payload, (p) => {
      if (!p || !p.sid) return;
      if (!this.editor.joined) this.early.push([kind, p]);
      if (kind === "presence") this.people.set(p.sid, p);
      else this.people.delete(p.sid);
    });
    this.render();
    this.announceSoon();
  }

  /** Who is here, sent once after a join: those it adds were here when the page
   * opened, so they are not news; what came as events since the join still is (the
   * server sends a send's changes before its list). If it came before the join
   * reply, `joined` takes it from `early`. */
  everyone(list) {
    this.listed = true;
    const told = new Set(this.people.keys());
    this.receive("presence", list);
    if (!this.editor.joined) return;
    for (const p of this.others()) {
      if (!told.has(p.sid)) this.spoken.set(p.user_id, this.where(p));
    }
  }

  /** After a join; events that came while it was answered are newer. (A server
   * before protocol.md's `everyone` listed who is here in the reply.) */
  joined(reply) {
    this.people = new Map();
    if (Array.isArray(reply.presence)) this.listed = true;
    (reply.presence || []).forEach((p) => this.people.set(p.sid, p));
    for (const [kind, p] of this.early) {
      if (kind === "presence") this.people.set(p.sid, p);
      else this.people.delete(p.sid);
    }
    this.early = [];
    this.sent = null;
    // Whoever is already editing when the page opens is in the list: not news.
    this.spoken = new Map();
    for (const p of this.others()) this.spoken.set(p.user_id, this.where(p));
  }

  lost() {
    this.early = [];
    this.listed = false;
    this.people = new Map();
    this.render();
  }

  /** Tell the others which sentence the user is in (once focus settles). */
  send(force) {
    const editor = this.editor;
    if (force) this.sent = null;
    window.clearTimeout(this.timer);
    this.timer = window.setTimeout(() => {
      if (!editor.joined || !editor.socket.connected) return;
      const want = {
        section_id: editor.sectionId,
        sentence_id: editor.canEdit ? editor.focusId : null,
      };
      const key = want.section_id + ":" + want.sentence_id;
      if (key === this.sent) return;
      this.sent = key;
      editor.socket.emit("presence", want, () => {});
    }, SEND_MS);
  }

  /** Everyone but this user (any of their tabs). */
  others() {
    const me = this.editor.me;
    return Array.from(this.people.values()).filter(
      (p) => !(me && (p.sid === me.sid || p.user_id === me.user_id)),
    );
  }

  /** Whether someone else is in sentence `id` of this section. */
  inSentence(id) {
    return this.others().some((p) => this.where(p) === id);
  }

  /** The sentence of this section someone edits (an id), or null. */
  where(p) {
    const editor = this.editor;
    if (p.section_id !== editor.sectionId || !p.sentence_id) return null;
    return editor.model && editor.model.has(p.sentence_id) ? p.sentence_id : null;
  }

  /** Say politely who started editing which sentence here, after a pause. */
  announceSoon() {
    window.clearTimeout(this.announceTimer);
    this.announceTimer = window.setTimeout(() => this.announce(), ANNOUNCE_MS);
  }

  announce() {
    const editor = this.editor;
    if (!editor.joined) return;
    const said = [];
    const seen = new Set();
    for (const p of this.others()) {
      if (seen.has(p.user_id)) continue;
      const id = this.where(p);
      if (id === null) continue;
      seen.add(p.user_id);
      if (this.spoken.get(p.user_id) === id) continue;
      this.spoken.set(p.user_id, id);
      said.push(p.name + " is editing sentence " + editor.positionOf(id) + ".");
    }
    for (const user of Array.from(this.spoken.keys())) {
      if (!seen.has(user)) this.spoken.delete(user);
    }
    if (said.length) editor.say(said.join(" "));
  }

  render() {
    const editor = this.editor;
    const byUser = new Map();
    const bySentence = new Map();
    for (const p of this.others()) {
      const entry = byUser.get(p.user_id) || { name: p.name, colour: p.colour, where: [] };
      entry.where.push(p);
      byUser.set(p.user_id, entry);
      const id = this.where(p);
      if (id !== null) {
        const list = bySentence.get(id) || [];
        if (!list.some((q) => q.user_id === p.user_id)) list.push(p);
        bySentence.set(id, list);
      }
    }

    // Here now: one line per person, what they are doing, in words.
    const titles = new Map();
    if (editor.model) editor.model.sections().forEach((s) => titles.set(s.id, s.title));
    const list = editor.presenceList;
    list.textContent = "";
    if (!editor.joined) {
      list.appendChild(make("li", "presence__item presence__item--none",
        editor.everJoined ? "Not known while offline." : "Finding out…"));
    } else if (!this.listed && !byUser.size) {
      list.appendChild(make("li", "presence__item presence__item--none", "Finding out…"));
    } else if (!byUser.size) {
      list.appendChild(make("li", "presence__item presence__item--none", "Only you."));
    }
    byUser.forEach((entry) => {
      const editing = entry.where.filter((p) => this.where(p) !== null);
      const here = entry.where.filter((p) => p.section_id === editor.sectionId);
      let what;
      if (editing.length) what = "editing sentence " + editor.positionOf(editing[0].sentence_id);
      else if (here.length) what = "reading";
      else {
        const elsewhere = entry.where.filter((p) => p.section_id)[0];
        what = elsewhere && titles.get(elsewhere.section_id)
          ? "in another section: " + titles.get(elsewhere.section_id)
          : "elsewhere in the policy";
      }
      const li = make("li", "presence__item");
      const swatch = make("span", "presence__swatch");
      swatch.setAttribute("aria-hidden", "true");
      swatch.style.setProperty("--who-colour", entry.colour);
      li.appendChild(swatch);
      li.appendChild(make("span", "presence__name", entry.name));
      li.appendChild(document.createTextNode(" (" + what + ")"));
      list.appendChild(li);
    });

    // Per sentence: a coloured border, a name tag at its top and the names under it.
    Array.prototype.forEach.call(editor.list.children, (li) => {
      const id = Number(li.getAttribute("data-sentence-id"));
      const who = li.querySelector(".sentence__who");
      if (!who) return;
      const here = bySentence.get(id) || [];
      let tags = li.querySelector(".sentence__tags");
      who.textContent = "";
      if (!here.length) {
        who.hidden = true;
        if (tags) tags.remove();
        li.classList.remove("sentence--others");
        li.style.removeProperty("--who-colour");
        return;
      }
      if (!tags) {
        tags = make("span", "sentence__tags");
        tags.setAttribute("aria-hidden", "true"); // the line under the sentence says it
        li.insertBefore(tags, li.firstChild);
      }
      tags.textContent = "";
      here.forEach((p, i) => {
        const tag = make("span", "sentence__tag", p.name);
        tag.style.setProperty("--who-colour", p.colour);
        tags.appendChild(tag);
        if (i) who.appendChild(document.createTextNode(i === here.length - 1 ? " and " : ", "));
        const name = make("span", "sentence__who-name", p.name);
        name.style.setProperty("--who-colour", p.colour);
        who.appendChild(name);
      });
      who.appendChild(document.createTextNode(here.length === 1 ? " is editing" : " are editing"));
      who.hidden = false;
      li.classList.add("sentence--others");
      li.style.setProperty("--who-colour", here[0].colour);
    });
  }
}

/** Start presence for a live section editor (static/js/editor.js). */
export function init(editor) {
  return new Presence(editor);
}
