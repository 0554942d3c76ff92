// Replay a scenario recorded by tests/sync/test_js_parity.py on the JavaScript model.
// Usage: node tests/js/parity.js scenario.json  ->  prints a JSON report on stdout.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const CodraftSync = require(path.join(__dirname, "../../static/js/sync-model.js"));

const { Model, toUnits, mergeTexts, mapOffset, mapCaret, makePatch } = CodraftSync;

function checkFunctions(cases) {
  const failures = [];
  cases.forEach((c, index) => {
    const got = {
      merged: mergeTexts(c.base, c.ours, c.theirs),
      mapped: mapOffset(c.base, c.ours, c.offset),
      caret: mapCaret(c.base, c.ours, toUnits(c.base, c.offset)),
      patch: makePatch(c.base, c.ours),
    };
    const want = {
      merged: c.merged,
      mapped: c.mapped,
      caret: toUnits(c.ours, c.mapped),
      patch: c.patch,
    };
    for (const key of Object.keys(want)) {
      if (got[key] !== want[key]) failures.push({ index, key, got: got[key], want: want[key] });
    }
  });
  return { checked: cases.length, failures: failures.slice(0, 10) };
}

function state(model, changes) {
  const seen = changes.splice(0);
  return {
    document: model.document().map((s) => [s.id, s.sentences.map((x) => [x.id, x.text])]),
    status: model
      .document()
      .flatMap((s) => s.sentences.map((x) => model.sentenceStatus(x.id))),
    sections: model.sections(),
    seq: model.seq,
    settled: model.isSettled(),
    resync: model.needsResync(),
    orphans: model.orphans.map((o) => [o.sentenceId, o.text]),
    refused: model.refused.map((r) => [r.request.event, r.ack.error.code]),
    changes: seen.map((c) => [
      c.kind,
      c.id === undefined ? null : c.id,
      c.sectionId === undefined ? null : c.sectionId,
      c.op ? c.op.seq : null,
    ]),
  };
}

function replay(trace) {
  const changes = [];
  const out = [];
  let model = null;
  for (const step of trace) {
    const a = step.args;
    let result = null;
    switch (step.call) {
      case "init":
        model = new Model(a[0], a[1], a[2], (change) => changes.push(change));
        break;
      case "edit":
        model.edit(a[0], a[1]);
        break;
      case "split": // Python gives a code point offset; the DOM gives UTF-16 carets
        result = model.split(a[0], toUnits(model.text(a[0]), a[1]));
        break;
      case "merge":
        result = model.merge(a[0]);
        break;
      case "delete":
        result = model.delete(a[0]);
        break;
      case "move":
        result = model.move(a[0], a[1]);
        break;
      case "insert":
        result = model.insert(a[0], a[1], a[2]);
        break;
      case "insert_section":
        result = model.insertSection(a[0], a[1]);
        break;
      case "delete_section":
        result = model.deleteSection(a[0]);
        break;
      case "move_section":
        result = model.moveSection(a[0], a[1]);
        break;
      case "pending":
        result = model.pending();
        break;
      case "connection_lost":
        model.connectionLost();
        break;
      case "rejoin_payload":
        result = model.rejoinPayload();
        break;
      case "receive_join":
        model.receiveJoin(a[0]);
        break;
      case "receive_ack":
        model.receiveAck(a[0], a[1]);
        break;
      case "receive_op":
        model.receiveOp(a[0]);
        break;
      default:
        throw new Error("unknown call " + step.call);
    }
    out.push({ result: result === undefined ? null : result, state: state(model, changes) });
  }
  return out;
}

const scenario = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
process.stdout.write(
  JSON.stringify({
    functions: checkFunctions(scenario.functions),
    traces: scenario.traces.map(replay),
  }),
);
