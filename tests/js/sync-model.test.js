// Unit tests of static/js/sync-model.js: node --test tests/js/
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");
const vm = require("node:vm");

const CodraftSync = require(path.join(__dirname, "../../static/js/sync-model.js"));

const { Model, mergeTexts, mapCaret, mapOffset, makePatch, toCodePoints, toUnits } = CodraftSync;

function wellFormed(text) {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

// merge_texts

test("mergeTexts keeps both sides' insertions, theirs first", () => {
  assert.equal(mergeTexts("a c", "a B c", "a A c"), "a A B c");
});

test("mergeTexts keeps a word changed on one side and deleted on the other", () => {
  assert.equal(mergeTexts("one two three", "one twoX three", "one three"), "one twoX three");
  assert.equal(mergeTexts("one two three", "one three", "one twoX three"), "one twoX three");
});

test("mergeTexts merges one word changed on both sides character by character", () => {
  assert.equal(mergeTexts("a bu c", "a bud c", "a bug c"), "a bugd c");
  assert.equal(mergeTexts("a teh c", "a the c", "a the c"), "a the c");
  assert.equal(mergeTexts("a b c d", "a b X c d", "a B C d"), "a X B C d");
  assert.equal(mergeTexts("a b c d", "a b X c d", "a d"), "a X d");
});

test("mergeTexts never cuts a word a diff could align with a similar one", () => {
  const merged = mergeTexts("alpha <C10K1> beta", "alpha <C10K3> <C10K1> beta",
    "alpha <C11K1> <C10K1> beta");
  assert.equal(merged, "alpha <C11K1> <C10K3> <C10K1> beta");
});

test("mergeTexts takes words added at either end, or before the stop, as insertions", () => {
  assert.equal(mergeTexts("a b.", "a b. X", "a b. Y"), "a b. Y X");
  assert.equal(mergeTexts("a b.", "X a b.", "Y a b."), "Y X a b.");
  assert.equal(mergeTexts("One.", "One <A>.", "One <B>."), "One <B> <A>.");
});

test("mergeTexts deletes once what both deleted", () => {
  assert.equal(mergeTexts("one two three", "one three", "one three!"), "one three!");
});

test("mergeTexts keeps inserted words whole next to similar words", () => {
  const merged = mergeTexts("x <C1K2> y", "x <C10K5> <C1K2> y", "x <C1K23> <C1K2> y");
  assert.ok(merged.includes("<C10K5>"));
  assert.ok(merged.includes("<C1K23>"));
});

test("mergeTexts with one side unchanged is the other side", () => {
  assert.equal(mergeTexts("a 😀", "a 😀 b", "a 😀"), "a 😀 b");
  assert.equal(mergeTexts("a 😀", "a 😀", "🎉 a 😀"), "🎉 a 😀");
});

test("mergeTexts never cuts an emoji in half", () => {
  // 😀 and 😃 share their first UTF-16 unit: a unit-wise diff would split them.
  const cases = [
    ["😀", "😃", "😀!"],
    ["a😀b", "a😃b", "a😀😀b"],
    ["👩‍💻 x", "👩‍🔬 x", "👩‍💻 x y"],
    ["𝒳y", "𝒴y", "𝒳yz"],
    ["\uE000😀", "\uE000😃", "!\uE000😀"],
  ];
  for (const [base, ours, theirs] of cases) {
    const merged = mergeTexts(base, ours, theirs);
    assert.ok(wellFormed(merged), JSON.stringify(merged));
  }
  assert.equal(mergeTexts("😀", "😃", "😀!"), "😃!");
  // Both changed the one word: merged character by character.
  assert.equal(mergeTexts("\uE000😀", "\uE000😃", "!\uE000😀"), "!\uE000😃");
});

test("mergeTexts loses no insertion, emoji or not", () => {
  const base = "ab é😀 日本 x";
  for (let i = 0; i <= toCodePoints(base, base.length); i++) {
    for (let j = 0; j <= toCodePoints(base, base.length); j += 3) {
      const ours = base.slice(0, toUnits(base, i)) + "<O😀>" + base.slice(toUnits(base, i));
      const theirs = base.slice(0, toUnits(base, j)) + "<T🙂>" + base.slice(toUnits(base, j));
      const merged = mergeTexts(base, ours, theirs);
      assert.equal(merged.replace("<O😀>", "").replace("<T🙂>", ""), base);
      assert.equal(merged.split("<O😀>").length, 2, merged);
      assert.equal(merged.split("<T🙂>").length, 2, merged);
    }
  }
});

// Offsets

test("code point and UTF-16 offsets convert both ways", () => {
  const text = "a😀b👩‍💻c";
  assert.equal(toCodePoints(text, 0), 0);
  assert.equal(toCodePoints(text, 1), 1);
  assert.equal(toCodePoints(text, 3), 2);
  assert.equal(toCodePoints(text, 4), 3);
  assert.equal(toCodePoints(text, text.length), 7);
  assert.equal(toUnits(text, 2), 3);
  assert.equal(toUnits(text, 7), text.length);
  assert.equal(toUnits(text, 99), text.length);
});

test("mapOffset counts code points, as Python does", () => {
  assert.equal(mapOffset("ab cd", "ab 😀 cd", 3), 5);
  assert.equal(mapOffset("😀 cd", "😀 x cd", 2), 4);
});

test("mapCaret keeps the caret in place when text arrives before it", () => {
  assert.equal(mapCaret("ab cd", "ab 😀 cd", 3), 6);
  assert.equal(mapCaret("ab cd", "😀 ab cd", 5), 8);
  assert.equal(mapCaret("ab cd", "ab cd 😀", 2), 2);
});

test("mapCaret works after emoji and when emoji arrive", () => {
  const old = "😀 hello 👩‍💻 world";
  const caret = old.indexOf("world");
  const updated = "🎉 😀 hello 👩‍💻 big world";
  assert.equal(mapCaret(old, updated, caret), updated.indexOf("world")); // after what arrived there
  assert.equal(mapCaret(old, updated, old.length), updated.length);
  assert.equal(mapCaret("😀😀", "😀😃😀", 2), 4); // never inside a surrogate pair
});

test("mapCaret in unchanged text is the identity", () => {
  assert.equal(mapCaret("😀 a", "😀 a", 2), 2);
});

// Patches

test("makePatch counts code points and never splits a surrogate pair", () => {
  assert.equal(makePatch("😀", "😃"), "@@ -1 +1 @@\n-%F0%9F%98%80\n+%F0%9F%98%83\n");
  assert.equal(makePatch("ab 😀 cd", "ab 😀😃 cd"), "@@ -1,7 +1,8 @@\n ab %F0%9F%98%80\n+%F0%9F%98%83\n  cd\n");
});

// The model

function snapshot(seq, sentences) {
  return {
    ok: true,
    seq: seq,
    parts: [{ id: 1, title: "Part", position: "a0" }],
    sections: [
      { id: 10, part_id: 1, position: "a0", title: "S", kind: "text", subgroup_id: 1, sentences },
    ],
  };
}

function sentence(id, text, version = 1, position = "a" + id) {
  return { id, text, version, position };
}

function editOp(seq, id, text, version, origin = null, ref = null) {
  return { seq, origin, ref, section_id: 10, op: "edit", id, version, text, patch: "" };
}

test("a model is built from a join snapshot", () => {
  const model = new Model(7, "me", snapshot(3, [sentence(2, "Two."), sentence(1, "One.")]));
  assert.deepEqual(model.document(), [
    { id: 10, sentences: [{ id: 1, text: "One." }, { id: 2, text: "Two." }] },
  ]);
  assert.equal(model.seq, 3);
  assert.ok(model.isSettled());
  assert.deepEqual(model.rejoinPayload(), { policy_id: 7, client_id: "me", since: 3 });
  assert.throws(() => new Model(7, "me", { ok: true, seq: 3, ops: [] }));
});

test("an edit is sent once, with a ref, and ends when its own op arrives", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "alpha")]));
  model.edit(1, "alpha beta");
  const [request] = model.pending();
  assert.equal(request.event, "edit_sentence");
  assert.deepEqual(Object.keys(request.data), ["ref", "id", "base_version", "patch"]);
  assert.deepEqual(model.pending(), []);
  model.edit(1, "alpha beta gamma");

  model.receiveAck(request, { ok: true, seq: 1 });
  assert.ok(model.needsResync());
  assert.deepEqual(model.sentenceStatus(1), { version: 1, saved: false, sending: true, held: false });
  model.receiveOp(editOp(1, 1, "alpha beta", 2, "me", request.data.ref));

  assert.equal(model.text(1), "alpha beta gamma");
  assert.ok(!model.needsResync());
  const [second] = model.pending();
  assert.equal(second.data.base_version, 2);
  assert.ok(second.data.ref > request.data.ref);
});

