// Report jobs: poll each job's status (JSON) until it is done or failed, and
// show its progress, its error or its download link. A campaign's reports list
// ([data-report-list]) is followed the same way while any of its jobs is queued
// or running: its rows ([data-report-row]) show each job's state and download
// link, and polling stops once none is under way. No inline script: the cards
// and the list carry their status URL in data-status-url.
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

  // Ask `url` for its JSON until `update(data)` returns true (done), or after
  // ten failures in a row.
  function poll(url, update) {
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
        if (update(data)) return;
      }
      if (failures > 10) return;
      // Every 1.5 s for the first minute, then every 5 s.
      const delay = Date.now() - started < 60000 ? 1500 : 5000;
      window.setTimeout(tick, delay);
    }
    tick();
  }

  function renderRow(row, data) {
    const link = row.querySelector('[data-role="job"]');
    if (data.job && link) {
      link.href = data.job_url;
      setText(row, "state", data.job.state_label);
      setText(row, "requested", data.requested_at);
    }
    show(link, Boolean(data.job));
    show(row.querySelector('[data-role="none"]'), !data.job);
    const download = row.querySelector('[data-role="download"]');
    if (download && data.download_url) download.href = data.download_url;
    show(download, Boolean(data.download_url));
    const build = row.querySelector('[data-role="build"]');
    if (build && data.job && build.dataset.rebuild) build.textContent = build.dataset.rebuild;
  }

  document.querySelectorAll("[data-report-job]").forEach(function (card) {
    const bar = card.querySelector('[data-role="bar"]');
    if (bar) bar.style.width = (Number(bar.dataset.progress) || 0) + "%";
    if (card.dataset.finished !== "1" && card.dataset.statusUrl) {
      poll(card.dataset.statusUrl, function (data) {
        render(card, data);
        return data.finished;
      });
    }
  });

  document.querySelectorAll("[data-report-list]").forEach(function (list) {
    if (list.dataset.unfinished !== "1" || !list.dataset.statusUrl) return;
    poll(list.dataset.statusUrl, function (data) {
      list.querySelectorAll("[data-report-row]").forEach(function (row) {
        const rowData = data.rows[row.dataset.reportRow];
        if (rowData) renderRow(row, rowData);
      });
      list.dataset.unfinished = data.unfinished ? "1" : "0";
      return !data.unfinished;
    });
  });
})();
