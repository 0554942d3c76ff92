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

  document.addEventListener("DOMContentLoaded", function () {
    copyButtons();
    focusOnLoad();
  });
}());
