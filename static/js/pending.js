/*
 * Pending changes and their acknowledgements, for one page's view of a policy.
 *
 * No DOM and no socket: the page gives an emit function (event, data, ack) and
 * a clock, so tests/js/pending.test.js drives this with a fake socket and a fake
 * server. The sync model (static/js/sync-model.js) decides what to send; this
 * decides when, and what to do when the answer does not come:
 * - flush(): send what the model has pending, while joined;
 * - an ack of `busy` or `rate_limited` sends again after RETRY_MS;
 * - a `conflict` leaves the model waiting for the version it named: the op
 *   stream brings it and the next flush() sends again;
 * - lost(): the socket dropped; acks on their way are forgotten (a late one from
 *   the old socket is ignored) and nothing is sent until joined() again;
 * - joined(reply): the first reply builds the model, a later one replays what
 *   was missed; unsent typing then goes out again against the fresh text;
 * - check(): called every second; says "stuck" when an ack is overdue
 *   (ACK_TIMEOUT_MS) or the op stream owes something for RESYNC_AFTER_MS: the
 *   page then reconnects, and the rejoin resends (the server does a request
 *   once per client id and ref, so a resend is safe).
 */

export const RETRY_MS = 1000;
export const ACK_TIMEOUT_MS = 15000;
export const RESYNC_AFTER_MS = 3000;

const NO_ANSWER = { ok: false, error: { code: "busy", message: "No answer." } };
const TRANSIENT = new Set(["busy", "rate_limited"]);

export class Pending {
  /**
   * options.emit(event, data, ack): send one request (the connection).
   * options.createModel(reply): build the sync model from the first join reply.
   * options.apply(fn): run fn, which changes the model; the page re-renders around it.
   * options.now(), options.later(fn, ms): the clock (Date.now and setTimeout by default).
   */
  constructor(options) {
    this.emit = options.emit;
    this.createModel = options.createModel;
    this.apply = options.apply || ((fn) => fn());
    this.now = options.now || (() => Date.now());
    this.later = options.later || ((fn, ms) => setTimeout(fn, ms));
    this.model = null;
    this.online = false;
    this.epoch = 0; // bumps on every drop: acks from an older socket are ignored
    this.inflight = new Map(); // key -> time sent
    this.key = 0;
    this.early = []; // ops that came before the first join reply
    this.resyncSince = 0;
    this.retrying = false;
  }

  /** The join_policy payload: a snapshot the first time, what was missed after. */
  joinPayload(policyId, clientId) {
    return this.model
      ? this.model.rejoinPayload()
      : { policy_id: policyId, client_id: clientId };
  }

  /** Take a successful join reply: build or catch up the model, then send what waits. */
  joined(reply) {
    this.apply(() => {
      if (!this.model) {
        this.model = this.createModel(reply);
        this.model.quietWhitespace = true;
        for (const op of this.early) this.model.receiveOp(op); // older ones are ignored
        this.early = [];
      } else {
        this.model.receiveJoin(reply);
      }
    });
    this.online = true;
    this.resyncSince = 0;
    this.flush();
  }

  /** An op from the stream. */
  receiveOp(op) {
    if (!this.model) {
      this.early.push(op);
      return;
    }
    this.apply(() => this.model.receiveOp(op));
  }

  /** The connection dropped: forget what is on its way; keep what is typed. */
  lost() {
    this.epoch += 1;
    this.online = false;
    this.inflight.clear();
    if (this.model) this.model.connectionLost();
  }

  /** Emit one request; its ack goes to the model, then to then(ack) if given. */
  send(request, then) {
    if (!this.online) return false;
    const epoch = this.epoch;
    const key = ++this.key;
    this.inflight.set(key, this.now());
    this.emit(request.event, request.data, (answer) => {
      this.inflight.delete(key);
      if (epoch !== this.epoch) return;
      const ack = answer || NO_ANSWER;
      this.apply(() => this.model.receiveAck(request, ack));
      if (then) then(ack);
      if (!ack.ok && ack.error && TRANSIENT.has(ack.error.code)) this.retrySoon();
    });
    return true;
  }

  retrySoon() {
    if (this.retrying) return;
    this.retrying = true;
    this.later(() => {
      this.retrying = false;
      this.flush();
    }, RETRY_MS);
  }

  /** Send every edit the model has ready (at most one in flight per sentence). */
  flush() {
    if (!this.model || !this.online) return 0;
    const requests = this.model.pending();
    for (const request of requests) this.send(request);
    return requests.length;
  }

  /** Say whether any request is waiting for its ack. */
  waiting() {
    return this.inflight.size > 0;
  }

  /** Every second: "stuck" if an ack is overdue or the stream owes us too long, else "". */
  check() {
    if (!this.online || !this.model) {
      this.resyncSince = 0;
      return "";
    }
    const now = this.now();
    let stuck = false;
    for (const at of this.inflight.values()) {
      if (now - at > ACK_TIMEOUT_MS) stuck = true;
    }
    if (this.model.needsResync()) {
      if (!this.resyncSince) this.resyncSince = now;
      if (now - this.resyncSince > RESYNC_AFTER_MS) stuck = true;
    } else {
      this.resyncSince = 0;
    }
    if (stuck) this.resyncSince = 0;
    return stuck ? "stuck" : "";
  }
}

/** Make the page's pending-changes keeper (see Pending). */
export function init(options) {
  return new Pending(options);
}