test("ops are applied in seq order, duplicates ignored", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "a")]));
  model.receiveOp(editOp(2, 1, "a b c", 3));
  assert.equal(model.text(1), "a");
  assert.ok(model.needsResync());
  model.receiveOp(editOp(1, 1, "a b", 2));
  model.receiveOp(editOp(1, 1, "a b", 2));
  assert.equal(model.text(1), "a b c");
  assert.equal(model.seq, 2);
  assert.ok(!model.needsResync());
});

test("a conflict waits for the version it named, then resends", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "alpha beta")]));
  model.edit(1, "alpha <A> beta");
  const [request] = model.pending();
  model.receiveAck(request, {
    ok: false,
    error: { code: "conflict", message: "changed", id: 1, version: 2, text: "alpha <B> beta" },
  });
  assert.deepEqual(model.pending(), []);
  model.receiveOp(editOp(1, 1, "alpha <B> beta", 2, "other", 4));
  const [retry] = model.pending();
  assert.equal(retry.data.base_version, 2);
  assert.equal(model.text(1), "alpha <B> <A> beta");
  assert.deepEqual(model.refused, []);
});

test("split sends a code point offset for a UTF-16 caret", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "😀 alpha beta")]));
  const caret = "😀 alpha ".length;
  const request = model.split(1, caret);
  assert.deepEqual(request.data, { ref: 1, id: 1, base_version: 1, offset: 8 });
});

