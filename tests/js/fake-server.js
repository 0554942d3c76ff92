// A small in-memory stand-in for the server's text editing, for tests/js/pending.test.js.
//
// It keeps every version of every sentence, applies a patch to the text it was made
// against and merges the result three ways with the current text (mergeTexts, the
// same merge server/sync/merge.py does), numbers ops with seq, and answers a request
// it has already done (same client id and ref) with the original ack, as
// docs/protocol.md says. Texts in these tests are ASCII, so diff-match-patch's UTF-16
// offsets are the server's code point offsets.
"use strict";

const path = require("node:path");
const CodraftSync = require(path.join(__dirname, "../../static/js/sync-model.js"));

globalThis.window = globalThis.window || globalThis;
require(path.join(__dirname, "../../static/vendor/diff_match_patch.js"));
const dmp = new globalThis.window.diff_match_patch();
dmp.Diff_Timeout = 0;

class FakeServer {
  constructor(texts) {
    this.seq = 0;
    this.ops = [];
    this.done = new Map(); // "client:ref" -> ack
    this.sentences = new Map();
    texts.forEach((text, i) => {
      this.sentences.set(i + 1, { id: i + 1, position: "a" + i, versions: [null, text] });
    });
  }

  text(id) {
    const s = this.sentences.get(id);
    return s.versions[s.versions.length - 1];
  }

  version(id) {
    return this.sentences.get(id).versions.length - 1;
  }

  snapshot() {
    const sentences = Array.from(this.sentences.values()).map((s) => ({
      id: s.id,
      text: this.text(s.id),
      version: this.version(s.id),
      position: s.position,
    }));
    return {
      ok: true,
      seq: this.seq,
      parts: [{ id: 1, title: "Part", position: "a0" }],
      sections: [{ id: 1, part_id: 1, position: "a0", title: "S", kind: "text",
                   status: "drafting", subgroup_id: 1, sentences }],
      me: { user_id: 1, name: "Tester", colour: "#000", sid: "x" },
      rights: { can_edit: [1], can_manage: false },
    };
  }

  /** Answer join_policy: the ops since `since` when given (or a snapshot if asked). */
  join(payload, wantSnapshot) {
    if (payload.since === undefined || wantSnapshot) return this.snapshot();
    return {
      ok: true,
      seq: this.seq,
      ops: this.ops.filter((op) => op.seq > payload.since),
      me: { user_id: 1, name: "Tester", colour: "#000", sid: "x" },
      rights: { can_edit: [1], can_manage: false },
    };
  }

  /** Do one edit_sentence; return [ack, op or null]. */
  edit(clientId, data) {
    const key = clientId + ":" + data.ref;
    if (this.done.has(key)) return [this.done.get(key), null];
    const s = this.sentences.get(data.id);
    const current = this.version(data.id);
    if (data.base_version > current) {
      return [{ ok: false, error: { code: "future_version", message: "newer" } }, null];
    }
    const base = s.versions[data.base_version];
    const [patched, applied] = dmp.patch_apply(dmp.patch_fromText(data.patch), base);
    if (!applied.every(Boolean)) throw new Error("a patch did not fit its own base text");
    const now = this.text(data.id);
    const text = data.base_version === current ? patched
      : CodraftSync.mergeTexts(base, patched, now);
    if (text === now) {
      const ack = { ok: true, seq: null };
      this.done.set(key, ack);
      return [ack, null];
    }
    s.versions.push(text);
    this.seq += 1;
    const op = {
      seq: this.seq, origin: clientId, ref: data.ref, section_id: 1, op: "edit",
      id: data.id, version: this.version(data.id), text,
      patch: dmp.patch_toText(dmp.patch_make(now, text)),
    };
    this.ops.push(op);
    const ack = { ok: true, seq: this.seq };
    this.done.set(key, ack);
    return [ack, op];
  }

  conflict(data) {
    return {
      ok: false,
      error: { code: "conflict", message: "someone changed it", id: data.id,
               version: this.version(data.id), text: this.text(data.id) },
    };
  }
}

module.exports = { FakeServer };
