// A checklist by touch: "all compliant" answers yes on every row not answered
// yet (rows already answered keep their answer), and a "no" takes the eye to
// its remark, which the save requires.
(function () {
  "use strict";
  const form = document.getElementById("checklist-form");
  if (!form) return;
  const button = form.querySelector("[data-all-compliant]");
  if (button) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const groups = new Map();
      form.querySelectorAll('input[type="radio"][name^="answer-"]').forEach((radio) => {
        if (!groups.has(radio.name)) groups.set(radio.name, []);
        groups.get(radio.name).push(radio);
      });
      for (const radios of groups.values()) {
        if (radios.some((radio) => radio.checked)) continue;
        const yes = radios.find((radio) => radio.value === "yes");
        if (yes && !yes.disabled) {
          yes.checked = true;
          yes.dispatchEvent(new Event("change", { bubbles: true }));
        }
      }
    });
  }
  form.addEventListener("change", (event) => {
    const radio = event.target;
    if (radio.type !== "radio" || !radio.name.startsWith("answer-") || !radio.checked) return;
    const no = form.querySelector('input[name="' + radio.name + '"][data-needs-remark]');
    const remark = no && document.getElementById(no.dataset.needsRemark);
    if (!remark) return;
    remark.required = radio === no;
    if (radio === no && !remark.value.trim()) remark.focus();
  });
})();
