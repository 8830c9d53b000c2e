// The 受理机关 search box of the application form: a text box that filters the bodies as you
// type, after the WAI-ARIA Authoring Practices' editable combobox with list autocomplete and
// manual selection (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/). Progressive
// enhancement only: the native <select> it is built from stays in the form, hidden, and is what
// the form sends; without this file that <select> is the control. Focus is never moved by this
// script: DOM focus stays in the text box, and the option the arrow keys reach is pointed to
// with aria-activedescendant. Its words come from the data-msg- attributes of the field.
(function () {
  "use strict";

  var field = document.querySelector("[data-organisation-picker]");
  var select = field && field.querySelector("select");
  var label = field && field.querySelector("label");
  if (!select || !label || !String.prototype.normalize) { return; }

  var messages = {
    none: field.getAttribute("data-msg-none") || "",
    one: field.getAttribute("data-msg-one") || "",
    many: field.getAttribute("data-msg-many") || "",
    showAll: field.getAttribute("data-msg-show-all") || ""
  };
  var ANNOUNCE_AFTER = 400;  // ms without typing before the count is said, once

  // What is compared when filtering: full-width letters and digits folded (NFKC), case and
  // spaces ignored, so 宁东 finds 宁东镇人民政府 and "town" finds Ningdong Town Government.
  function fold(text) {
    return (text || "").normalize("NFKC").toLowerCase().replace(/\s+/g, "");
  }

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    if (text) { element.textContent = text; }
    return element;
  }

  // The search box takes over the select's id, so its label and the error summary's link
  // ("#field-organisation") lead to the control a visitor now uses.
  var id = select.id;
  select.id = id + "-native";
  select.hidden = true;
  var described = (select.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
  var searchHint = document.getElementById(id + "-search-hint");
  if (searchHint) {
    searchHint.hidden = false;
    // The search hint after the field's hint, before an error message.
    var errorAt = described.indexOf(id + "-error");
    described.splice(errorAt < 0 ? described.length : errorAt, 0, searchHint.id);
  }
  var input = make("input", {
    id: id,
    type: "text",
    role: "combobox",
    "aria-autocomplete": "list",
    "aria-expanded": "false",
    "aria-controls": id + "-listbox",
    autocomplete: "off",
    spellcheck: "false",
    "class": "organisation-search"
  });
  if (described.length) { input.setAttribute("aria-describedby", described.join(" ")); }
  if (select.getAttribute("aria-invalid")) { input.setAttribute("aria-invalid", "true"); }
  if (!label.id) { label.id = id + "-label"; }

  // For pointer and touch users, as in the APG example: out of the Tab order, since Down Arrow
  // in the text box does the same.
  var button = make("button", {
    type: "button",
    tabindex: "-1",
    "aria-expanded": "false",
    "aria-controls": id + "-listbox",
    "class": "organisation-show-all"
  }, messages.showAll);
  var listbox = make("div", {
    id: id + "-listbox",
    role: "listbox",
    "aria-labelledby": label.id,
    "class": "organisation-listbox"
  });
  listbox.hidden = true;
  var status = make("p", { role: "status", "class": "visually-hidden", id: id + "-status" });

  // One entry per body, grouped by kind as the select's optgroups are.
  var entries = [];
  var groups = [];
  Array.prototype.forEach.call(select.querySelectorAll("optgroup"), function (optgroup, g) {
    var group = make("div", { role: "group", "aria-labelledby": id + "-group-" + g });
    group.appendChild(make("div", {
      id: id + "-group-" + g,
      role: "presentation",
      "class": "organisation-group"
    }, optgroup.label));
    Array.prototype.forEach.call(optgroup.querySelectorAll("option"), function (option) {
      var entry = {
        value: option.value,
        label: option.textContent,
        exact: fold(option.textContent),
        search: fold([option.textContent, option.getAttribute("data-names"), optgroup.label].join(" ")),
        element: make("div", {
          id: id + "-option-" + entries.length,
          role: "option",
          "aria-selected": "false",
          "class": "organisation-option"
        }, option.textContent)
      };
      entry.element.addEventListener("click", function () { choose(entry); });
      group.appendChild(entry.element);
      entries.push(entry);
    });
    groups.push(group);
    listbox.appendChild(group);
  });

  var row = make("div", { "class": "organisation-combobox" });
  row.appendChild(input);
  row.appendChild(button);
  select.parentNode.insertBefore(row, select.nextSibling);
  row.parentNode.insertBefore(listbox, row.nextSibling);
  listbox.parentNode.insertBefore(status, listbox.nextSibling);

  var chosen = entryOf(select.value);
  var shown = [];
  var active = -1;
  var announceTimer = 0;
  input.value = chosen ? chosen.label : "";

  function entryOf(value) {
    for (var i = 0; i < entries.length; i += 1) {
      if (value && entries[i].value === value) { return entries[i]; }
    }
    return null;
  }

  function isOpen() { return !listbox.hidden; }

  // With the chosen body's name in the box, the list offers every body to choose another.
  function showingChoice() { return chosen !== null && input.value === chosen.label; }

  function setActive(index) {
    if (active >= 0 && shown[active]) { shown[active].element.setAttribute("aria-selected", "false"); }
    active = index;
    if (index < 0) {
      input.removeAttribute("aria-activedescendant");
      return;
    }
    var element = shown[index].element;
    element.setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", element.id);
    // The browser scrolls to focus, not to an active descendant: keep it in sight (zoom).
    if (element.scrollIntoView) { element.scrollIntoView({ block: "nearest" }); }
  }

  function render(all) {
    setActive(-1);
    var wanted = all ? "" : fold(input.value);
    shown = entries.filter(function (entry) { return entry.search.indexOf(wanted) !== -1; });
    entries.forEach(function (entry) { entry.element.hidden = shown.indexOf(entry) === -1; });
    groups.forEach(function (group) {
      group.hidden = !group.querySelector("[role=option]:not([hidden])");
    });
  }

  function announce() {
    window.clearTimeout(announceTimer);
    // Cleared first, so the same count is said again after another change.
    status.textContent = "";
    announceTimer = window.setTimeout(function () {
      var count = shown.length;
      status.textContent = count === 0 ? messages.none
        : count === 1 ? messages.one : messages.many.replace("{count}", String(count));
    }, ANNOUNCE_AFTER);
  }

  // all: every body, whatever the text box holds (the button), as when it holds the choice.
  function open(all) {
    render(all || showingChoice());
    listbox.hidden = false;
    input.setAttribute("aria-expanded", "true");
    button.setAttribute("aria-expanded", "true");
    announce();
  }

  function close() {
    setActive(-1);
    listbox.hidden = true;
    input.setAttribute("aria-expanded", "false");
    button.setAttribute("aria-expanded", "false");
    window.clearTimeout(announceTimer);
    status.textContent = "";
  }

  function choose(entry) {
    chosen = entry;
    input.value = entry.label;
    select.value = entry.value;
    close();
  }

  // Typing filters the list. A body's whole name typed is that body chosen; any other text
  // chooses none, and the form, sent so, asks for a body again.
  function typed(event) {
    if (event.isComposing) { return; }  // an input method's letters are not the text yet
    var text = fold(input.value);
    chosen = null;
    for (var i = 0; i < entries.length; i += 1) {
      if (text && entries[i].exact === text) { chosen = entries[i]; }
    }
    select.value = chosen ? chosen.value : "";
    open(false);
  }
  input.addEventListener("input", typed);
  input.addEventListener("compositionend", typed);

  input.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.isComposing) { return; }
    var count;
    switch (event.key) {
      case "ArrowDown":
      case "ArrowUp":
        if (!isOpen()) { open(false); }
        count = shown.length;
        if (!event.altKey && count) {
          if (event.key === "ArrowDown") {
            setActive(active < 0 && showingChoice() ? shown.indexOf(chosen) : (active + 1) % count);
          } else {
            setActive(active <= 0 ? count - 1 : active - 1);
          }
        }
        event.preventDefault();
        break;
      case "Enter":
        if (!isOpen()) { return; }  // a closed list: Enter sends the form, as in any text box
        if (active >= 0) { choose(shown[active]); } else { close(); }
        event.preventDefault();
        break;
      case "Escape":
        // Open: close the list, choosing nothing. Closed: clear search text, as the APG's
        // combobox does, but never a body already chosen, which Escape on a <select> keeps.
        if (isOpen()) {
          close();
        } else if (input.value && !showingChoice()) {
          input.value = "";
          select.value = "";
        } else {
          return;
        }
        event.preventDefault();
        break;
      case "Home":
      case "End":
      case "ArrowLeft":
      case "ArrowRight":
        setActive(-1);  // back to the text, where the key moves the cursor
        break;
      case "Tab":
        close();  // leaving without choosing, as in the APG example
        break;
      default:
        break;
    }
  });

  input.addEventListener("blur", close);
  // A press on the list or the button keeps focus in the text box (no blur, no closing).
  listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("mousedown", function (event) { event.preventDefault(); });
  button.addEventListener("click", function () {
    if (isOpen()) { close(); } else { open(true); }
    input.focus();  // the visitor pressed the button: the list is used from the text box
  });
})();
