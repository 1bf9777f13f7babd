// The plan form offers the chosen ward's hotspots and local PCs: once a ward is chosen,
// the items of another ward (data-ward, see patrols/forms/planning.py WardCheckboxes) are
// hidden, unless ticked, and a button under each list shows them all again. Without
// JavaScript every ward's items are listed, labelled with their ward, and the server asks
// for a confirmation before a hotspot outside the ward is kept.
(function () {
  "use strict";

  var ward = document.getElementById("id_ward");
  if (!ward) {
    return;
  }
  var lists = Array.prototype.filter.call(
    document.querySelectorAll(".govuk-checkboxes"),
    function (list) {
      return list.querySelector("[data-ward]");
    }
  );

  lists.forEach(function (list) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "govuk-button govuk-button--secondary app-show-all-wards";
    button.setAttribute("data-module", "govuk-button");
    button.hidden = true;
    button.addEventListener("click", function () {
      list.dataset.showAll = "true";
      apply();
      var first = list.querySelector("[data-ward]:not(.govuk-\\!-display-none) input");
      if (first) {
        first.focus();
      }
    });
    list.parentNode.insertBefore(button, list.nextSibling);
    list.showAll = button;
  });

  function apply() {
    var chosen = ward.value;
    lists.forEach(function (list) {
      var hidden = 0;
      list.querySelectorAll("[data-ward]").forEach(function (item) {
        var input = item.querySelector("input");
        var other = chosen && item.getAttribute("data-ward") !== chosen;
        var hide = Boolean(other && !input.checked && list.dataset.showAll !== "true");
        item.classList.toggle("govuk-!-display-none", hide); // GOV.UK's flex beats [hidden]
        hidden += hide ? 1 : 0;
      });
      var button = list.showAll;
      button.hidden = hidden === 0;
      button.textContent =
        "Show " + hidden + " more from other wards";
    });
  }

  ward.addEventListener("change", function () {
    lists.forEach(function (list) {
      delete list.dataset.showAll;
    });
    apply();
  });
  apply();
})();
