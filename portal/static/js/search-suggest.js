// Suggestions while typing in a search box: keywords, titles and 文号 from /api/search/suggest,
// offered as the WAI-ARIA Authoring Practices' editable combobox with list autocomplete
// (https://www.w3.org/WAI/ARIA/apg/patterns/combobox/), as js/organisation-search.js does for
// the bodies of the application form. Progressive enhancement only: without this file the box
// is a plain search box and its form searches exactly as before. Focus never leaves the text
// box: the suggestion the arrow keys reach is pointed to with aria-activedescendant. Enter on a
// suggestion searches for it; Enter on the text searches for the text, as without the list.
// Its words come from the data-msg- attributes of the box.
(function () {
  "use strict";

  var ANNOUNCE_AFTER = 500;  // ms without typing before the count is said, once
  var ASK_AFTER = 200;  // ms without typing before the server is asked

  function make(tag, attributes, text) {
    var element = document.createElement(tag);
    Object.keys(attributes).forEach(function (name) { element.setAttribute(name, attributes[name]); });
    if (text) { element.textContent = text; }
    return element;
  }

  function enhance(input) {
    var form = input.form;
    var address = input.getAttribute("data-suggest");
    if (!form || !address || !window.fetch) { return; }
    var message = function (name) { return input.getAttribute("data-msg-" + name) || ""; };
    var id = input.id;

    var listbox = make("ul", {
      id: id + "-suggestions",
      role: "listbox",
      "aria-label": message("label"),
      "class": "search-suggestions"
    });
    listbox.hidden = true;
    var status = make("p", { role: "status", "class": "visually-hidden", id: id + "-suggestions-status" });
    var row = input.parentNode;
    row.parentNode.insertBefore(listbox, row.nextSibling);
    listbox.parentNode.insertBefore(status, listbox.nextSibling);

    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);
    input.setAttribute("autocomplete", "off");
    var hint = document.getElementById(id + "-suggest-hint");
    if (hint) {
      hint.hidden = false;
      var described = (input.getAttribute("aria-describedby") || "").split(" ").filter(Boolean);
      described.push(hint.id);
      input.setAttribute("aria-describedby", described.join(" "));
    }

    var options = [];
    var active = -1;
    var asked = "";
    var askTimer = 0;
    var announceTimer = 0;
    var controller = null;

    function isOpen() { return !listbox.hidden; }

    function setActive(index) {
      if (active >= 0 && options[active]) { options[active].setAttribute("aria-selected", "false"); }
      active = index;
      if (index < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[index].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[index].id);
      if (options[index].scrollIntoView) { options[index].scrollIntoView({ block: "nearest" }); }
    }

    function close() {
      setActive(-1);
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      window.clearTimeout(announceTimer);
      status.textContent = "";
    }

    function open() {
      if (!options.length) { close(); return; }
      listbox.hidden = false;
      input.setAttribute("aria-expanded", "true");
    }

    function announce() {
      window.clearTimeout(announceTimer);
      status.textContent = "";  // cleared first, so the same count is said again
      announceTimer = window.setTimeout(function () {
        var count = options.length;
        status.textContent = count === 0 ? message("none")
          : count === 1 ? message("one") : message("many").replace("{count}", String(count));
      }, ANNOUNCE_AFTER);
    }

    function choose(option) {
      input.value = option.getAttribute("data-text");
      close();
      if (form.requestSubmit) { form.requestSubmit(); } else { form.submit(); }
    }

    function show(suggestions) {
      setActive(-1);
      listbox.textContent = "";
      options = suggestions.map(function (suggestion, i) {
        var option = make("li", {
          id: id + "-suggestion-" + i,
          role: "option",
          "aria-selected": "false",
          "class": "search-suggestion",
          "data-text": suggestion.text,
          lang: "zh-Hans"
        }, suggestion.text);
        var kind = message("kind-" + suggestion.kind);
        if (kind) { option.appendChild(make("span", { "class": "kind visually-hidden" }, "（" + kind + "）")); }
        option.addEventListener("click", function () { choose(option); });
        listbox.appendChild(option);
        return option;
      });
      open();
      announce();
    }

    function ask() {
      var text = input.value.trim();
      if (text === asked) { open(); return; }
      asked = text;
      if (controller) { controller.abort(); }
      if (!text) { show([]); return; }
      controller = window.AbortController ? new AbortController() : null;
      window.fetch(address + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
        signal: controller ? controller.signal : undefined
      }).then(function (response) {
        return response.ok ? response.json() : { suggestions: [] };
      }).then(function (data) {
        // Only if the box still holds what was asked about, and still has the focus.
        if (input.value.trim() === text && document.activeElement === input) {
          show(data.suggestions || []);
        }
      }).catch(function () { /* no suggestions: the box still searches as typed */ });
    }

    function typed(event) {
      if (event.isComposing) { return; }  // an input method's letters are not the text yet
      window.clearTimeout(askTimer);
      askTimer = window.setTimeout(ask, ASK_AFTER);
    }
    input.addEventListener("input", typed);
    input.addEventListener("compositionend", typed);

    input.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.isComposing) { return; }
      switch (event.key) {
        case "ArrowDown":
        case "ArrowUp":
          if (!isOpen()) {
            if (options.length && input.value.trim() === asked) { open(); } else { ask(); }
            event.preventDefault();
            return;
          }
          if (!event.altKey && options.length) {
            if (event.key === "ArrowDown") {
              setActive((active + 1) % options.length);
            } else {
              setActive(active <= 0 ? options.length - 1 : active - 1);
            }
          }
          event.preventDefault();
          break;
        case "Enter":
          if (isOpen() && active >= 0) {
            event.preventDefault();
            choose(options[active]);
          } else {
            close();  // the form searches for the text as typed
          }
          break;
        case "Escape":
          // Open: close the list. Closed: clear the text, as the APG's combobox does.
          if (isOpen()) {
            close();
          } else if (input.value) {
            input.value = "";
            asked = "";
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
          close();
          break;
        default:
          break;
      }
    });

    input.addEventListener("blur", close);
    // A press on the list keeps focus in the text box (no blur, no closing).
    listbox.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  Array.prototype.forEach.call(document.querySelectorAll("input[data-suggest]"), enhance);
})();
