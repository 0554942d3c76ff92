// Unit tests of static/js/pending.js with a fake socket and tests/js/fake-server.js.
// Run by tests/sync/test_js_model.py (node --test tests/js/).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const fs = require("node:fs");
const path = require("node:path");

const CodraftSync = require(path.join(__dirname, "../../static/js/sync-model.js"));
const { FakeServer } = require(path.join(__dirname, "fake-server.js"));

// pending.js is a browser ES module with no imports: load it as one.
const source = fs.readFileSync(path.join(__dirname, "../../static/js/pending.js"), "utf8");
const loaded = import("data:text/javascript;base64," + Buffer.from(source).toString("base64"));

/** A seeded generator (mulberry32): the same seed, the same run. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A fake clock: later() queues, advance() runs what is due. */
class Clock {
  constructor() {
    this.t = 1000;
    this.timers = [];
  }
  now() {
    return this.t;
  }
  later(fn, ms) {
    this.timers.push({ at: this.t + ms, fn });
  }
  advance(ms) {
    this.t += ms;
    const due = this.timers.filter((x) => x.at <= this.t);
    this.timers = this.timers.filter((x) => x.at > this.t);
    due.forEach((x) => x.fn());
  }
}

/**
 * One page: a Pending, its fake socket (two queues of messages in order), and the
 * words it typed. The server side of the socket may refuse (rate limit, busy,
 * conflict) or lose an ack, at random.
 */
class Page {
  constructor(Pending, name, server, clock, rng, chances) {
    this.name = name;
    this.server = server;
    this.clock = clock;
    this.rng = rng;
    this.chances = chances;
    this.up = []; // [event, data, ack] to the server
    this.down = []; // functions delivering to the page
    this.connected = false;
    this.words = 0;
    this.alive = new Set(); // the words this page typed and did not delete
    this.acked = []; // {seq, ref}: edits the server confirmed
    this.pending = new Pending({
      emit: (event, data, ack) => {
        if (this.connected) this.up.push([event, data, ack]);
      },
      createModel: (reply) => new CodraftSync.Model(1, name, reply),
      now: () => clock.now(),
      later: (fn, ms) => clock.later(fn, ms),
    });
  }

  connect() {
    this.connected = true;
    const payload = this.pending.joinPayload(1, this.name);
    this.up.push(["join_policy", payload, (reply) => this.pending.joined(reply)]);
  }

  drop() {
    this.connected = false;
    this.up = [];
    this.down = [];
    this.pending.lost();
  }

  /** The server reads one message from this page. */
  serveOne(pages) {
    const [event, data, ack] = this.up.shift();
    if (event === "join_policy") {
      // A snapshot instead of a replay (the server no longer has the ops) only while
      // nothing of this page's is unanswered: a snapshot cannot say which words came
      // from an edit whose op was never seen (server/sync/client.py is the same).
      const model = this.pending.model;
      const unanswered = model && [1, 2, 3].some((id) => model.sentenceStatus(id).sending);
      const reply = this.server.join(data, !unanswered && this.rng() < 0.2);
      this.down.push(() => ack(reply));
      return;
    }
    const roll = this.rng();
    const c = this.chances;
    if (roll < c.rateLimited) {
      this.down.push(() => ack({ ok: false, error: { code: "rate_limited", message: "slow" } }));
      return;
    }
    if (roll < c.rateLimited + c.busy) {
      this.down.push(() => ack({ ok: false, error: { code: "busy", message: "later" } }));
      return;
    }
    if (roll < c.rateLimited + c.busy + c.conflict) {
      const answer = this.server.conflict(data);
      this.down.push(() => ack(answer));
      return;
    }
    const [answer, op] = this.server.edit(this.name, data);
    if (answer.ok && answer.seq !== null) this.acked.push({ seq: answer.seq, ref: data.ref });
    if (this.rng() >= c.lostAck) this.down.push(() => ack(answer));
    if (op) {
      for (const page of pages) {
        if (page.connected) page.down.push(() => page.pending.receiveOp(op));
      }
    }
  }

  /** The user types: a new word somewhere, deletes one of their own, or a space. */
  type() {
    const model = this.pending.model;
    if (!model) return;
    const id = 1 + Math.floor(this.rng() * 3);
    // Like a person typing: a space typed at the end is followed by the next word.
    const text = model.text(id).trim().split(/ +/).join(" ");
    const roll = this.rng();
    let next;
    if (roll < 0.25 && this.alive.size) {
      const mine = text.split(" ").filter((w) => this.alive.has(w));
      if (!mine.length) return;
      const word = mine[Math.floor(this.rng() * mine.length)];
      this.alive.delete(word);
      next = text.split(" ").filter((w) => w !== word).join(" ");
    } else if (roll < 0.35) {
      next = model.text(id) + " "; // a space alone is never sent
    } else {
      // A new word, unlike the others (the merge compares similar words letter by letter).
      let word = "";
      for (let i = 0; i < 7; i++) word += "bcdfghjklmnpqrstvwxz"[Math.floor(this.rng() * 20)];
      this.words += 1;
      this.alive.add(word);
      const parts = text.split(" ");
      const at = Math.floor(this.rng() * (parts.length + 1));
      parts.splice(at, 0, word);
      next = parts.join(" ");
    }
    model.edit(id, next);
  }
}

const CHANCES = { rateLimited: 0.05, busy: 0.05, conflict: 0.08, lostAck: 0.03 };
const START = ["One two three.", "Four five.", "Six."];

function words(text) {
  return text.split(/\s+/).filter(Boolean);
}

