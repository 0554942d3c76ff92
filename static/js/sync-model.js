/*
 * Codraft sync model: one browser's view of a policy over the op stream.
 *
 * A line-by-line port of server/sync/client.py (read its docstring for the
 * protocol); tests/sync/test_js_parity.py feeds both the same seeded histories
 * and expects the same results. No DOM and no socket: the editor calls in with
 * what the user did and what the server said, emits what pending() returns,
 * and re-renders what onChange names.
 *
 * Offsets. Python counts code points, JavaScript strings count UTF-16 units.
 * Every diff here runs on an encoding of the texts in which each code point is
 * one unit (astral characters are swapped for private-use characters absent
 * from the texts), so diffs, merges, patch offsets and split offsets are the
 * same numbers Python computes, and no diff ever cuts an emoji in half. The
 * public API takes and gives carets in UTF-16 units, as the DOM does.
 *
 * diff-match-patch's semantic cleanup scores word boundaries with ASCII-only
 * classes in JavaScript and Unicode ones in Python; this file carries its own
 * copy of diff_cleanupSemanticLossless with Python's classes, so both pick the
 * same boundaries (characters added to Unicode after Python's version aside).
 *
 * Browser: load static/vendor/diff_match_patch.js first; this sets
 * window.CodraftSync. Node: require() it (it loads the vendored library).
 */
