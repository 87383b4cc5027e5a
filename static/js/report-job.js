// Report jobs: poll each job's status (JSON) until it is done or failed, and
// show its progress, its error or its download link. No inline script: the
// cards carry their status URL in data-status-url.
(function () {
  "use strict";

  function show(node, visible) {
    if (node) node.hidden = !visible;
  }

  function setText(card, role, value) {
    const node = card.querySelector('[data-role="' + role + '"]');
    if (node) node.textContent = value;
    return node;
  }

  function sizeLabel(bytes) {
    if (bytes === null || bytes === undefined) return "";
    if (bytes < 1024) return bytes + " B";
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(1) + " KB";
    return (bytes / 1024 / 1024).toFixed(1) + " MB";
  }

  function render(card, data) {
    const bar = card.querySelector('[data-role="bar"]');
    const progress = card.querySelector('[data-role="progress"]');
    const percent = Math.max(0, Math.min(100, Number(data.progress) || 0));
    if (bar) {
      bar.style.width = percent + "%";
      bar.classList.toggle("progress-bar-striped", !data.finished);
      bar.classList.toggle("progress-bar-animated", !data.finished);
      bar.classList.toggle("bg-success", data.state === "done");
      bar.classList.toggle("bg-danger", data.state === "failed");
    }
    if (progress) progress.setAttribute("aria-valuenow", String(percent));
    setText(card, "state", data.state_label);
    setText(card, "percent", String(percent));
    const error = setText(card, "error", data.error || "");
    show(error, Boolean(data.error));
    const download = card.querySelector('[data-role="download"]');
    const link = card.querySelector('[data-role="download-link"]');
    if (data.download_url && link) {
      link.href = data.download_url;
      setText(card, "file", data.file_name + " · " + sizeLabel(data.size));
    }
    show(download, Boolean(data.download_url));
  }

  function poll(card) {
    const url = card.dataset.statusUrl;
    const started = Date.now();
    let failures = 0;

    async function tick() {
      let data = null;
      try {
        const response = await fetch(url, {
          headers: { Accept: "application/json", "X-Requested-With": "fetch" },
          credentials: "same-origin",
          cache: "no-store",
        });
        if (response.ok) data = await response.json();
        else failures += 1;
      } catch (error) {
        failures += 1;
      }
      if (data) {
        failures = 0;
        render(card, data);
        if (data.finished) return;
      }
      if (failures > 10) return;
      // Every 1.5 s for the first minute, then every 5 s.
      const delay = Date.now() - started < 60000 ? 1500 : 5000;
      window.setTimeout(tick, delay);
    }
    tick();
  }

  document.querySelectorAll("[data-report-job]").forEach(function (card) {
    const bar = card.querySelector('[data-role="bar"]');
    if (bar) bar.style.width = (Number(bar.dataset.progress) || 0) + "%";
    if (card.dataset.finished !== "1" && card.dataset.statusUrl) poll(card);
  });
})();
