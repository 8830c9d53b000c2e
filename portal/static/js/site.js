// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // After a search or a filter change the page opens at #results: put keyboard and
  // screen-reader focus on the results heading, not just the scroll position.
  // A form sent back with errors: move focus to the summary that lists and links them, so
  // keyboard and screen-reader users start where the problems are (the GOV.UK pattern).
  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  if (window.location.hash === "#results") {
    var heading = document.getElementById("results");
    if (heading) { heading.focus(); }
  }

  var status = document.getElementById("share-status");
  function announce(message) {
    if (!status) { return; }
    // Clearing first makes screen readers announce the same message again on a repeat.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  var copy = document.querySelector("[data-copy]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        announce(copy.getAttribute("data-done") || "链接已复制");
      }, function () {
        announce(copy.getAttribute("data-failed") || "复制失败，请手动复制页面地址");
      });
    });
  }

  var share = document.querySelector("[data-share]");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: document.title, url: share.getAttribute("data-share") })
        .catch(function () { /* the visitor closed the share sheet */ });
    });
  }
})();

// Reading settings and reading aids. Without this file every setting is a button of a POST
// form and the server renders the next page in it; with it a choice applies at once, is
// announced in the status region, and is saved by posting the same form in the background.
// The aids (reading guide, captions, read-aloud) exist only here, and only while they are on.
// Hooks are data- attributes; nothing is made global.
(function () {
  "use strict";

  var root = document.documentElement;
  var form = document.querySelector("form[data-prefs-form][data-defaults]");
  if (!form) { return; }
  var forms = Array.prototype.slice.call(document.querySelectorAll("form[data-prefs-form]"));
  var panel = form.closest("details");
  var summary = panel && panel.querySelector("summary");
  var statusRegion = document.querySelector("[data-prefs-status]");
  var messages = {};
  Array.prototype.forEach.call(form.attributes, function (attribute) {
    if (attribute.name.indexOf("data-msg-") === 0) { messages[attribute.name.slice(9)] = attribute.value; }
  });
  var shortcuts = parsePairs(form.getAttribute("data-shortcuts"));
  var defaults = parsePairs(form.getAttribute("data-defaults"));
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)");
  var state = readState();
  var saving = 0;

  function parsePairs(text) {
    var pairs = {};
    (text || "").split("&").forEach(function (part) {
      var at = part.indexOf("=");
      if (at > 0) { pairs[part.slice(0, at)] = part.slice(at + 1); }
    });
    return pairs;
  }

  function copy(object) {
    var result = {};
    Object.keys(object).forEach(function (key) { result[key] = object[key]; });
    return result;
  }

  function format(template, values) {
    return (template || "").replace(/\{(\w+)\}/g, function (all, name) {
      return name in values ? values[name] : all;
    });
  }

  // The preferences are the classes of <html>: "scheme-green", "size-150"...
  function readState() {
    var current = copy(defaults);
    Array.prototype.forEach.call(root.classList, function (name) {
      var at = name.indexOf("-");
      if (at > 0 && name.slice(0, at) in defaults) { current[name.slice(0, at)] = name.slice(at + 1); }
    });
    return current;
  }

  function buttonsOf(key) {
    var found = [];
    forms.forEach(function (each) {
      Array.prototype.forEach.call(each.querySelectorAll("button[name]"), function (button) {
        if (button.name === key) { found.push(button); }
      });
    });
    return found;
  }

  function applyState(next) {
    Array.prototype.slice.call(root.classList).forEach(function (name) {
      if (name.split("-")[0] in defaults) { root.classList.remove(name); }
    });
    Object.keys(defaults).forEach(function (key) {
      if (next[key] !== defaults[key]) { root.classList.add(key + "-" + next[key]); }
    });
    state = next;
    Object.keys(defaults).forEach(function (key) {
      buttonsOf(key).forEach(function (button) {
        var on = button.getAttribute("data-on");
        var pressed = on ? state[key] === on : button.value === state[key];
        if (on) { button.value = pressed ? (button.getAttribute("data-off") || "off") : on; }
        button.setAttribute("aria-pressed", pressed ? "true" : "false");
      });
    });
    aids.update();
  }

  function announce(message) {
    if (!statusRegion || !message) { return; }
    // Clearing first makes screen readers announce the same message again on a repeat.
    statusRegion.textContent = "";
    window.setTimeout(function () { statusRegion.textContent = message; }, 50);
  }

  function labelOf(button) {
    var group = button.closest("[role=group]");
    var label = group && document.getElementById(group.getAttribute("aria-labelledby"));
    return label ? label.textContent.trim() : "";
  }

  function describe(button) {
    if (button.name === "reset") { return messages.reset; }
    var name = button.textContent.trim();
    if (button.hasAttribute("data-on")) {
      return format(button.getAttribute("aria-pressed") === "true" ? messages.on : messages.off,
                    {name: name});
    }
    return format(messages.changed, {group: labelOf(button), value: name});
  }

  // Every post carries the whole state, and only the answer to the latest one is applied, so
  // quick changes in a row cannot undo each other.
  function save(reset) {
    var body = new URLSearchParams();
    if (reset) { body.append("reset", "1"); }
    Object.keys(state).forEach(function (key) { body.append(key, state[key]); });
    var mine = ++saving;
    fetch(form.action, {method: "POST", body: body, credentials: "same-origin",
                        headers: {"Accept": "application/json"}})
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (answer) {
        if (mine === saving && answer && answer.state) { applyState(answer.state); }
      })
      .catch(function () { announce(messages.unsaved); });
  }

  function choose(button) {
    var next = copy(state);
    if (button.name === "reset") {
      next = copy(defaults);
    } else if (button.name in defaults) {
      next[button.name] = button.value;
    } else {
      return;
    }
    applyState(next);
    announce(describe(button));
    save(button.name === "reset");
  }

  forms.forEach(function (each) {
    each.addEventListener("click", function (event) {
      var button = event.target.closest && event.target.closest("button[name]");
      if (!button || !each.contains(button)) { return; }
      event.preventDefault();
      choose(button);
    });
  });

  Array.prototype.forEach.call(form.querySelectorAll("[data-js-only]"), function (element) {
    element.hidden = false;
  });

  function openPanel() {
    if (!panel) { return; }
    panel.open = true;
    summary.focus();
  }

  var skip = document.querySelector("[data-skip-prefs]");
  if (skip) {
    skip.addEventListener("click", function (event) {
      event.preventDefault();
      openPanel();
    });
  }

  // Keyboard shortcuts: Alt+Shift+digit (the keyboard help page says why), by key position so
  // layouts that type digits with Shift work too; never while typing in a field.
  function editable(element) {
    return element && (element.isContentEditable ||
                       /^(INPUT|TEXTAREA|SELECT)$/.test(element.tagName));
  }

  function step(key, direction, wrap) {
    var buttons = buttonsOf(key).filter(function (button) { return form.contains(button); });
    var index = buttons.findIndex(function (button) { return button.value === state[key]; });
    var next = index + direction;
    if (wrap) { next = (next + buttons.length) % buttons.length; }
    if (next < 0 || next >= buttons.length) {
      announce(buttons[index] ? describe(buttons[index]) : "");
      return;
    }
    choose(buttons[next]);
  }

  function toggle(key) {
    var button = buttonsOf(key).filter(function (each) { return form.contains(each); })[0];
    if (button) { choose(button); }
  }

  var actions = {
    panel: function () {
      if (!panel) { return; }
      if (!panel.open) { openPanel(); return; }
      if (panel.contains(document.activeElement)) { summary.focus(); }
      panel.open = false;
    },
    scheme: function () { step("scheme", 1, true); },
    larger: function () { step("size", 1, false); },
    smaller: function () { step("size", -1, false); },
    spacing: function () { step("spacing", 1, true); },
    speech: function () {
      if (!speech.supported()) { announce(messages.unsupported); return; }
      step("speech", 1, true);
    },
    play: function () { speech.playOrPause(); },
    guide: function () { step("guide", 1, true); },
    cursor: function () { toggle("cursor"); },
    captions: function () { toggle("captions"); },
  };

  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && speech.busy()) { speech.stop(true); return; }
    if (!event.altKey || !event.shiftKey || event.ctrlKey || event.metaKey) { return; }
    var digit = /^Digit([0-9])$/.exec(event.code || "");
    var action = digit && actions[shortcuts[digit[1]]];
    if (!action || root.classList.contains("keys-off") || editable(event.target)) { return; }
    event.preventDefault();
    if (!event.repeat) { action(); }
  });

  // What a reading aid shows or says for an element under the pointer or in focus.
  var READABLE = "a[href], button, summary, label, h1, h2, h3, h4, h5, h6, p, li, dt, dd, " +
    "th, td, caption, figcaption, legend, blockquote, pre, img[alt], input, select, textarea, " +
    "[role=region]";
  var MAX_CAPTION = 240;

  function readableFrom(node) {
    var element = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!element || !element.closest || element.closest("[aria-hidden=true], .aid-dock")) {
      return null;
    }
    return element.closest(READABLE);
  }

  function textOf(element) {
    var text = element.getAttribute("aria-label") || "";
    var labelledBy = element.getAttribute("aria-labelledby");
    if (!text && labelledBy) {
      text = labelledBy.split(/\s+/).map(function (id) {
        var label = document.getElementById(id);
        return label ? label.textContent : "";
      }).join(" ");
    }
    if (!text && element.tagName === "IMG") { text = element.alt; }
    if (!text && element.labels && element.labels.length) {
      text = element.labels[0].innerText + " " + (element.value || "");
    }
    if (!text) { text = element.innerText || element.textContent || ""; }
    return text.replace(/\s+/g, " ").trim();
  }

  function speechLang(element) {
    var holder = element.closest("[lang]");
    var lang = (holder && holder.getAttribute("lang")) || root.lang || "zh-Hans";
    if (/^zh(-Hans|-CN|-SG)?$/i.test(lang) || /^zh-Hans/i.test(lang)) { return "zh-CN"; }
    if (/^zh-Hant/i.test(lang)) { return "zh-TW"; }
    return lang;
  }

  // Read aloud with the browser's speech synthesis. 指读 (point) reads what the pointer or
  // focus is on; 连读 (flow) reads on from a place to the end of the page, block by block.
  var speech = (function () {
    var synth = window.speechSynthesis;
    var supported = !!(synth && window.SpeechSynthesisUtterance);
    var BLOCKS = "h1, h2, h3, h4, h5, h6, p, li, dt, dd, caption, th, td, figcaption, " +
      "blockquote, pre";
    var run = 0;
    var flowing = false;
    var paused = false;
    var marked = null;
    var player = null;

    function voiceFor(lang) {
      var voices = synth.getVoices() || [];
      var wanted = lang.toLowerCase();
      var base = wanted.split("-")[0];
      var norm = function (voice) { return (voice.lang || "").replace("_", "-").toLowerCase(); };
      return voices.filter(function (voice) { return norm(voice) === wanted; })[0] ||
        voices.filter(function (voice) { return norm(voice).split("-")[0] === base; })[0] ||
        null;
    }

    function mark(element, className) {
      if (marked) { marked.classList.remove("aid-reading", "aid-pointed"); }
      marked = element;
      if (element) { element.classList.add(className); }
    }

    // Long texts are cut at sentence ends: some engines stop an utterance after a while.
    function chunks(text) {
      var parts = text.match(/[^。！？；!?;.]+[。！？；!?;.]*\s*/g) || [text];
      var result = [];
      parts.forEach(function (part) {
        var last = result.length - 1;
        if (last >= 0 && (result[last] + part).length <= 160) { result[last] += part; }
        else { result.push(part); }
      });
      return result;
    }

    function say(text, lang, done) {
      var mine = run;
      var parts = chunks(text);
      var speakPart = function (index) {
        if (mine !== run) { return; }
        if (index >= parts.length) { if (done) { done(); } return; }
        var utterance = new window.SpeechSynthesisUtterance(parts[index]);
        utterance.lang = lang;
        utterance.rate = Number(state.rate || 100) / 100;
        var voice = voiceFor(lang);
        if (voice) { utterance.voice = voice; }
        utterance.onend = function () { speakPart(index + 1); };
        utterance.onerror = function (event) {
          if (mine !== run || event.error === "interrupted" || event.error === "canceled") { return; }
          stop(false);
          if (synth.getVoices().length === 0) {
            // The browser has the interface but no voice to speak with: say so, once and for all.
            unsupported();
            announce(messages.unsupported);
          } else {
            announce(messages.error);
          }
        };
        synth.speak(utterance);
      };
      speakPart(0);
    }

    function blocks() {
      return Array.prototype.filter.call(document.body.querySelectorAll(BLOCKS), function (block) {
        var outer = block.parentElement && block.parentElement.closest(BLOCKS);
        return !outer && !block.closest(".prefs-bar, .aid-dock, [aria-hidden=true]") &&
          block.getClientRects().length > 0 && textOf(block) !== "";
      });
    }

    function stop(tell) {
      run += 1;
      flowing = false;
      paused = false;
      if (supported) { synth.cancel(); }
      mark(null);
      showPlayer(false);
      if (tell) { announce(messages.stopped); }
    }

    function readFrom(list, index) {
      if (index >= list.length) { stop(false); announce(messages.ends); return; }
      var block = list[index];
      mark(block, "aid-reading");
      block.scrollIntoView({block: "nearest",
                            behavior: reduceMotion && reduceMotion.matches ? "auto" : "smooth"});
      aids.caption(block);
      say(textOf(block), speechLang(block), function () { readFrom(list, index + 1); });
    }

    function flow(from) {
      if (!supported) { announce(messages.unsupported); return; }
      stop(false);
      var list = blocks();
      var start = from ? list.findIndex(function (block) {
        return block === from || block.contains(from) ||
          (from.compareDocumentPosition(block) & window.Node.DOCUMENT_POSITION_FOLLOWING) !== 0;
      }) : 0;
      flowing = true;
      showPlayer(true);
      readFrom(list, Math.max(start, 0));
    }

    function point(element) {
      if (!supported || flowing) { return; }
      run += 1;
      synth.cancel();
      mark(element, "aid-pointed");
      var text = textOf(element);
      if (text) { say(text, speechLang(element), function () { mark(null); }); }
    }

    function playOrPause() {
      if (!supported) { announce(messages.unsupported); return; }
      if (!flowing) { flow(aids.lastPlace() || document.querySelector("main h1")); return; }
      paused = !paused;
      if (paused) { synth.pause(); } else { synth.resume(); }
      labelButtons();
      announce(paused ? messages.pause : messages.resume);
    }

    function labelButtons() {
      var label = !flowing ? messages.play : paused ? messages.resume : messages.pause;
      Array.prototype.forEach.call(document.querySelectorAll("[data-speech-play]"),
                                   function (button) { button.textContent = label; });
    }

    // While reading on, a bar at the bottom offers pause and stop wherever the page is.
    function showPlayer(on) {
      if (on && !player) {
        player = document.createElement("div");
        player.className = "aid-player";
        player.setAttribute("data-aid", "player");
        player.setAttribute("role", "group");
        player.setAttribute("aria-label", messages.reading);
        var label = document.createElement("span");
        label.textContent = messages.reading;
        var pause = document.createElement("button");
        pause.type = "button";
        pause.setAttribute("data-speech-play", "");
        pause.addEventListener("click", playOrPause);
        var halt = document.createElement("button");
        halt.type = "button";
        halt.textContent = messages.stop;
        halt.addEventListener("click", function () { stop(true); });
        player.appendChild(label);
        player.appendChild(pause);
        player.appendChild(halt);
        aids.dock().insertBefore(player, aids.dock().firstChild);
      } else if (!on && player) {
        var hadFocus = player.contains(document.activeElement);
        player.remove();
        player = null;
        aids.tidyDock();
        if (hadFocus && summary) { summary.focus(); }
      }
      labelButtons();
      aids.fitDock();
    }

    if (supported && synth.addEventListener) {
      synth.addEventListener("voiceschanged", function () { synth.getVoices(); });
    }

    Array.prototype.forEach.call(document.querySelectorAll("[data-speech-play]"),
                                 function (button) { button.addEventListener("click", playOrPause); });
    Array.prototype.forEach.call(document.querySelectorAll("[data-speech-stop]"),
                                 function (button) { button.addEventListener("click", function () { stop(true); }); });
    function unsupported() {
      supported = false;
      Array.prototype.forEach.call(form.querySelectorAll("[data-speech-controls]"),
                                   function (element) { element.hidden = true; });
      Array.prototype.forEach.call(form.querySelectorAll("[data-speech-unsupported]"),
                                   function (element) { element.hidden = false; });
    }
    if (!supported) { unsupported(); }

    return {
      supported: function () { return supported; },
      busy: function () { return flowing || (supported && synth.speaking); },
      stop: stop,
      flow: flow,
      point: point,
      playOrPause: playOrPause,
      flowing: function () { return flowing; },
    };
  })();

  // The visual aids: reading guide (ruler or crosshair), captions, text-only alternatives.
  var aids = (function () {
    var guideKind = "off";
    var guideParts = [];
    var dockElement = null;
    var captionBar = null;
    var place = null;
    var pointer = null;
    var frame = 0;
    var dwell = 0;
    var lastPointed = null;

    function make(className) {
      var element = document.createElement("div");
      element.className = className;
      element.setAttribute("data-aid", className.slice(4));
      element.setAttribute("aria-hidden", "true");
      return element;
    }

    function dock() {
      if (!dockElement) {
        dockElement = document.createElement("div");
        dockElement.className = "aid-dock";
        dockElement.setAttribute("data-aid", "dock");
        document.body.appendChild(dockElement);
      }
      return dockElement;
    }

    // Keep the page's end reachable above the bar at the bottom.
    function fitDock() {
      var height = dockElement ? dockElement.offsetHeight : 0;
      document.body.style.paddingBottom = height ? height + "px" : "";
      root.style.scrollPaddingBottom = height ? height + "px" : "";
    }

    function tidyDock() {
      if (dockElement && !dockElement.firstChild) { dockElement.remove(); dockElement = null; }
      fitDock();
    }

    function setGuide(kind) {
      if (kind === guideKind) { return; }
      guideParts.forEach(function (part) { part.remove(); });
      guideParts = [];
      guideKind = kind;
      if (kind === "ruler") { guideParts = [make("aid-ruler")]; }
      if (kind === "cross") { guideParts = [make("aid-cross-h"), make("aid-cross-v")]; }
      guideParts.forEach(function (part) { document.body.appendChild(part); });
      if (pointer) { moveGuide(pointer.x, pointer.y); }
      else { moveGuide(window.innerWidth / 2, window.innerHeight / 3); }
    }

    function moveGuide(x, y) {
      if (guideKind === "ruler") {
        var ruler = guideParts[0];
        ruler.style.transform = "translateY(" + Math.round(y - ruler.offsetHeight / 2) + "px)";
      } else if (guideKind === "cross") {
        guideParts[0].style.transform = "translateY(" + Math.round(y - 1) + "px)";
        guideParts[1].style.transform = "translateX(" + Math.round(x - 1) + "px)";
      }
    }

    function setCaptions(on) {
      if (on && !captionBar) {
        captionBar = make("aid-captions");
        dock().appendChild(captionBar);
      } else if (!on && captionBar) {
        captionBar.remove();
        captionBar = null;
        tidyDock();
      }
      fitDock();
    }

    function caption(element) {
      if (!captionBar || !element) { return; }
      var text = textOf(element);
      captionBar.textContent = text.length > MAX_CAPTION ? text.slice(0, MAX_CAPTION) + "…" : text;
      captionBar.lang = (element.closest("[lang]") || root).getAttribute("lang") || "";
      fitDock();
    }

    // Text only: images go; an image's text alternative is shown in its place.
    function setTextOnly(on) {
      var shown = document.querySelectorAll(".aid-alt");
      if (!on) { Array.prototype.forEach.call(shown, function (span) { span.remove(); }); return; }
      if (shown.length) { return; }
      Array.prototype.forEach.call(document.querySelectorAll("main img[alt]"), function (image) {
        if (!image.alt.trim()) { return; }
        var span = document.createElement("span");
        span.className = "aid-alt";
        span.setAttribute("data-aid", "alt");
        span.textContent = format(messages.image, {alt: image.alt});
        image.insertAdjacentElement("afterend", span);
      });
    }

    function active() {
      return guideKind !== "off" || captionBar || state.speech === "point";
    }

    function pointAt(element) {
      if (!element || element === lastPointed) { return; }
      lastPointed = element;
      place = element;
      caption(element);
      if (state.speech === "point") { speech.point(element); }
    }

    document.addEventListener("pointermove", function (event) {
      pointer = {x: event.clientX, y: event.clientY};
      if (guideKind === "off" || frame) { return; }
      frame = window.requestAnimationFrame(function () {
        frame = 0;
        moveGuide(pointer.x, pointer.y);
      });
    }, {passive: true});

    document.addEventListener("mouseover", function (event) {
      if (!active()) { return; }
      window.clearTimeout(dwell);
      var element = readableFrom(event.target);
      dwell = window.setTimeout(function () { pointAt(element); }, 300);
    });

    document.addEventListener("focusin", function (event) {
      var element = readableFrom(event.target);
      if (element && !(form.contains(element) || element.closest(".aid-dock"))) {
        place = element;
      }
      if (!active() || !element) { return; }
      if (guideKind !== "off") {
        var box = event.target.getBoundingClientRect();
        moveGuide(box.left + Math.min(box.width / 2, 40), box.top + box.height / 2);
      }
      lastPointed = null;
      pointAt(element);
    });

    // In 连读 a click on text (not on a control) reads on from there.
    document.addEventListener("click", function (event) {
      if (state.speech !== "flow" || event.defaultPrevented) { return; }
      var target = event.target;
      if (target.closest("a, button, input, select, textarea, summary, label, .prefs-bar, " +
                         ".aid-dock")) { return; }
      var element = readableFrom(target);
      if (element) { speech.flow(element); }
    });

    function update() {
      setGuide(state.guide || "off");
      setCaptions(state.captions === "on");
      setTextOnly(state.textonly === "on");
      if (state.speech === "off" && speech.busy()) { speech.stop(false); }
      if (state.speech === "point" && speech.flowing()) { speech.stop(false); }
    }

    return {
      update: update,
      caption: caption,
      dock: dock,
      tidyDock: tidyDock,
      fitDock: fitDock,
      lastPlace: function () { return place; },
    };
  })();

  window.addEventListener("resize", aids.fitDock);
  aids.update();
})();