(function () {
  "use strict";

  var root = typeof window !== "undefined" ? window : globalThis;
  var DIFF_DELETE = -1;
  var DIFF_INSERT = 1;
  var DIFF_EQUAL = 0;
  // Refusals that say nothing about the edit itself: send it again later.
  var TRANSIENT = { busy: true, rate_limited: true };
  // Refusals that mean the sentence no longer exists: its removal is on its way.
  var GONE = { gone: true, not_found: true };
  // Refusals that mean this client's view of the policy is off: rejoin.
  var RESYNC = { not_joined: true, future_version: true };

  var dmp = null;

  function engine() {
    if (dmp === null) {
      if (!root.diff_match_patch && typeof require === "function") {
        globalThis.window = globalThis.window || globalThis;
        require("../vendor/diff_match_patch.js");
        root = globalThis.window;
      }
      dmp = new root.diff_match_patch();
      // No time limit: minimal diffs, and results independent of machine speed.
      dmp.Diff_Timeout = 0;
    }
    return dmp;
  }

  // Code points.

  var SURROGATE = /[\uD800-\uDFFF]/;

  /** Replace unpaired surrogates, which no server could store, with U+FFFD. */
  function wellFormed(text) {
    if (!SURROGATE.test(text)) return text;
    var out = [];
    for (var ch of text) {
      var c = ch.charCodeAt(0);
      out.push(ch.length === 1 && c >= 0xd800 && c <= 0xdfff ? "\uFFFD" : ch);
    }
    return out.join("");
  }

  /** Return how many code points the first `units` UTF-16 units of text hold. */
  function toCodePoints(text, units) {
    var count = 0;
    for (var i = 0; i < units && i < text.length; i++) {
      var c = text.charCodeAt(i);
      if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && i + 1 < units) {
        var d = text.charCodeAt(i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) i++;
      }
      count++;
    }
    return count;
  }

  /** Return the UTF-16 offset of the code point offset `points` in text. */
  function toUnits(text, points) {
    var i = 0;
    for (var n = 0; n < points && i < text.length; n++) {
      var c = text.charCodeAt(i);
      var d = text.charCodeAt(i + 1);
      i += c >= 0xd800 && c <= 0xdbff && d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
    }
    return i;
  }

  function codePointLength(text) {
    return toCodePoints(text, text.length);
  }

  /** Slice text by code point offsets, like Python's text[start:end]. */
  function cpSlice(text, start, end) {
    var from = toUnits(text, start);
    return end === undefined ? text.slice(from) : text.slice(from, toUnits(text, end));
  }

  /**
   * A one-unit-per-code-point encoding shared by a few texts.
   *
   * Each astral character becomes a BMP character that none of the texts
   * contains (private use first), so diffs see one unit per code point.
   */
  function Codec(texts) {
    this.identity = !texts.some(function (t) {
      return SURROGATE.test(t);
    });
    if (this.identity) return;
    this.used = new Set();
    for (var i = 0; i < texts.length; i++) {
      for (var j = 0; j < texts[i].length; j++) this.used.add(texts[i].charCodeAt(j));
    }
    this.toChar = new Map();
    this.fromChar = new Map();
    this.next = 0xe000;
  }

  Codec.prototype.encode = function (text) {
    if (this.identity) return text;
    var out = [];
    for (var ch of text) out.push(ch.length === 1 ? ch : this.substitute(ch));
    return out.join("");
  };

  Codec.prototype.substitute = function (ch) {
    var found = this.toChar.get(ch);
    if (found !== undefined) return found;
    while (this.used.has(this.next) || (this.next >= 0xd800 && this.next <= 0xdfff)) {
      this.next = this.next === 0xf8ff ? 0x0100 : this.next + 1;
      if (this.next === 0xe000) throw new Error("too many distinct characters to diff");
    }
    found = String.fromCharCode(this.next);
    this.used.add(this.next);
    this.toChar.set(ch, found);
    this.fromChar.set(found, ch);
    return found;
  };

  Codec.prototype.decode = function (text) {
    if (this.identity) return text;
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var original = this.fromChar.get(text[i]);
      out.push(original === undefined ? text[i] : original);
    }
    return out.join("");
  };

  Codec.prototype.original = function (ch) {
    if (this.identity) return ch;
    var original = this.fromChar.get(ch);
    return original === undefined ? ch : original;
  };

  // Diffs (on encoded texts: one unit per code point).

  /** Diff, sliding each edit to word boundaries so an inserted word stays whole. */
  function diffEncoded(before, after, codec) {
    var diffs = engine().diff_main(before, after);
    cleanupSemanticLossless(diffs, codec);
    return diffs;
  }

  // Python's str.isalnum() and str.isspace(), for the boundary scores.
  var ALNUM = /^[\p{L}\p{N}]$/u;
  var SPACE = /^[\t\n\v\f\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]$/;
  var BLANKLINE_END = /\n\r?\n$/;
  var BLANKLINE_START = /^\r?\n\r?\n/;

  /** diff-match-patch's diff_cleanupSemanticLossless, scoring as its Python port does. */
  function cleanupSemanticLossless(diffs, codec) {
    function score(one, two) {
      if (!one || !two) return 6;
      var char1 = codec.original(one.charAt(one.length - 1));
      var char2 = codec.original(two.charAt(0));
      var nonAlphaNumeric1 = !ALNUM.test(char1);
      var nonAlphaNumeric2 = !ALNUM.test(char2);
      var whitespace1 = nonAlphaNumeric1 && SPACE.test(char1);
      var whitespace2 = nonAlphaNumeric2 && SPACE.test(char2);
      var lineBreak1 = whitespace1 && (char1 === "\r" || char1 === "\n");
      var lineBreak2 = whitespace2 && (char2 === "\r" || char2 === "\n");
      var blankLine1 = lineBreak1 && BLANKLINE_END.test(one);
      var blankLine2 = lineBreak2 && BLANKLINE_START.test(two);
      if (blankLine1 || blankLine2) return 5;
      if (lineBreak1 || lineBreak2) return 4;
      if (nonAlphaNumeric1 && !whitespace1 && whitespace2) return 3;
      if (whitespace1 || whitespace2) return 2;
      if (nonAlphaNumeric1 || nonAlphaNumeric2) return 1;
      return 0;
    }

    var d = engine();
    var pointer = 1;
    while (pointer < diffs.length - 1) {
      if (diffs[pointer - 1][0] === DIFF_EQUAL && diffs[pointer + 1][0] === DIFF_EQUAL) {
        var equality1 = diffs[pointer - 1][1];
        var edit = diffs[pointer][1];
        var equality2 = diffs[pointer + 1][1];
        var commonOffset = d.diff_commonSuffix(equality1, edit);
        if (commonOffset) {
          var commonString = edit.substring(edit.length - commonOffset);
          equality1 = equality1.substring(0, equality1.length - commonOffset);
          edit = commonString + edit.substring(0, edit.length - commonOffset);
          equality2 = commonString + equality2;
        }
        var bestEquality1 = equality1;
        var bestEdit = edit;
        var bestEquality2 = equality2;
        var bestScore = score(equality1, edit) + score(edit, equality2);
        while (edit && equality2 && edit.charAt(0) === equality2.charAt(0)) {
          equality1 += edit.charAt(0);
          edit = edit.substring(1) + equality2.charAt(0);
          equality2 = equality2.substring(1);
          var s = score(equality1, edit) + score(edit, equality2);
          if (s >= bestScore) {
            bestScore = s;
            bestEquality1 = equality1;
            bestEdit = edit;
            bestEquality2 = equality2;
          }
        }
        if (diffs[pointer - 1][1] !== bestEquality1) {
          if (bestEquality1) {
            diffs[pointer - 1][1] = bestEquality1;
          } else {
            diffs.splice(pointer - 1, 1);
            pointer--;
          }
          diffs[pointer][1] = bestEdit;
          if (bestEquality2) {
            diffs[pointer + 1][1] = bestEquality2;
          } else {
            diffs.splice(pointer + 1, 1);
            pointer--;
          }
        }
      }
      pointer++;
    }
  }

  /**
   * Merge two texts that both started from base, losing no insertion.
   *
   * Word by word first, as server/sync/merge.py explains (a word is a run of
   * non-space characters with the spaces before it; the stops at its end are
   * words of their own). One side's change is taken; insertions at one spot are
   * both kept, theirs first (once if the same); words inserted inside words the
   * other side replaced stay whole; where both changed the same words, the same
   * change counts once, a change beats a removal, and otherwise the words are
   * merged character by character. Each text gets one space in front while it
   * is merged, and the result loses it again.
   */
  function mergeTexts(base, ours, theirs) {
    if (ours === base || ours === theirs) return theirs;
    if (theirs === base) return ours;
    var words = new Words();
    var b = words.encode(" " + base);
    var mine = changes(b, words.encode(" " + ours));
    var their = changes(b, words.encode(" " + theirs));
    var out = [];
    var at = 0;
    var groups = clusters(mine, their);
    for (var g = 0; g < groups.length; g++) {
      var start = groups[g].start;
      var end = groups[g].end;
      var ourPart = groups[g].mine;
      var theirPart = groups[g].theirs;
      out.push(b.slice(at, start));
      var o = applyChanges(b, start, end, ourPart);
      var t = applyChanges(b, start, end, theirPart);
      if (ourPart.length === 0 || o === t) {
        out.push(t);
      } else if (theirPart.length === 0) {
        out.push(o);
      } else if (ourPart.every(isInsertion) || theirPart.every(isInsertion)) {
        out.push(mergeCodes(b.slice(start, end), o, t));
      } else if (o === "" || t === "") {
        out.push(o || t);
      } else {
        out.push(words.encode(mergeCharacters(words.decode(b.slice(start, end)),
          words.decode(o), words.decode(t))));
      }
      at = end;
    }
    out.push(b.slice(at));
    var merged = words.decode(out.join(""));
    return merged.charAt(0) === " " ? merged.slice(1) : merged;
  }

  function isInsertion(change) {
    return change[0] === change[1];
  }

  /** What other does to base: [start, end, inserted] replacements, in order. */
  function changes(base, other) {
    var found = [];
    var at = 0;
    var current = null;
    var diffs = engine().diff_main(base, other, false);
    for (var k = 0; k < diffs.length; k++) {
      var op = diffs[k][0];
      var data = diffs[k][1];
      if (op === DIFF_EQUAL) {
        if (current) found.push(current);
        current = null;
        at += data.length;
        continue;
      }
      if (!current) current = [at, at, ""];
      if (op === DIFF_DELETE) {
        current[1] += data.length;
        at += data.length;
      } else {
        current[2] += data;
      }
    }
    if (current) found.push(current);
    return found;
  }

  /** Both sides' changes grouped into runs of base to merge together, as Python does. */
  function clusters(mine, theirs) {
    var tagged = mine.map(function (c) { return [c[0], c[1], c[2], 0]; }).concat(
      theirs.map(function (c) { return [c[0], c[1], c[2], 1]; }));
    tagged.sort(function (x, y) {
      if (x[0] !== y[0]) return x[0] - y[0];
      var xr = x[0] !== x[1] ? 1 : 0;
      var yr = y[0] !== y[1] ? 1 : 0;
      if (xr !== yr) return xr - yr;
      return x[3] - y[3];
    });
    var groups = [];
    var group = null;
    for (var k = 0; k < tagged.length; k++) {
      var s = tagged[k][0];
      var e = tagged[k][1];
      var joins = group !== null && (s !== e ? s < group.end
        : (group.start < s && s < group.end) || (group.start === group.end && group.end === s));
      if (!joins) {
        group = { start: s, end: e, mine: [], theirs: [] };
        groups.push(group);
      }
      (tagged[k][3] === 0 ? group.mine : group.theirs).push(tagged[k].slice(0, 3));
      group.end = Math.max(group.end, e);
    }
    return groups;
  }

  /** base.slice(start, end) with one side's changes in it. */
  function applyChanges(base, start, end, list) {
    var out = [];
    var at = start;
    for (var k = 0; k < list.length; k++) {
      out.push(base.slice(at, list[k][0]), list[k][2]);
      at = list[k][1];
    }
    out.push(base.slice(at, end));
    return out.join("");
  }

  /** Merge whole words (codes): inserted words stay, removed words go. */
  function mergeCodes(base, ours, theirs) {
    var mine = edits(base, engine().diff_main(base, ours, false));
    var their = edits(base, engine().diff_main(base, theirs, false));
    return interleave(base, mine, their);
  }

  /** Merge character by character, edits slid to word boundaries: one word both changed. */
  function mergeCharacters(base, ours, theirs) {
    var codec = new Codec([base, ours, theirs]);
    var b = codec.encode(base);
    var mine = edits(b, diffEncoded(b, codec.encode(ours), codec));
    var their = edits(b, diffEncoded(b, codec.encode(theirs), codec));
    return codec.decode(interleave(b, mine, their));
  }

  function interleave(base, mine, their) {
    var out = [];
    for (var i = 0; i < base.length; i++) {
      out.push(their.inserts[i], mine.inserts[i]);
      if (mine.keeps[i] && their.keeps[i]) out.push(base[i]);
    }
    out.push(their.inserts[base.length], mine.inserts[base.length]);
    return out.join("");
  }

  /** Each distinct word as one UTF-16 unit (outside the surrogates), as Python codes it. */
  function Words() {
    this.codes = new Map();
    this.words = new Map();
  }

  Words.prototype.encode = function (text) {
    var out = [];
    var list = splitWords(text);
    for (var i = 0; i < list.length; i++) {
      var code = this.codes.get(list[i]);
      if (code === undefined) {
        var n = this.codes.size + 0x100;
        code = String.fromCharCode(n < 0xd800 ? n : n + 0x800);
        this.codes.set(list[i], code);
        this.words.set(code, list[i]);
      }
      out.push(code);
    }
    return out.join("");
  };

  Words.prototype.decode = function (codes) {
    var out = [];
    for (var i = 0; i < codes.length; i++) out.push(this.words.get(codes[i]));
    return out.join("");
  };

  var STOPS = ".,;:!?\u2026";

  /** The words of text as mergeTexts counts them; joined, they are the text again. */
  function splitWords(text) {
    var out = [];
    var i = 0;
    var n = text.length;
    while (i < n) {
      var start = i;
      while (i < n && SPACE.test(text[i])) i++;
      while (i < n && !SPACE.test(text[i])) i++;
      var word = text.slice(start, i);
      var cut = word.length;
      while (cut > 0 && STOPS.indexOf(word[cut - 1]) >= 0) cut--;
      if (cut > 0 && cut < word.length && !SPACE.test(word[cut - 1])) {
        out.push(word.slice(0, cut), word.slice(cut));
      } else {
        out.push(word);
      }
    }
    return out;
  }

  /** What a diff of base inserts before each position of base, and what it keeps. */
  function edits(base, diffs) {
    var inserts = [];
    var keeps = [];
    for (var i = 0; i <= base.length; i++) inserts.push("");
    for (i = 0; i < base.length; i++) keeps.push(true);
    var at = 0;
    for (var k = 0; k < diffs.length; k++) {
      var op = diffs[k][0];
      var data = diffs[k][1];
      if (op === DIFF_INSERT) {
        inserts[at] += data;
        continue;
      }
      if (op === DIFF_DELETE) {
        for (var j = at; j < at + data.length; j++) keeps[j] = false;
      }
      at += data.length;
    }
    return { inserts: inserts, keeps: keeps };
  }

  /** Return where a code point offset in before lands in after (after text inserted there). */
  function mapOffset(before, after, offset) {
    if (before === after) return offset;
    var codec = new Codec([before, after]);
    var diffs = diffEncoded(codec.encode(before), codec.encode(after), codec);
    return engine().diff_xIndex(diffs, offset);
  }

  /** Return where a caret (UTF-16 offset) in oldText belongs in newText. */
  function mapCaret(oldText, newText, caret) {
    var at = mapOffset(oldText, newText, toCodePoints(oldText, caret));
    return toUnits(newText, at);
  }

  /**
   * diff-match-patch's patch_make(text1, diffs), hunk for hunk as its Python port.
   *
   * The ports differ on an equality of exactly 2 * Patch_Margin characters
   * between two edits: Python keeps it in the hunk and then starts a new one,
   * JavaScript only keeps it. Both patches apply; this one is Python's.
   */
  function patchMake(text1, diffs) {
    var d = engine();
    var Patch = root.diff_match_patch.patch_obj;
    var margin = 2 * d.Patch_Margin;
    var patches = [];
    var patch = new Patch();
    var count1 = 0;
    var count2 = 0;
    var prepatch = text1;
    var postpatch = text1;
    for (var x = 0; x < diffs.length; x++) {
      var type = diffs[x][0];
      var text = diffs[x][1];
      if (patch.diffs.length === 0 && type !== DIFF_EQUAL) {
        patch.start1 = count1;
        patch.start2 = count2;
      }
      if (type === DIFF_INSERT) {
        patch.diffs.push(diffs[x]);
        patch.length2 += text.length;
        postpatch = postpatch.substring(0, count2) + text + postpatch.substring(count2);
      } else if (type === DIFF_DELETE) {
        patch.length1 += text.length;
        patch.diffs.push(diffs[x]);
        postpatch = postpatch.substring(0, count2) + postpatch.substring(count2 + text.length);
      } else if (text.length <= margin && patch.diffs.length !== 0 && diffs.length !== x + 1) {
        patch.diffs.push(diffs[x]); // a small equality inside a hunk
        patch.length1 += text.length;
        patch.length2 += text.length;
      }
      if (type === DIFF_EQUAL && text.length >= margin && patch.diffs.length !== 0) {
        d.patch_addContext_(patch, prepatch);
        patches.push(patch);
        patch = new Patch();
        prepatch = postpatch; // the context rolls: each hunk applies after the last
        count1 = count2;
      }
      if (type !== DIFF_INSERT) count1 += text.length;
      if (type !== DIFF_DELETE) count2 += text.length;
    }
    if (patch.diffs.length !== 0) {
      d.patch_addContext_(patch, prepatch);
      patches.push(patch);
    }
    return patches;
  }

  /** Return the patch_toText of shadow -> local, with code point offsets as in Python. */
  function makePatch(shadow, local) {
    var codec = new Codec([shadow, local]);
    var before = codec.encode(shadow);
    var patches = patchMake(before, diffEncoded(before, codec.encode(local), codec));
    for (var i = 0; i < patches.length; i++) {
      for (var j = 0; j < patches[i].diffs.length; j++) {
        patches[i].diffs[j][1] = codec.decode(patches[i].diffs[j][1]);
      }
    }
    return engine().patch_toText(patches);
  }

  /** Return text without spaces at either end. */
  function tidy(text) {
    return text.trim();
  }

  /** Say whether two texts differ only in spaces at either end. */
  function sameWords(a, b) {
    return tidy(a) === tidy(b);
  }

  // The model.

  function Sentence(id, sectionId, position, shadow, version, local) {
    this.id = id;
    this.sectionId = sectionId;
    this.position = position;
    this.shadow = shadow;
    this.version = version;
    this.local = local;
    this.sent = null;
    this.sentRef = null;
    this.held = false; // refused for good: send again only once the user types
    this.waitVersion = 0; // a conflict named this version: send once the stream has it
    this.gone = null; // answered gone: wait for the op that removes it
  }

  function byPosition(a, b) {
    return a.position < b.position ? -1 : a.position > b.position ? 1 : a.id - b.id;
  }

  function byId(a, b) {
    return a.id - b.id;
  }

  function info(section) {
    var out = {};
    Object.keys(section).forEach(function (key) {
      if (key !== "sentences") out[key] = section[key];
    });
    return out;
  }

  /**
   * One browser's view of a policy, driven by the user and the server.
   *
   * reply is the answer to the first join_policy (sent without since): a
   * snapshot. onChange(change), if given (or set later as model.onChange), is
   * called for each thing to re-render:
   *   {kind: "sentence", id, sectionId, op}  one sentence's text
   *   {kind: "section", id, op}              a section's sentence list and texts
   *   {kind: "policy", op}                   the list of sections, or everything
   *   {kind: "orphans", op}                  model.orphans grew
   * op is the op that caused it (null for a snapshot or an ack); an op with
   * origin === clientId and a ref is this client's own.
   */
  function Model(policyId, clientId, reply, onChange) {
    if (!reply || !reply.sections) {
      throw new Error("the first join reply must be a snapshot (send no since)");
    }
    this.policyId = policyId;
    this.clientId = clientId;
    this.onChange = onChange || null;
    this.seq = 0;
    this.orphans = []; // {sentenceId, text, by}: unsaved text of a deleted sentence, and who deleted it
    this.refused = []; // {request, ack}: refusals retrying would not fix
    this._parts = new Map();
    this._sections = new Map();
    this._sentences = new Map();
    this._buffer = new Map();
    this._knownSeq = 0;
    this._ref = 0;
    this._joined = true;
    this._rejoinAsked = false;
    // The browser turns it on (pending.js), as the Python client has it by default
    // (`quiet_whitespace`); parity runs with it off in both:
    // a sentence whose typing differs from the server's text only in spaces at either
    // end (a space typed before the next word, one left by an undo) is not sent and
    // counts as saved, and what is sent has no space at either end: the word merge
    // would take a trailing space for a word, and history would show a change with
    // nothing to see.
    this.quietWhitespace = false;
    this._snapshot(reply);
  }

  var proto = Model.prototype;

  // What the user sees.

  /** Return every live section's details ({id, part_id, position, title, ...}), in order. */
  proto.sections = function () {
    var parts = this._parts;
    function key(section) {
      var part = parts.get(section.part_id);
      return [part === undefined ? 1 : 0, part ? part.position : "", section.part_id || 0];
    }
    return Array.from(this._sections.values())
      .sort(function (a, b) {
        var ka = key(a);
        var kb = key(b);
        for (var i = 0; i < 3; i++) {
          if (ka[i] < kb[i]) return -1;
          if (ka[i] > kb[i]) return 1;
        }
        return byPosition(a, b);
      })
      .map(function (section) {
        return Object.assign({}, section);
      });
  };

  /** Return [{id, text}] of a section's sentences, in order, as the user sees them. */
  proto.sentences = function (sectionId) {
    var found = [];
    this._sentences.forEach(function (s) {
      if (s.sectionId === sectionId) found.push(s);
    });
    return found.sort(byPosition).map(function (s) {
      return { id: s.id, text: s.local };
    });
  };

  /** Return [{id, sentences: [{id, text}]}] for every section, in order. */
  proto.document = function () {
    var self = this;
    return this.sections().map(function (section) {
      return { id: section.id, sentences: self.sentences(section.id) };
    });
  };

  proto.text = function (sentenceId) {
    return this._get(sentenceId).local;
  };

  proto.has = function (sentenceId) {
    return this._sentences.has(sentenceId);
  };

  /**
   * Return a sentence's save state, for the editor to show: {version, saved,
   * sending, held}. saved: nothing unsent and nothing in flight; sending: an
   * edit is in flight; held: refused for good (see refused) until the user types.
   */
  proto.sentenceStatus = function (sentenceId) {
    var s = this._get(sentenceId);
    return {
      version: s.version,
      saved: this._unchanged(s) && s.sent === null,
      sending: s.sent !== null,
      held: s.held,
    };
  };

  /** Say whether everything the user typed is saved and nothing is in flight. */
  proto.isSettled = function () {
    for (var s of this._sentences.values()) {
      if (!this._unchanged(s) || s.sent !== null) return false;
    }
    return true;
  };

  /** Return the text the server last confirmed for a sentence (what undo merges against). */
  proto.serverText = function (sentenceId) {
    return this._get(sentenceId).shadow;
  };

  /** Say whether a sentence has nothing to send (see quietWhitespace). */
  proto._unchanged = function (s) {
    if (s.local === s.shadow) return true;
    return this.quietWhitespace && sameWords(s.local, s.shadow);
  };

  /**
   * Say whether the stream owes this client something it has not delivered.
   *
   * Normally true only for a moment; if it stays true for a few seconds,
   * reconnect and send rejoinPayload() with join_policy.
   */
  proto.needsResync = function () {
    if (this._rejoinAsked || this._knownSeq > this.seq) return true;
    for (var s of this._sentences.values()) {
      if (s.gone !== null || s.waitVersion > s.version) return true;
    }
    return false;
  };

  // What the user does.

  /** Show the user's new text for a sentence; pending() will send it. */
  proto.edit = function (sentenceId, text) {
    var s = this._get(sentenceId);
    s.local = wellFormed(text);
    s.held = false;
  };

  /** Ask to split a sentence at the user's caret (a UTF-16 offset in its text). */
  proto.split = function (sentenceId, caret) {
    var s = this._get(sentenceId);
    var at = mapOffset(s.local, s.shadow, toCodePoints(s.local, caret));
    return this._request("split_sentence", { id: s.id, base_version: s.version, offset: at });
  };

  /** Ask to append a sentence to the one before it (like backspace at its start). */
  proto.merge = function (sentenceId) {
    var s = this._get(sentenceId);
    var order = this.sentences(s.sectionId).map(function (each) {
      return each.id;
    });
    var index = order.indexOf(s.id);
    if (index === 0) throw new Error("the first sentence has nothing before it to merge into");
    var into = this._get(order[index - 1]);
    return this._request("merge_sentence", {
      id: s.id,
      base_version: s.version,
      into: into.id,
      into_base_version: into.version,
    });
  };

  proto["delete"] = function (sentenceId) {
    var s = this._get(sentenceId);
    return this._request("delete_sentence", { id: s.id, base_version: s.version });
  };

  proto.move = function (sentenceId, place) {
    return this._request("move_sentence", { id: sentenceId, place: place });
  };

  proto.insert = function (sectionId, text, place) {
    return this._request("insert_sentence", {
      section_id: sectionId,
      text: wellFormed(text),
      place: place,
    });
  };

  /** Ask for a new section; details: part_id, title, subgroup_id, kind, text. */
  proto.insertSection = function (details, place) {
    var data = Object.assign({}, details, { place: place });
    return this._request("insert_section", data);
  };

  proto.deleteSection = function (sectionId) {
    return this._request("delete_section", { id: sectionId });
  };

  proto.moveSection = function (sectionId, place) {
    return this._request("move_section", { id: sectionId, place: place });
  };

  /** Return the edits to send now ([{event, data}]): one per changed sentence with none in flight. */
  proto.pending = function () {
    if (!this._joined) return [];
    var requests = [];
    var all = Array.from(this._sentences.values()).sort(byId);
    for (var i = 0; i < all.length; i++) {
      var s = all[i];
      if (
        s.sent === null &&
        !s.held &&
        s.gone === null &&
        s.version >= s.waitVersion &&
        !this._unchanged(s)
      ) {
        // See quietWhitespace: spaces at either end are not sent.
        var text = this.quietWhitespace ? tidy(s.local) : s.local;
        var request = this._request("edit_sentence", {
          id: s.id,
          base_version: s.version,
          patch: makePatch(s.shadow, text),
        });
        s.sent = text;
        s.sentRef = request.data.ref;
        requests.push(request);
      }
    }
    return requests;
  };

  // The connection.

  /** Stop sending until a rejoin: acks and ops in flight are gone with the socket. */
  proto.connectionLost = function () {
    this._joined = false;
  };

  /** Return the join_policy payload that asks for what this client missed. */
  proto.rejoinPayload = function () {
    return { policy_id: this.policyId, client_id: this.clientId, since: this.seq };
  };

  /** Take the reply to a rejoin: replay the ops it lists, or rebuild from a snapshot. */
  proto.receiveJoin = function (reply) {
    if (!reply || !reply.ok) return;
    if (reply.sections) {
      this._snapshot(reply);
    } else {
      for (var i = 0; i < reply.ops.length; i++) this.receiveOp(reply.ops[i]);
      this._knownSeq = Math.max(this._knownSeq, reply.seq);
    }
    this._joined = true;
    this._rejoinAsked = false;
    if (this.seq < reply.seq) return; // the replay has a hole: needsResync() says so
    var all = Array.from(this._sentences.values()).sort(byId);
    for (i = 0; i < all.length; i++) {
      var s = all[i];
      s.sent = null;
      s.sentRef = null;
      s.waitVersion = 0;
      if (s.gone !== null) {
        // the server says gone, yet no op removed it
        s.held = true;
        this.refused.push(s.gone);
        s.gone = null;
      }
    }
  };

  // What the server says.

  /** Take the server's answer (ack) to one of this client's requests ({event, data}). */
  proto.receiveAck = function (request, ack) {
    var s;
    if (ack.ok) {
      if (ack.seq !== null && ack.seq !== undefined) {
        this._knownSeq = Math.max(this._knownSeq, ack.seq);
      } else if (request.event === "edit_sentence") {
        s = this._mine(request); // it changed nothing: no op will come
        if (s !== null) {
          s.sent = null;
          s.sentRef = null;
        }
      }
      return;
    }
    var code = ack.error.code;
    if (request.event !== "edit_sentence") {
      this.refused.push({ request: request, ack: ack });
      return;
    }
    s = this._mine(request);
    if (s === null) return; // answered already by the stream, or the sentence is gone
    s.sent = null;
    s.sentRef = null;
    if (code === "conflict") {
      s.waitVersion = Math.max(s.waitVersion, ack.error.version || 0);
    } else if (GONE[code]) {
      s.gone = { request: request, ack: ack };
    } else if (RESYNC[code]) {
      this._rejoinAsked = true;
    } else if (!TRANSIENT[code]) {
      s.held = true;
      this.refused.push({ request: request, ack: ack });
      this._changed({ kind: "sentence", id: s.id, sectionId: s.sectionId, op: null });
    }
  };

  /** Take an op from the stream (live or replayed): apply it and any it unblocks. */
  proto.receiveOp = function (op) {
    if (op.seq <= this.seq) return;
    this._buffer.set(op.seq, op);
    this._knownSeq = Math.max(this._knownSeq, op.seq);
    this._drain();
  };

  proto._drain = function () {
    while (this._buffer.has(this.seq + 1)) {
      this.seq += 1;
      var op = this._buffer.get(this.seq);
      this._buffer.delete(this.seq);
      var handler = HANDLERS[op.op];
      if (handler) handler.call(this, op); // an op this model does not know changes no text
    }
  };

  var HANDLERS = {
    edit: function (op) {
      var s = this._sentences.get(op.id);
      if (s === undefined) return;
      if (this._isMine(op) && s.sentRef === op.ref) {
        s.local = mergeTexts(s.sent, s.local, op.text);
        s.shadow = op.text;
        s.version = op.version;
        s.sent = null;
        s.sentRef = null;
      } else {
        this._fold(s, op.text, op.version);
      }
      this._changed({ kind: "sentence", id: s.id, sectionId: s.sectionId, op: op });
    },

    insert: function (op) {
      if (this._sections.has(op.section_id)) {
        this._add(op.section_id, op.sentence);
        this._changed({ kind: "section", id: op.section_id, op: op });
      }
    },

    delete: function (op) {
      var s = this._sentences.get(op.id);
      if (s !== undefined) {
        this._sentences.delete(op.id);
        this._orphan(s, op);
        this._changed({ kind: "section", id: s.sectionId, op: op });
      }
    },

    move: function (op) {
      var s = this._sentences.get(op.id);
      if (s !== undefined) {
        s.position = op.position;
        this._changed({ kind: "section", id: s.sectionId, op: op });
      }
    },

    // Cut local (and sent) where the server cut, so unsent typing stays in its half.
    split: function (op) {
      var first = op.sentence;
      var added = op["new"];
      var s = this._sentences.get(first.id);
      if (s === undefined) return;
      var whole = first.text + added.text;
      var cut = codePointLength(first.text);
      var local = mergeTexts(s.shadow, s.local, whole);
      var at = mapOffset(whole, local, cut);
      this._add(s.sectionId, added, cpSlice(local, at));
      if (s.sent !== null) {
        var sent = mergeTexts(s.shadow, s.sent, whole);
        s.sent = cpSlice(sent, 0, mapOffset(whole, sent, cut));
      }
      s.local = cpSlice(local, 0, at);
      s.shadow = first.text;
      s.version = first.version;
      this._changed({ kind: "section", id: s.sectionId, op: op });
    },

    // Join local texts as the server joined its texts, so unsent typing moves along.
    merge: function (op) {
      var merged = op.into;
      var separator = op.separator;
      var into = this._sentences.get(merged.id);
      var gone = this._sentences.get(op.id);
      this._sentences.delete(op.id);
      if (into === undefined || gone === undefined) {
        if (gone !== undefined) this._orphan(gone, op);
        return;
      }
      var base = into.shadow + separator + gone.shadow;
      if (into.sent !== null) {
        into.sent = mergeTexts(base, into.sent + separator + gone.shadow, merged.text);
      }
      into.local = mergeTexts(base, into.local + separator + gone.local, merged.text);
      into.shadow = merged.text;
      into.version = merged.version;
      this._changed({ kind: "section", id: into.sectionId, op: op });
    },

    section_insert: function (op) {
      var section = op.section;
      if (this._sections.has(section.id)) return;
      this._sections.set(section.id, info(section));
      var sentences = section.sentences || [];
      for (var i = 0; i < sentences.length; i++) this._add(section.id, sentences[i]);
      this._changed({ kind: "policy", op: op });
    },

    section_delete: function (op) {
      if (!this._sections.has(op.id)) return;
      this._sections.delete(op.id);
      var doomed = Array.from(this._sentences.values())
        .filter(function (s) {
          return s.sectionId === op.id;
        })
        .sort(byPosition);
      for (var i = 0; i < doomed.length; i++) {
        this._sentences.delete(doomed[i].id);
        this._orphan(doomed[i], op);
      }
      this._changed({ kind: "policy", op: op });
    },

    section_move: function (op) {
      var section = this._sections.get(op.id);
      if (section !== undefined) {
        section.position = op.position;
        this._changed({ kind: "policy", op: op });
      }
    },
  };

  // Helpers.

  /** Rebuild from a snapshot, keeping unsent typing folded onto the new texts. */
  proto._snapshot = function (reply) {
    var old = this._sentences;
    var self = this;
    this.seq = reply.seq;
    this._knownSeq = Math.max(this._knownSeq, this.seq);
    Array.from(this._buffer.keys()).forEach(function (seq) {
      if (seq <= self.seq) self._buffer.delete(seq);
    });
    this._parts = new Map();
    (reply.parts || []).forEach(function (part) {
      self._parts.set(part.id, Object.assign({}, part));
    });
    this._sections = new Map();
    this._sentences = new Map();
    reply.sections.forEach(function (section) {
      self._sections.set(section.id, info(section));
      (section.sentences || []).forEach(function (sentence) {
        self._add(section.id, sentence);
        var s = self._sentences.get(sentence.id);
        var before = old.get(sentence.id);
        if (before !== undefined && before.local !== before.shadow) {
          s.local = mergeTexts(before.shadow, before.local, s.shadow);
          s.held = before.held;
        }
      });
    });
    Array.from(old.values())
      .sort(byId)
      .forEach(function (before) {
        if (!self._sentences.has(before.id)) self._orphan(before, null);
      });
    this._changed({ kind: "policy", op: null });
    this._drain();
  };

  proto._add = function (sectionId, sentence, local) {
    var text = sentence.text;
    this._sentences.set(
      sentence.id,
      new Sentence(
        sentence.id,
        sectionId,
        sentence.position,
        text,
        sentence.version,
        local === undefined ? text : local,
      ),
    );
  };

  proto._orphan = function (s, op) {
    if (s.local !== s.shadow) {
      this.orphans.push({ sentenceId: s.id, text: s.local, by: op && op.by != null ? op.by : null });
      this._changed({ kind: "orphans", op: op });
    }
  };

  /** Take a newer server text, keeping local (and in-flight) changes on top. */
  proto._fold = function (s, text, version) {
    if (version <= s.version) return;
    s.local = mergeTexts(s.shadow, s.local, text);
    if (s.sent !== null) s.sent = mergeTexts(s.shadow, s.sent, text);
    s.shadow = text;
    s.version = version;
  };

  proto._request = function (event, data) {
    this._ref += 1;
    return { event: event, data: Object.assign({ ref: this._ref }, data) };
  };

  /** Return the sentence whose edit in flight is this request, if still so. */
  proto._mine = function (request) {
    var s = this._sentences.get(request.data.id);
    return s !== undefined && s.sentRef === request.data.ref ? s : null;
  };

  proto._isMine = function (op) {
    return op.origin === this.clientId && op.ref !== null && op.ref !== undefined;
  };

  proto._get = function (sentenceId) {
    var s = this._sentences.get(sentenceId);
    if (s === undefined) throw new Error("no sentence " + sentenceId);
    return s;
  };

  proto._changed = function (change) {
    if (this.onChange) this.onChange(change);
  };

  proto.mapCaret = mapCaret;

  var CodraftSync = {
    Model: Model,
    mergeTexts: mergeTexts,
    mapCaret: mapCaret,
    sameWords: sameWords,
    // Exposed for tests and for editors that need code point offsets.
    mapOffset: mapOffset,
    makePatch: makePatch,
    toCodePoints: toCodePoints,
    toUnits: toUnits,
    joinPayload: function (policyId, clientId) {
      return { policy_id: policyId, client_id: clientId };
    },
  };

  if (typeof window !== "undefined") window.CodraftSync = CodraftSync;
  if (typeof module !== "undefined") module.exports = CodraftSync;
})();
