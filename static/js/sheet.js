// A score sheet in the field: scores by touch, and the running score.
//
// The buttons of an item are radios of a name the server ignores ("pick:…");
// choosing one writes its value into the item's input, which is what is saved,
// and typing into the input lights the button of that value, if any.
//
// The running score is the server's scoring engine (the same code that scores
// the saved sheet); this only sends the form and shows the answer: the score of
// the valid answers, each refused value marked on its own input with the reason
// beside it, and no grade until something is scored.
(function () {
  "use strict";
  const form = document.getElementById("sheet-form");
  if (!form) return;

  // --- scores by touch ----------------------------------------------------

  const sameNumber = (a, b) => a.trim() !== "" && b.trim() !== "" && Number(a) === Number(b);

  function lightPicks(input) {
    form.querySelectorAll('[data-score-pick="' + input.id + '"]').forEach((radio) => {
      radio.checked = sameNumber(radio.value, input.value);
    });
  }

  form.addEventListener("change", (event) => {
    const radio = event.target;
    if (!radio.dataset || !radio.dataset.scorePick) return;
    const input = document.getElementById(radio.dataset.scorePick);
    if (!input || !radio.checked) return;
    input.value = radio.value;
    input.dispatchEvent(new Event("input", { bubbles: true }));
  });
  form.addEventListener("input", (event) => {
    if (event.target.classList && event.target.classList.contains("score-input")) {
      lightPicks(event.target);
    }
  });
  // A draft restored into the inputs (drafts.js) lights its buttons too.
  form.querySelectorAll(".score-input").forEach(lightPicks);

  // --- photos from an item's row -------------------------------------------

  // Sent at once, without leaving the page: what was typed stays as it is. A
  // sheet not saved yet keeps its photos until its first save.
  form.addEventListener("change", async (event) => {
    const input = event.target;
    if (!input.dataset || !input.dataset.evidenceKey || !input.files.length) return;
    const key = input.dataset.evidenceKey;
    const error = form.querySelector('[data-evidence-error="' + key + '"]');
    const list = form.querySelector('[data-evidence-list="' + key + '"]');
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (error) error.textContent = "";
    for (const file of Array.from(input.files)) {
      const body = new FormData();
      body.append("file", file);
      body.append("item_key", key);
      body.append("specialist", form.dataset.specialist);
      if (token) body.append("csrfmiddlewaretoken", token.value);
      let data;
      try {
        const response = await fetch(form.dataset.evidenceUrl, {
          method: "POST",
          body: body,
          headers: { "X-Requested-With": "fetch" },
          credentials: "same-origin",
        });
        data = await response.json();
      } catch (failure) {
        data = { error: form.dataset.uploadFailed || String(failure) };
      }
      if (data.error) {
        if (error) error.textContent = data.error;
        break;
      }
      if (list) list.innerHTML = data.html; // the server's own rendering, escaped there
    }
    input.value = "";
  });

  // --- the running score ----------------------------------------------------

  if (!form.dataset.previewUrl) return;
  const text = (id, value) => {
    const node = document.getElementById(id);
    if (node) node.textContent = value;
  };
  let timer = null;
  let sequence = 0;

  // Marks set by the running score, so the next answer can clear them; marks
  // the server rendered after a refused save stay until that input changes.
  const marked = new Map();

  function feedbackFor(input) {
    const id = input.id + "-error";
    let node = document.getElementById(id);
    if (!node) {
      node = document.createElement("div");
      node.id = id;
      node.className = "invalid-feedback d-block";
      input.insertAdjacentElement("afterend", node);
    }
    return node;
  }

  function mark(input, messages) {
    input.classList.add("is-invalid");
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", input.id + "-error");
    feedbackFor(input).textContent = messages.join("；");
    marked.set(input.name, input);
  }

  function unmark(input) {
    input.classList.remove("is-invalid");
    input.removeAttribute("aria-invalid");
    input.removeAttribute("aria-describedby");
    const node = document.getElementById(input.id + "-error");
    if (node) node.remove();
  }

  function showProblems(problems) {
    const unplaced = [];
    const now = new Set();
    for (const [name, messages] of Object.entries(problems)) {
      const input = name ? form.elements.namedItem(name) : null;
      if (input && input.id && !(input instanceof RadioNodeList)) {
        mark(input, messages);
        now.add(name);
      } else {
        unplaced.push(...messages);
      }
    }
    for (const [name, input] of marked) {
      if (!now.has(name)) {
        unmark(input);
        marked.delete(name);
      }
    }
    text("score-errors", unplaced.join("；"));
  }

  async function preview() {
    const mine = ++sequence;
    // FormData leaves out disabled controls, and a read-only sheet disables
    // them all: collect the values ourselves so it shows its score too.
    const body = new FormData();
    for (const field of form.elements) {
      if (!field.name || field.type === "file" || field.name.startsWith("pick:")) continue;
      if ((field.type === "checkbox" || field.type === "radio") && !field.checked) continue;
      body.append(field.name, field.value);
    }
    let data;
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        body: body,
        headers: { "X-Requested-With": "fetch" },
        credentials: "same-origin",
      });
      if (!response.ok) return;
      data = await response.json();
    } catch (error) {
      return; // offline for a moment: the saved score is computed on submit anyway
    }
    if (mine !== sequence) return;
    showProblems(data.problems);
    text("score-total", data.score);
    text("score-max", data.max);
    text("score-percent", data.percent === null ? "—" : data.percent);
    text("score-grade", data.grade || "—");
    document.querySelectorAll("[data-part-score]").forEach((node) => {
      const part = data.parts[node.dataset.partScore];
      node.textContent = part ? (part.observed ? part.score + " / " + part.max : "—") : "—";
    });
    document.querySelectorAll("[data-section-score]").forEach((node) => {
      const part = data.parts[node.dataset.partKey];
      const value = part && part.sections[node.dataset.sectionScore];
      node.textContent = value === undefined ? "—" : value;
    });
  }

  function schedule(event) {
    // An input changed by hand loses the mark the server put on it after a refused save.
    if (event && event.target && event.target.classList.contains("is-invalid")) {
      if (!marked.has(event.target.name)) unmark(event.target);
    }
    clearTimeout(timer);
    timer = setTimeout(preview, 150);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  preview();
})();