test("a split op cuts unsent typing where the server cut, emoji included", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "😀 alpha beta")]));
  model.edit(1, "😀 alpha beta 🎉");
  model.receiveOp({
    seq: 1,
    origin: null,
    ref: null,
    section_id: 10,
    op: "split",
    sentence: sentence(1, "😀 alpha ", 2, "a1"),
    new: sentence(2, "beta", 1, "a2"),
  });
  assert.deepEqual(model.sentences(10), [
    { id: 1, text: "😀 alpha " },
    { id: 2, text: "beta 🎉" },
  ]);
});

test("onChange names what to re-render and the op that caused it", () => {
  const seen = [];
  const model = new Model(7, "me", snapshot(0, [sentence(1, "One.")]), (c) => seen.push(c));
  assert.deepEqual(seen.map((c) => c.kind), ["policy"]);
  const insert = model.insert(10, "Two.", { after: 1 });
  const op = {
    seq: 1,
    origin: "me",
    ref: insert.data.ref,
    section_id: 10,
    op: "insert",
    sentence: sentence(2, "Two.", 1, "a5"),
  };
  model.receiveOp(op);
  model.receiveOp(editOp(2, 1, "One!", 2));
  assert.deepEqual(seen.slice(1), [
    { kind: "section", id: 10, op },
    { kind: "sentence", id: 1, sectionId: 10, op: editOp(2, 1, "One!", 2) },
  ]);
});

