// The one-page sheet editor of the admin (form[data-rubric-editor]).
//
// - Checks the totals as you type, beside each section, part and the sheet: the
//   items of a points-per-item section add up to its max, the sections of a
//   part to its total, and the parts to the sheet's total (sheets of parts that
//   add up), or each form equals it (a single form, alternative sub-sheets).
//   The server checks the same again on saving (scoring.rubric_rules).
// - Adds a part, a section or an item: a copy of the form's empty row
//   (<template data-template>), numbered in its formset, placed in its parent.
// - Greys out a row marked for deletion and leaves it, and what is in it, out
//   of the totals.
// Messages come from the form's data-msg-* attributes (by Django); no inline
// script (CSP).
(function () {
  "use strict";
  var form = document.querySelector("form[data-rubric-editor]");
  if (!form) return;
  var PREFIX = { part: "parts", section: "sections", item: "items" };
  var CHILD = { part: "section", section: "item" };

  function message(name, values) {
    return (form.dataset[name] || "").replace(/%\((\w+)\)s/g, function (match, key) {
      return key in values ? values[key] : match;
    });
  }

  // The row an element belongs to: the nearest [data-row] around it.
  function rowOf(element) {
    return element.closest("[data-row]");
  }

  // A field of this row itself ("parts-3-name"), not of a row inside it.
  function field(row, name) {
    var found = row.querySelectorAll('[name$="-' + name + '"]');
    for (var i = 0; i < found.length; i++) {
      if (rowOf(found[i]) === row) return found[i];
    }
    return null;
  }

  function number(row, name) {
    var input = field(row, name);
    if (!input || input.value.trim() === "") return null;
    var value = Number(input.value);
    return isNaN(value) ? null : value;
  }

  function isDeleted(row) {
    var box = field(row, "DELETE");
    return Boolean(box && box.checked);
  }

  // The rows directly inside a part or a section, not deleted.
  function children(row) {
    var kind = CHILD[row.dataset.row];
    var box = row.querySelector('[data-children="' + kind + '"]');
    if (!box) return [];
    return Array.prototype.filter.call(box.children, function (child) {
      return child.dataset.row === kind && !isDeleted(child);
    });
  }

  function show(row, text, ok) {
    var boxes = row.querySelectorAll("[data-check]");
    for (var i = 0; i < boxes.length; i++) {
      if (rowOf(boxes[i]) !== row) continue;
      boxes[i].textContent = text;
      boxes[i].classList.toggle("is-ok", Boolean(text) && ok);
      boxes[i].classList.toggle("is-bad", !ok);
    }
  }

  function sum(rows, name) {
    return rows.reduce(function (total, row) { return total + (number(row, name) || 0); }, 0);
  }

  function checkSection(section) {
    var items = children(section);
    var scoring = field(section, "scoring").value;
    if (scoring === "item_points") {
      var total = sum(items, "points");
      var max = number(section, "max_points") || 0;
      show(section, total === max ? message("msgSum", { sum: total })
        : message("msgItems", { sum: total, total: max }), total === max);
    } else if (scoring === "deduction") {
      // Points per occurrence, not adding up to anything: the server checks them.
      show(section, "", true);
    } else {
      var withPoints = items.some(function (item) { return number(item, "points") !== null; });
      show(section, withPoints ? message("msgCheckpoints", {}) : "", !withPoints);
    }
  }

  function checkPart(part) {
    var sections = children(part);
    sections.forEach(checkSection);
    if (form.dataset.kind !== "scored") return;
    var total = sum(sections, "max_points");
    var declared = number(part, "total_points") || 0;
    show(part, total === declared ? message("msgSum", { sum: total })
      : message("msgSections", { sum: total, total: declared }), total === declared);
  }

  function check() {
    var sheet = form.querySelector('[data-row="sheet"]');
    var parts = Array.prototype.filter.call(
      form.querySelector('[data-children="part"]').children,
      function (row) { return row.dataset.row === "part" && !isDeleted(row); }
    );
    parts.forEach(checkPart);
    if (form.dataset.kind !== "scored") return;
    var declared = number(sheet, "total_points") || 0;
    if (form.dataset.grouping === "parts") {
      var total = sum(parts, "total_points");
      show(sheet, total === declared ? message("msgSum", { sum: total })
        : message("msgParts", { sum: total, total: declared }), total === declared);
    } else {
      var wrong = parts.filter(function (part) {
        return (number(part, "total_points") || 0) !== declared;
      }).map(function (part) { return field(part, "name").value || "?"; });
      show(sheet, wrong.length ? message("msgEach", { total: declared, parts: wrong.join("、") })
        : "", !wrong.length);
    }
  }

  // Rows added on this page are "n<kind letter><n>"; after a refused save they
  // come back, so the numbering goes on from the highest.
  var added = 0;
  Array.prototype.forEach.call(form.querySelectorAll('[name$="-ref"]'), function (input) {
    var match = /^n[a-z](\d+)$/.exec(input.value);
    if (match) added = Math.max(added, Number(match[1]));
  });

  function addRow(kind, owner) {
    var total = form.querySelector('[name="' + PREFIX[kind] + '-TOTAL_FORMS"]');
    var template = form.querySelector('template[data-template="' + kind + '"]');
    var index = Number(total.value);
    var holder = document.createElement(kind === "item" ? "tbody" : "div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.querySelector('[data-row="' + kind + '"]');
    total.value = String(index + 1);
    added += 1;
    field(row, "ref").value = "n" + kind.charAt(0) + added;
    var box = kind === "part" ? form.querySelector('[data-children="part"]')
      : owner.querySelector('[data-children="' + kind + '"]');
    if (kind !== "part") field(row, "parent").value = field(owner, "ref").value;
    var last = Array.prototype.reduce.call(box.children, function (highest, sibling) {
      return Math.max(highest, number(sibling, "order") || 0);
    }, -1);
    field(row, "order").value = String(last + 1);
    box.appendChild(row);
    var first = row.querySelector('input:not([type="hidden"]):not([name$="-order"]), select');
    if (first) first.focus();
    check();
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("[data-add]");
    if (!button || !form.contains(button)) return;
    event.preventDefault();
    var kind = button.dataset.add;
    addRow(kind, kind === "part" ? form : rowOf(button));
  });

  form.addEventListener("change", function (event) {
    if (/-DELETE$/.test(event.target.name || "")) {
      rowOf(event.target).classList.toggle("is-deleted", event.target.checked);
    }
    check();
  });
  form.addEventListener("input", check);
  check();
})();
