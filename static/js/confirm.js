// Confirmation in the page before a weighty post (submit, approve, return,
// redraw, remind, delete): a form, or the submit button that sends it, carries
// data-confirm="the question"; data-confirm-ok may name the confirming button
// (else the button's own text). The post is held back and a Bootstrap modal
// asks; "confirm" sends it again with the same button (so name=value of that
// button, e.g. decision=approve, still goes), "cancel" sends nothing.
// Without JavaScript the form is simply sent. Texts come from #confirm-texts
// (by Django); no inline script (CSP).
(function () {
  "use strict";
  var texts = document.getElementById("confirm-texts");
  if (!texts || !window.bootstrap || !window.bootstrap.Modal) return;

  var root = null;
  var modal = null;
  var pending = null;

  function part(role) {
    return root.querySelector('[data-role="' + role + '"]');
  }

  function build() {
    root = document.createElement("div");
    root.className = "modal fade";
    root.id = "confirm-modal";
    root.tabIndex = -1;
    root.setAttribute("aria-labelledby", "confirm-modal-title");
    root.setAttribute("aria-hidden", "true");
    root.setAttribute("data-testid", "confirm-modal");
    // Fixed markup only: every text goes in through textContent.
    root.innerHTML =
      '<div class="modal-dialog modal-dialog-centered"><div class="modal-content">' +
      '<div class="modal-header"><h2 class="modal-title h5" id="confirm-modal-title" data-role="title"></h2>' +
      '<button type="button" class="btn-close" data-bs-dismiss="modal" data-role="close"></button></div>' +
      '<div class="modal-body"><p class="mb-0" data-role="message"></p></div>' +
      '<div class="modal-footer">' +
      '<button type="button" class="btn btn-outline-secondary" data-bs-dismiss="modal" data-role="cancel"></button>' +
      '<button type="button" class="btn btn-primary" data-role="ok"></button>' +
      "</div></div></div>";
    part("title").textContent = texts.dataset.title || "";
    part("cancel").textContent = texts.dataset.cancel || "";
    part("close").setAttribute("aria-label", texts.dataset.cancel || "");
    document.body.appendChild(root);
    modal = new window.bootstrap.Modal(root);
    part("ok").addEventListener("click", send);
    root.addEventListener("shown.bs.modal", function () { part("ok").focus(); });
    root.addEventListener("hidden.bs.modal", function () { pending = null; });
  }

  function send() {
    var held = pending;
    pending = null;
    modal.hide();
    if (!held) return;
    var form = held.form;
    var submitter = held.submitter;
    // The submit event this raises passes the check below once.
    form.dataset.confirmed = "1";
    try {
      if (typeof form.requestSubmit === "function") {
        if (submitter) form.requestSubmit(submitter);
        else form.requestSubmit();
      } else {
        if (submitter && submitter.name) {
          var input = document.createElement("input");
          input.type = "hidden";
          input.name = submitter.name;
          input.value = submitter.value;
          form.appendChild(input);
        }
        form.submit();
      }
    } finally {
      delete form.dataset.confirmed;
    }
  }

  function ask(form, submitter, message) {
    if (!root) build();
    pending = { form: form, submitter: submitter };
    part("message").textContent = message;
    var source = submitter || form;
    var label = source.getAttribute("data-confirm-ok") ||
      (submitter && submitter.textContent.trim()) || texts.dataset.ok || "";
    part("ok").textContent = label;
    modal.show();
  }

  // Capturing on the document, before the form's own handlers (local drafts)
  // see a post that may yet be cancelled.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    if (form.dataset.confirmed === "1") return;
    var submitter = event.submitter || null;
    var message = (submitter && submitter.getAttribute("data-confirm")) ||
      form.getAttribute("data-confirm");
    if (!message) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    ask(form, submitter, message);
  }, true);
})();
