/*
 * The caret in a contenteditable sentence, as offsets in UTF-16 units (what the
 * sync model's mapCaret takes and gives). No state: the live editor's modules call
 * these with the element.
 */

export function locate(el, offset) {
  var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
  var node;
  var left = offset;
  var last = null;
  while ((node = walker.nextNode())) {
    if (left <= node.length) return { node: node, offset: left };
    left -= node.length;
    last = node;
  }
  if (last) return { node: last, offset: last.length };
  return { node: el, offset: 0 };
}

export function offsetIn(el, node, offset) {
  var range = document.createRange();
  range.selectNodeContents(el);
  try {
    range.setEnd(node, offset);
  } catch (err) {
    return el.textContent.length;
  }
  return range.toString().length;
}

export function getCaret(el) {
  var sel = window.getSelection();
  if (!sel || !sel.rangeCount) return null;
  var range = sel.getRangeAt(0);
  if (!el.contains(range.startContainer)) return null;
  return {
    start: offsetIn(el, range.startContainer, range.startOffset),
    end: offsetIn(el, range.endContainer, range.endOffset),
  };
}

export function setCaret(el, start, end) {
  var length = el.textContent.length;
  start = Math.max(0, Math.min(start, length));
  end = Math.max(start, Math.min(end === undefined ? start : end, length));
  var a = locate(el, start);
  var b = locate(el, end);
  var range = document.createRange();
  range.setStart(a.node, a.offset);
  range.setEnd(b.node, b.offset);
  var sel = window.getSelection();
  sel.removeAllRanges();
  sel.addRange(range);
}

export function caretRect(el, offset) {
  var at = locate(el, offset);
  var range = document.createRange();
  range.setStart(at.node, at.offset);
  range.collapse(true);
  var rects = range.getClientRects();
  if (rects.length) return rects[rects.length - 1];
  return null;
}

/** Say whether a caret is on the first (which "first") or last line of a wrapped sentence. */
export function onEdgeLine(el, offset, which) {
  var length = el.textContent.length;
  if (!length) return true;
  var here = caretRect(el, offset);
  var edge = caretRect(el, which === "first" ? 0 : length);
  if (!here || !edge) return which === "first" ? offset === 0 : offset === length;
  return Math.abs(here.top - edge.top) < Math.max(4, here.height / 2);
}

