// Local drafts for the visit forms (forms marked data-draft): nothing typed is lost.
//
// - Every change is kept in this browser's localStorage, per page and form.
// - Leaving the page with unsaved changes asks first (beforeunload).
// - A draft left behind (the page was closed, the connection dropped, or the
//   session expired and the save went to the log-in page) is offered back when
//   the page is opened again: restore or discard.
// - A draft is dropped once the server confirms a save (a success message).
// - Drafts are kept per user (a shared tablet never offers one person's typing
//   to the next) and cleared at log-out; drafts older than a week are dropped.
// Texts and the user come from #draft-texts (by Django); no inline script (CSP).
(function () {
  "use strict";
  var texts = document.getElementById("draft-texts");
  if (!texts || !window.localStorage) return;
  var owner = texts.dataset.owner || "";
  var prefix = "draft:" + owner + ":";
  var WEEK = 7 * 24 * 3600 * 1000;

  function dropDrafts(test) {
    var keys = [];
    for (var i = 0; i < window.localStorage.length; i++) {
      var key = window.localStorage.key(i);
      if (key && key.indexOf("draft:") === 0 && test(key)) keys.push(key);
    }
    keys.forEach(function (key) { window.localStorage.removeItem(key); });
  }

  // Old drafts (any user's) go; this user's go when they log out.
  dropDrafts(function (key) {
    try { return Date.now() - (JSON.parse(window.localStorage.getItem(key)).at || 0) > WEEK; }
    catch (e) { return true; }
  });
  Array.prototype.forEach.call(document.querySelectorAll("form[data-logout]"), function (form) {
    form.addEventListener("submit", function () {
      dropDrafts(function (key) { return key.indexOf(prefix) === 0; });
    });
  });

  var forms = document.querySelectorAll("form[data-draft]");
  if (!owner || !forms.length) return;
  var saved = document.querySelector(".alert-success") !== null;

  function keyOf(form, index) {
    return prefix + window.location.pathname + ":" + (form.id || index);
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && !el.disabled && el.type !== "file" && el.type !== "hidden" &&
        el.type !== "submit" && el.type !== "button";
    });
  }

  function snapshot(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if (el.type === "radio") {
        if (el.checked) values[el.name] = el.value;
        else if (!(el.name in values)) values[el.name] = null;
      } else if (el.type === "checkbox") {
        values[el.name] = el.checked;
      } else {
        values[el.name] = el.value;
      }
    });
    return values;
  }

  function apply(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (!(el.name in values)) return;
      var value = values[el.name];
      if (el.type === "radio") el.checked = value !== null && el.value === value;
      else if (el.type === "checkbox") el.checked = !!value;
      else el.value = value;
      el.dispatchEvent(new Event("input", { bubbles: true }));
      el.dispatchEvent(new Event("change", { bubbles: true }));
    });
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  Array.prototype.forEach.call(forms, function (form, index) {
    var key = keyOf(form, index);
    var initial = snapshot(form);
    var dirty = false;
    var submitting = false;
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { stored = null; }

    if (stored && stored.submitted && (saved || same(stored.values, initial))) {
      window.localStorage.removeItem(key);  // the server confirmed the save
      stored = null;
    }
    if (stored && !same(stored.values, initial)) {
      offer(form, key, stored);
    }

    function keep() {
      var values = snapshot(form);
      dirty = !same(values, initial);
      if (dirty) {
        window.localStorage.setItem(key, JSON.stringify({ values: values, at: Date.now() }));
      } else {
        window.localStorage.removeItem(key);
      }
    }
    form.addEventListener("input", keep);
    form.addEventListener("change", keep);
    form.addEventListener("submit", function () {
      submitting = true;
      var values = snapshot(form);
      if (!same(values, initial)) {
        window.localStorage.setItem(
          key, JSON.stringify({ values: values, at: Date.now(), submitted: true }));
      }
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  });

  function offer(form, key, stored) {
    var banner = document.createElement("div");
    banner.className = "alert alert-warning d-flex flex-wrap align-items-center gap-2";
    banner.setAttribute("role", "alert");
    banner.setAttribute("data-testid", "draft-banner");
    var when = new Date(stored.at || Date.now());
    var text = document.createElement("span");
    text.className = "me-auto";
    text.textContent = texts.dataset.found.replace("{time}", when.toLocaleString());
    var restore = document.createElement("button");
    restore.type = "button";
    restore.className = "btn btn-sm btn-warning";
    restore.textContent = texts.dataset.restore;
    restore.setAttribute("data-testid", "draft-restore");
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary";
    discard.textContent = texts.dataset.discard;
    restore.addEventListener("click", function () {
      apply(form, stored.values);
      banner.remove();
    });
    discard.addEventListener("click", function () {
      window.localStorage.removeItem(key);
      banner.remove();
    });
    banner.append(text, restore, discard);
    form.parentNode.insertBefore(banner, form);
  }
})();
