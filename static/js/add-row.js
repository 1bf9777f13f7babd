// "Add another" for a Django formset: a button marked data-add-row="NAME" clones the
// formset's empty form from <template id="NAME-template">, numbering it with the formset's
// TOTAL_FORMS (its "__prefix__" placeholders), puts it after the rows in #NAME-rows, counts
// it in TOTAL_FORMS and moves the focus to its first field. Without JavaScript the button
// stays hidden and the page still works (one blank row; add more by changing the record).
(function () {
  "use strict";

  document.querySelectorAll("[data-add-row]").forEach(function (button) {
    var name = button.getAttribute("data-add-row");
    var template = document.getElementById(name + "-template");
    var rows = document.getElementById(name + "-rows");
    var form = button.form;
    var total = form && form.querySelector("input[name$='-TOTAL_FORMS']");
    var max = form && form.querySelector("input[name$='-MAX_NUM_FORMS']");
    if (!template || !rows || !total) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      var index = parseInt(total.value, 10);
      if (max && index >= parseInt(max.value, 10)) {
        return;
      }
      var html = template.innerHTML.replace(/__prefix__/g, String(index));
      rows.insertAdjacentHTML("beforeend", html);
      total.value = String(index + 1);
      var added = rows.lastElementChild;
      var first = added && added.querySelector("select, textarea, input:not([type='hidden'])");
      if (first) {
        first.focus();
      }
    });
  });
})();
