// Running score of a score sheet: the server's scoring engine computes it
// (the same code that scores the saved sheet); this only sends the form.
(function () {
  "use strict";
  const form = document.getElementById("sheet-form");
  if (!form || !form.dataset.previewUrl) return;
  const text = (id, value) => {
    const node = document.getElementById(id);
    if (node) node.textContent = value;
  };
  let timer = null;
  let sequence = 0;

  async function preview() {
    const mine = ++sequence;
    // FormData leaves out disabled controls, and a read-only sheet disables
    // them all: collect the values ourselves so it shows its score too.
    const body = new FormData();
    for (const field of form.elements) {
      if (!field.name || field.type === "file") continue;
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
    const errors = document.getElementById("score-errors");
    if (!data.ok) {
      if (errors) errors.textContent = data.errors.join("；");
      return;
    }
    if (errors) errors.textContent = "";
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

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(preview, 250);
  }
  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  preview();
})();
