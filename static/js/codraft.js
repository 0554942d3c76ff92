/* Small progressive enhancements. Every page works without this file. */
(function () {
  "use strict";

  /* Move focus to an error summary or a just-made link, so keyboard and screen
     reader users land on what changed. */
  function focusOnLoad() {
    var target = document.querySelector("[data-focus-on-load]");
    if (target) {
      target.focus();
    }
  }

  /* Arriving at a place in a page (a link to a comment, or back after posting a
     reply): focus it as well as scrolling to it, so keyboard and screen reader users
     start there. Focus used to stay at the top, far from a reply just posted. */
  function focusFragment() {
    var target = null;
    if (document.querySelector("[data-focus-on-load]") || location.hash.length < 2) {
      return;
    }
    try {
      target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    } catch (err) {
      return;
    }
    if (!target || target.contains(document.activeElement)) {
      return;
    }
    if (!target.matches("a[href], button, input, select, textarea, [tabindex]")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus({ preventScroll: true });
  }

  function copyText(input) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(input.value);
    }
    return new Promise(function (resolve, reject) {
      input.focus();
      input.select();
      try {
        if (document.execCommand("copy")) {
          resolve();
        } else {
          reject(new Error("copy refused"));
        }
      } catch (err) {
        reject(err);
      }
    });
  }

  /* Copy buttons are hidden until this script shows them, since they need it. */
  function copyButtons() {
    var buttons = document.querySelectorAll("button[data-copy]");
    Array.prototype.forEach.call(buttons, function (button) {
      var id = button.getAttribute("data-copy");
      var input = document.getElementById(id);
      var status = document.querySelector('[data-copy-status="' + id + '"]');
      if (!input) {
        return;
      }
      button.hidden = false;
      input.addEventListener("focus", function () { input.select(); });
      button.addEventListener("click", function () {
        copyText(input).then(function () {
          if (status) { status.textContent = "Copied. You can paste it now."; }
        }, function () {
          input.focus();
          input.select();
          if (status) { status.textContent = "Could not copy. The text is selected: copy it with your keyboard or menu."; }
        });
      });
    });
  }

  /* Forms marked data-warn-unsaved: leaving the page (another form's button, a link)
     with changes made in one of them asks first. A session's record page saves
     attendance and notes in one form and adds an action in another: an action typed
     and not added was lost without a word when the other was saved. */
  function warnUnsaved() {
    var forms = document.querySelectorAll("form[data-warn-unsaved]");
    var changed = [];
    var sending = null;
    if (!forms.length) { return; }
    Array.prototype.forEach.call(forms, function (form) {
      function note() {
        if (changed.indexOf(form) < 0) { changed.push(form); }
      }
      form.addEventListener("input", note);
      form.addEventListener("change", note);
      form.addEventListener("submit", function () { sending = form; });
    });
    window.addEventListener("beforeunload", function (event) {
      var lost = changed.filter(function (form) { return form !== sending; });
      sending = null; // if the user stays, the next way out is asked about again
      if (lost.length) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    focusOnLoad();
    focusFragment();
    warnUnsaved();
  });
}());
