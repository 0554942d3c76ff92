/*
 * Comment and reply boxes open in place (they are <details> in the page, so they
 * work without JavaScript); here, opening one moves focus into its text box, so
 * you can type at once. Closing it with Escape puts focus back on its summary.
 * A link marked data-focus-box puts focus in the text box it points at.
 * Listens on the document, so boxes swapped in by review.js work the same.
 */

const BOXES = "details.comment-box, details.reply";

export function init(root) {
  root.addEventListener(
    "toggle",
    (event) => {
      const box = event.target;
      if (!(box instanceof HTMLDetailsElement) || !box.matches(BOXES) || !box.open) return;
      const field = box.querySelector("textarea");
      if (field && box.contains(document.activeElement)) field.focus();
    },
    true, // toggle does not bubble
  );
  // "Comment on the whole section" goes to its box and puts focus in it.
  root.addEventListener("click", (event) => {
    const link = event.target.closest && event.target.closest("a[data-focus-box]");
    const field = link && document.getElementById(link.getAttribute("href").slice(1));
    if (!field) return;
    event.preventDefault();
    field.focus();
  });
  root.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    const box = event.target.closest && event.target.closest(BOXES);
    if (!box || !box.open || event.target.value) return;
    box.open = false;
    box.querySelector("summary").focus();
  });
}

init(document);
