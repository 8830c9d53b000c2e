// The report tables form (/admin/reports/<slug>/): checks the statutory tables as staff type.
// Progressive enhancement only: without this file the server checks everything on submit.
// The rules are not written here. The form carries them as data (data-rules, made by
// portal.reports.script_rules from the very equations and bounds rules.py checks): the number
// syntax and bounds of R7, each cell's words, and every equation of R1-R6 with its message.
// This file only reads a cell the way portal.reports.parse_value does, adds up, and fills in
// the messages, in the order the server lists them (tests compare the two on examples).
// The list of problems and the sums beside the totals follow every change; what appeared or
// was solved is said once typing pauses, in a polite live region; focus never moves.
(function () {
  "use strict";

  var form = document.getElementById("report-form");
  if (!form || !String.prototype.normalize || typeof BigInt !== "function") { return; }
  var rules = JSON.parse(form.getAttribute("data-rules"));
  var panel = document.getElementById("report-check");
  var title = document.getElementById("report-check-title");
  var list = document.getElementById("report-check-list");
  var result = document.getElementById("report-check-result");
  var status = document.getElementById("report-check-status");
  var words = {
    title: form.getAttribute("data-msg-title"),
    found: form.getAttribute("data-msg-found"),
    passed: form.getAttribute("data-msg-passed"),
    warning: form.getAttribute("data-msg-warning"),
    added: form.getAttribute("data-msg-new"),
    solved: form.getAttribute("data-msg-solved")
  };
  var ANNOUNCE_AFTER = 700;  // ms without typing before what changed is said
  var ANNOUNCED_AT_MOST = 3;
  var integer = new RegExp(rules.integer);
  var decimal = new RegExp(rules.decimal);
  var space = new RegExp("^[" + rules.space + "]+|[" + rules.space + "]+$", "g");
  var MAX = BigInt(rules.max);
  var keys = rules.order;
  var position = {};
  keys.forEach(function (key, index) { position[key] = index; });

  function fill(template, values) {
    return template.replace(/\{(\w+)\}/g, function (whole, name) {
      return Object.prototype.hasOwnProperty.call(values, name) ? values[name] : whole;
    });
  }

  function codePoints(text) { return Array.from(text); }

  // A cell's text as portal.reports.parse_value reads it.
  function read(text, isDecimal) {
    text = text.normalize("NFKC").replace(space, "");
    if (!text) { return { kind: "missing" }; }
    if (codePoints(text).length > rules.longest) { return { kind: "text", text: text }; }
    if (!isDecimal && integer.test(text)) { return { kind: "integer", value: BigInt(text) }; }
    if (decimal.test(text)) { return { kind: "decimal", text: text }; }
    return { kind: "text", text: text };
  }

  // A decimal as Python's Decimal writes it (format "f"): no "+", no leading zeros.
  function decimalParts(text) {
    var negative = text.charAt(0) === "-";
    var body = text.replace(/^[+-]/, "").split(".");
    return {
      negative: negative,
      whole: BigInt(body[0]),
      fraction: body.length > 1 ? body[1] : null
    };
  }

  function shownDecimal(parts) {
    return (parts.negative ? "-" : "") + parts.whole.toString() +
      (parts.fraction !== null ? "." + parts.fraction : "");
  }

  function isZero(parts) {
    return parts.whole === BigInt(0) && !/[1-9]/.test(parts.fraction || "");
  }

  function overMax(parts) {
    return parts.whole > MAX || (parts.whole === MAX && /[1-9]/.test(parts.fraction || ""));
  }

  // R7 for one cell, as portal.reports.value_problem: {count} when it is allowed, else
  // {message} (and {missing} for a blank cell).
  function judge(key, text) {
    var cell = rules.cells[key];
    var value = read(text, cell.decimal);
    var shown, tooLarge = false;
    if (value.kind === "missing") {
      return { missing: true, message: fill(rules.messages.missing, { where: cell.where }) };
    }
    if (value.kind === "integer") {
      if (value.value >= BigInt(0) && value.value <= MAX) { return { count: Number(value.value) }; }
      tooLarge = value.value > MAX;
      shown = value.value.toString();
    } else if (value.kind === "decimal") {
      var parts = decimalParts(value.text);
      if (cell.decimal && (isZero(parts) || !parts.negative) && !overMax(parts)) {
        return { count: null };
      }
      tooLarge = cell.decimal && !parts.negative && overMax(parts);
      shown = shownDecimal(parts);
    } else {
      shown = value.text;
    }
    var points = codePoints(shown);
    if (points.length > rules.shown) { shown = points.slice(0, rules.shown).join("") + "…"; }
    var expected = tooLarge ? rules.messages.too_large
      : (cell.decimal ? rules.messages.amount : rules.messages.count);
    return { message: fill(rules.messages.wrong, { where: cell.where, expected: expected, value: shown }) };
  }

  function sum(numbers) { return numbers.reduce(function (a, b) { return a + b; }, 0); }

  function sideNumbers(terms, counts) {
    return terms.map(function (term) {
      if (term.constant !== null) { return term.constant; }
      return sum(term.cells.map(function (key) { return counts[key]; }));
    });
  }

  function judgeable(equation, counts) {
    return equation.cells.every(function (key) { return typeof counts[key] === "number"; });
  }

  function side(terms, numbers) {
    var text = terms.map(function (term) { return term.label; }).join("+") + " = " + numbers.join("+");
    return terms.length > 1 ? text + " = " + sum(numbers) : text;
  }

  // Every problem, as portal.reports.check_entry lists them: broken equations in their order,
  // then R7 cell by cell, many blank cells as one, sorted by where their first cell stands.
  function check() {
    var counts = {}, valueProblems = [], blank = [];
    keys.forEach(function (key) {
      var found = judge(key, form.elements[key] ? form.elements[key].value : "");
      if (found.message === undefined) {
        counts[key] = found.count;
        return;
      }
      if (found.missing) { blank.push(key); }
      valueProblems.push({ rule: "R7", severity: "error", cells: [key], message: found.message,
        id: "R7 " + key, missing: !!found.missing });
    });
    var problems = [];
    rules.equations.forEach(function (equation, index) {
      if (!judgeable(equation, counts)) { return; }
      var left = sideNumbers(equation.left, counts), right = sideNumbers(equation.right, counts);
      if (sum(left) === sum(right)) { return; }
      var values = Object.assign({}, equation.values, {
        left: side(equation.left, left),
        right: side(equation.right, right),
        left_sum: String(sum(left)),
        right_sum: String(sum(right))
      });
      problems.push({ rule: equation.rule, severity: equation.severity, cells: equation.cells,
        message: fill(equation.message, values), id: equation.rule + " " + index });
    });
    problems = problems.concat(valueProblems);
    if (blank.length > rules.missing_listed) {
      problems = problems.filter(function (problem) { return !problem.missing; });
      problems.push({ rule: "R7", severity: "error", cells: blank, id: "R7 blank",
        message: fill(rules.messages.missing_many,
          { count: String(blank.length), where: rules.cells[blank[0]].where }) });
    }
    function first(problem) {
      return Math.min.apply(null, problem.cells.map(function (key) { return position[key]; }));
    }
    return problems
      .map(function (problem, index) { return { problem: problem, index: index }; })
      .sort(function (a, b) { return first(a.problem) - first(b.problem) || a.index - b.index; })
      .map(function (entry) { return entry.problem; });
  }

  function cellId(key) { return "cell-" + key.replace(/\./g, "-"); }

  function showSums(counts) {
    rules.equations.forEach(function (equation) {
      if (!equation.total) { return; }
      var output = document.getElementById("sum-" + equation.rule + "-" + cellId(equation.total));
      if (!output) { return; }
      var parts = equation.left.length === 1 ? equation.right : equation.left;
      var cells = [];
      parts.forEach(function (term) { cells = cells.concat(term.cells); });
      var known = cells.every(function (key) { return typeof counts[key] === "number"; });
      output.querySelector(".cell-sum-value").textContent =
        known ? String(sideNumbers(parts, counts).reduce(function (a, b) { return a + b; }, 0)) : "–";
    });
  }

  function currentCounts() {
    var counts = {};
    keys.forEach(function (key) {
      var found = judge(key, form.elements[key] ? form.elements[key].value : "");
      if (found.message === undefined) { counts[key] = found.count; }
    });
    return counts;
  }

  function describe(problems) {
    var byCell = {}, invalid = {};
    problems.forEach(function (problem, index) {
      problem.cells.forEach(function (key) {
        (byCell[key] = byCell[key] || []).push("problem-" + (index + 1));
        if (problem.severity === "error") { invalid[key] = true; }
      });
    });
    keys.forEach(function (key) {
      var input = form.elements[key];
      if (!input) { return; }
      var kept = (input.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && id.indexOf("problem-") !== 0;
      });
      var ids = kept.concat(byCell[key] || []);
      if (ids.length) { input.setAttribute("aria-describedby", ids.join(" ")); }
      else { input.removeAttribute("aria-describedby"); }
      if (invalid[key]) { input.setAttribute("aria-invalid", "true"); }
      else { input.removeAttribute("aria-invalid"); }
    });
  }

  function show(problems) {
    list.textContent = "";
    problems.forEach(function (problem, index) {
      var item = document.createElement("li");
      item.id = "problem-" + (index + 1);
      item.className = "report-problem-" + problem.severity;
      var link = document.createElement("a");
      link.href = "#" + cellId(problem.cells[0]);
      var rule = document.createElement("strong");
      rule.className = "report-rule";
      rule.textContent = problem.rule;
      link.appendChild(rule);
      link.appendChild(document.createTextNode(
        (problem.severity === "warning" ? words.warning : "") + " " + problem.message));
      item.appendChild(link);
      list.appendChild(item);
    });
    result.textContent = problems.length ? fill(words.found, { count: String(problems.length) })
      : words.passed;
    describe(problems);
  }

  // What was last said (or shown when the page came): problem id -> message. Only what
  // changes after it is announced.
  var said = byId(check());
  var timer = null;

  function byId(problems) {
    var found = {};
    problems.forEach(function (problem) { found[problem.id] = problem.message; });
    return found;
  }

  function announce() {
    timer = null;
    var before = said;
    var now = byId(check());
    var added = Object.keys(now).filter(function (id) { return !(id in before); });
    var solved = Object.keys(before).filter(function (id) { return !(id in now); });
    said = now;
    var sentences = added.slice(0, ANNOUNCED_AT_MOST).map(function (id) {
      return words.added + now[id];
    }).concat(solved.slice(0, ANNOUNCED_AT_MOST).map(function (id) {
      return words.solved + before[id];
    }));
    if (sentences.length) { status.textContent = sentences.join(" "); }
  }

  function update() {
    if (panel.getAttribute("role") === "alert") {
      // The server's summary was said when the page loaded; from now on changes are polite.
      panel.removeAttribute("role");
      title.textContent = words.title;
    }
    show(check());
    showSums(currentCounts());
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(announce, ANNOUNCE_AFTER);
  }

  form.addEventListener("input", function (event) {
    if (event.target && event.target.classList && event.target.classList.contains("cell-input")) {
      update();
    }
  });
}());