test("section ops add, move and delete sections; typing in a deleted one is an orphan", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "One.")]));
  model.receiveOp({
    seq: 1,
    origin: null,
    ref: null,
    section_id: 11,
    op: "section_insert",
    section: {
      id: 11,
      part_id: 1,
      position: "Zz",
      title: "First",
      kind: "text",
      subgroup_id: 1,
      sentences: [sentence(5, "Five.")],
    },
  });
  assert.deepEqual(model.sections().map((s) => s.id), [11, 10]);
  model.receiveOp({ seq: 2, origin: null, ref: null, section_id: 11, op: "section_move", id: 11, position: "b0" });
  assert.deepEqual(model.sections().map((s) => s.id), [10, 11]);
  model.edit(5, "Five, typed.");
  model.receiveOp({ seq: 3, origin: null, ref: null, section_id: 11, op: "section_delete", id: 11 });
  assert.deepEqual(model.document(), [{ id: 10, sentences: [{ id: 1, text: "One." }] }]);
  assert.deepEqual(model.orphans, [{ sentenceId: 5, text: "Five, typed.", by: null }]);
});

test("a rejoin replays ops, recognises its own, and resends what never committed", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "one"), sentence(2, "two")]));
  model.edit(1, "one A");
  model.edit(2, "two B");
  const [committed, lost] = model.pending();
  model.connectionLost();
  model.edit(1, "one A more");
  assert.deepEqual(model.pending(), []);

  model.receiveJoin({
    ok: true,
    seq: 1,
    ops: [editOp(1, 1, "one A", 2, "me", committed.data.ref)],
  });

  const again = model.pending();
  assert.deepEqual(
    again.map((r) => [r.data.id, r.data.base_version]),
    [
      [1, 2],
      [2, 1],
    ],
  );
  assert.ok(again[1].data.ref > lost.data.ref);
  assert.equal(model.text(1), "one A more");
});

test("a snapshot after a long absence keeps unsent typing", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "One."), sentence(2, "Two.")]));
  model.connectionLost();
  model.edit(1, "One. Typed.");
  model.edit(2, "Two, typed.");
  model.receiveJoin(snapshot(9, [sentence(1, "Yes. One.", 3)]));
  assert.equal(model.text(1), "Yes. One. Typed.");
  assert.deepEqual(model.orphans, [{ sentenceId: 2, text: "Two, typed.", by: null }]);
  assert.equal(model.seq, 9);
  assert.equal(model.pending().length, 1);
});

test("edit replaces unpaired surrogates so the patch can always be sent", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "a")]));
  model.edit(1, "a\uD83D");
  assert.equal(model.text(1), "a\uFFFD");
  assert.equal(model.pending().length, 1);
});

test("in a browser it is window.CodraftSync, using window.diff_match_patch", () => {
  const window = {};
  window.window = window;
  vm.createContext(window);
  for (const file of ["static/vendor/diff_match_patch.js", "static/js/sync-model.js"]) {
    vm.runInContext(fs.readFileSync(path.join(__dirname, "../..", file), "utf8"), window);
  }
  const browser = window.CodraftSync;
  assert.equal(browser.mergeTexts("a c", "a B c", "a A c"), "a A B c");
  assert.equal(browser.makePatch("😀", "😃"), makePatch("😀", "😃"));
  assert.notEqual(browser, CodraftSync);
});

test("typing in a sentence someone deletes is kept, with who deleted it", () => {
  const model = new Model(7, "me", snapshot(0, [sentence(1, "One."), sentence(2, "Two.")]));
  model.edit(2, "Two more.");
  model.receiveOp({ seq: 1, origin: "them", ref: 4, by: 9, section_id: 10, op: "delete", id: 2 });
  assert.deepEqual(model.orphans, [{ sentenceId: 2, text: "Two more.", by: 9 }]);
});
