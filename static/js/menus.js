/*
 * The one "Actions" button beside the sentence the user is in, and its menu:
 * add a sentence after, move up or down, delete (with a confirmation).
 */
import { make } from "./dom.js";

/** Add these methods to the live editor (static/js/editor.js: LiveSection). */
export function init(proto) {
  // --- the actions button (one, beside the sentence the user is in) ---------------

  proto.buildActions = function () {
    var self = this;
    var box = (this.actions = make("div", "sentence__actions"));
    var toggle = (this.actionsToggle = make("button", "sentence__menu-button"));
    toggle.type = "button";
    toggle.setAttribute("aria-expanded", "false");
    toggle.setAttribute("aria-controls", "sentence-actions-menu");
    var icon = make("span", "sentence__menu-icon", "⋮");
    icon.setAttribute("aria-hidden", "true");
    toggle.appendChild(icon);
    toggle.appendChild(make("span", "sentence__menu-label", "Actions"));
    this.actionsFor = make("span", "visually-hidden");
    toggle.appendChild(this.actionsFor);
    box.appendChild(toggle);

    var menu = (this.menu = make("div", "sentence__menu"));
    menu.id = "sentence-actions-menu";
    menu.hidden = true;
    menu.setAttribute("role", "group");
    var buttons = [
      ["add", "Add a sentence after"],
      ["up", "Move up"],
      ["down", "Move down"],
      ["delete", "Delete"],
    ];
    this.menuButtons = {};
    buttons.forEach(function (b) {
      var button = make("button", "button button--secondary sentence__action", b[1]);
      if (b[0] === "delete") button.className = "button button--danger-quiet sentence__action";
      button.type = "button";
      button.setAttribute("data-action", b[0]);
      self.menuButtons[b[0]] = button;
      menu.appendChild(button);
    });
    var confirm = (this.confirmBox = make("div", "sentence__confirm"));
    confirm.hidden = true;
    this.confirmText = make("p", "sentence__confirm-text");
    this.confirmText.id = "sentence-confirm-text";
    confirm.appendChild(this.confirmText);
    var yes = make("button", "button button--danger sentence__action", "Yes, delete it");
    yes.type = "button";
    yes.setAttribute("data-action", "confirm-delete");
    yes.setAttribute("aria-describedby", "sentence-confirm-text");
    var no = make("button", "button button--secondary sentence__action", "No, keep it");
    no.type = "button";
    no.setAttribute("data-action", "cancel-delete");
    confirm.appendChild(yes);
    confirm.appendChild(no);
    this.menuButtons["confirm-delete"] = yes;
    this.menuButtons["cancel-delete"] = no;
    menu.appendChild(confirm);
    box.appendChild(menu);

    toggle.addEventListener("click", function () {
      self.toggleMenu(toggle.getAttribute("aria-expanded") !== "true");
    });
    menu.addEventListener("click", function (e) {
      var button = e.target.closest("[data-action]");
      if (button) self.menuAction(button.getAttribute("data-action"));
    });
    box.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !menu.hidden) {
        e.preventDefault();
        self.toggleMenu(false);
        toggle.focus();
      }
    });
  };

  proto.attachActions = function (id) {
    if (!this.canEdit) return;
    var li = this.liOf(id);
    if (!li) return;
    if (this.current !== id || this.actions.parentNode !== li) {
      this.toggleMenu(false);
      this.current = id;
      li.appendChild(this.actions);
    }
    this.updateActions();
  };

  proto.detachActions = function () {
    this.toggleMenu(false);
    if (this.actions.parentNode) this.actions.parentNode.removeChild(this.actions);
    this.current = null;
  };

  proto.updateActions = function () {
    if (this.current === null) return;
    if (!this.model || !this.model.has(this.current) || !this.canEdit) {
      this.detachActions();
      return;
    }
    var n = this.positionOf(this.current);
    var total = this.order().length;
    this.actionsFor.textContent = " for sentence " + n;
    this.menu.setAttribute("aria-label", "Actions for sentence " + n);
    this.menuButtons.up.disabled = n <= 1;
    this.menuButtons.down.disabled = n >= total;
    this.confirmText.textContent = "Delete sentence " + n + "? You can undo this straight after.";
  };

  proto.toggleMenu = function (open) {
    if (!this.menu) return;
    this.menu.hidden = !open;
    this.confirmBox.hidden = true;
    this.actionsToggle.setAttribute("aria-expanded", open ? "true" : "false");
    if (open) this.updateActions();
  };

  proto.menuAction = function (action) {
    var id = this.current;
    if (id === null || !this.model || !this.model.has(id)) return;
    if (action === "add") {
      this.toggleMenu(false);
      this.startInsert({ after: id }, "");
    } else if (action === "up" || action === "down") {
      this.toggleMenu(false);
      this.startMove(id, action === "up" ? -1 : 1, true);
    } else if (action === "delete") {
      this.confirmBox.hidden = false;
      this.menuButtons["cancel-delete"].focus();
    } else if (action === "cancel-delete") {
      this.toggleMenu(false);
      this.actionsToggle.focus();
    } else if (action === "confirm-delete") {
      this.toggleMenu(false);
      this.startDelete(id);
    }
  };
}