function run(Pending, seed) {
  const rng = random(seed);
  const clock = new Clock();
  const server = new FakeServer(START);
  const pages = ["a", "b", "c"].map((n) => new Page(Pending, "p" + seed + n, server, clock, rng,
    CHANCES));
  pages.forEach((p) => p.connect());
  for (let step = 0; step < 200; step++) {
    const page = pages[Math.floor(rng() * pages.length)];
    const roll = rng();
    if (roll < 0.3) page.type();
    else if (roll < 0.45) page.pending.flush();
    else if (roll < 0.65 && page.up.length) page.serveOne(pages);
    else if (roll < 0.85 && page.down.length) page.down.shift()();
    else if (roll < 0.88 && page.connected) page.drop();
    else if (roll < 0.93 && !page.connected) page.connect();
    else clock.advance(Math.floor(rng() * 4000));
    for (const p of pages) {
      if (p.pending.check() === "stuck" && p.connected) {
        p.drop();
        p.connect();
      }
    }
  }
  // Then the network heals: everyone reconnects and the queues run dry.
  const calm = { rateLimited: 0, busy: 0, conflict: 0, lostAck: 0 };
  pages.forEach((p) => {
    p.chances = calm;
    if (!p.connected) p.connect();
  });
  for (let round = 0; round < 500; round++) {
    let moved = false;
    for (const p of pages) {
      if (p.pending.flush()) moved = true;
      while (p.up.length) {
        p.serveOne(pages);
        moved = true;
      }
      while (p.down.length) {
        p.down.shift()();
        moved = true;
      }
      if (p.pending.check() === "stuck") {
        p.drop();
        p.connect();
        moved = true;
      }
    }
    if (!moved && pages.every((p) => p.pending.model.isSettled() && !p.pending.waiting())) break;
    clock.advance(1000);
  }
  return { server, pages };
}

test("1,000 seeded histories of edits, acks, refusals and drops converge, losing nothing", async () => {
  const { Pending } = await loaded;
  const merged = [];
  for (let seed = 1; seed <= 1000; seed++) {
    const { server, pages } = run(Pending, seed);
    const expected = START.flatMap(words);
    pages.forEach((p) => expected.push(...p.alive));
    const got = [1, 2, 3].flatMap((id) => words(server.text(id)));
    // As many words as typed and kept, and the same ones, except where a word one page
    // deleted and one another typed at the same spot met in the same merge: the server
    // then keeps both people's letters (docs/protocol.md, "two people changing the same
    // word both keep their version"); that happens in about one history in a thousand.
    assert.equal(got.length, expected.length, `seed ${seed}: a word was lost or doubled`);
    if (got.slice().sort().join(" ") !== expected.slice().sort().join(" ")) merged.push(seed);
    for (const p of pages) {
      const model = p.pending.model;
      assert.ok(model.isSettled(), `seed ${seed}: ${p.name} has unsent typing`);
      assert.equal(model.seq, server.seq, `seed ${seed}: ${p.name} missed ops`);
      for (const id of [1, 2, 3]) {
        assert.ok(CodraftSync.sameWords(model.text(id), server.text(id)),
          `seed ${seed}: ${p.name} sentence ${id}: ${model.text(id)} / ${server.text(id)}`);
      }
      for (const { seq, ref } of p.acked) {
        const op = server.ops[seq - 1];
        assert.ok(op.origin === p.name && op.ref === ref, `seed ${seed}: ack ${seq} not kept`);
      }
    }
  }
  assert.ok(merged.length <= 3, `letters of words merged in seeds ${merged}`);
});

/** One page, joined: the join request served and its reply taken. */
async function joinedPage(name) {
  const { Pending } = await loaded;
  const clock = new Clock();
  const page = new Page(Pending, name, new FakeServer(START), clock, random(7), CHANCES);
  page.connect();
  page.serveOne([page]);
  page.down.shift()();
  return { page, clock };
}

test("a busy or rate-limited edit is sent again after a second, with a new ref", async () => {
  const { RETRY_MS } = await loaded;
  const { page, clock } = await joinedPage("solo");
  page.pending.model.edit(1, "One two three. Four.");
  page.pending.flush();
  const [, first, ack] = page.up.shift();
  ack({ ok: false, error: { code: "rate_limited", message: "slow" } });
  assert.equal(page.up.length, 0);
  clock.advance(RETRY_MS);
  assert.equal(page.up.length, 1, "sent again after the pause");
  assert.notEqual(page.up[0][1].ref, first.ref);
});

test("a space typed alone is never sent and counts as saved", async () => {
  const { page } = await joinedPage("spaces");
  page.pending.model.edit(2, " Four five. ");
  assert.equal(page.pending.flush(), 0);
  assert.ok(page.pending.model.isSettled());
  assert.ok(page.pending.model.sentenceStatus(2).saved);
});

test("an ack that never comes makes check() say stuck; late acks of a dropped socket are ignored", async () => {
  const { ACK_TIMEOUT_MS } = await loaded;
  const { page, clock } = await joinedPage("slow");
  page.pending.model.edit(3, "Six. Seven.");
  page.pending.flush();
  const [, , ack] = page.up.shift();
  clock.advance(ACK_TIMEOUT_MS + 1);
  assert.equal(page.pending.check(), "stuck");
  page.drop();
  ack({ ok: true, seq: 99 }); // from the old socket: ignored
  assert.equal(page.pending.model.seq, 0);
  page.connect();
  page.serveOne([page]);
  page.down.shift()();
  assert.equal(page.up.length, 1, "the typing is sent again after the rejoin");
});

test("pending.js touches no DOM, no socket and imports nothing", () => {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  for (const word of ["document", "window", "io(", "import ", "require("]) {
    assert.ok(!code.includes(word), `pending.js uses ${word}`);
  }
});
