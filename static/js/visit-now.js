// Work return, timed visits: an "Arrived now" / "Left now" button beside each time fills it
// with the phone's clock (hours and minutes). Progressive enhancement: the buttons are
// hidden until this script shows them, and the form works the same without it. Listeners
// are on the document because "Add a visit" swaps the form for a new one (htmx).
(function () {
  "use strict";

  function two(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function show(root) {
    Array.prototype.forEach.call(root.querySelectorAll("[data-now-box]"), function (box) {
      box.hidden = false;
    });
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("button[data-now]");
    if (!button) return;
    var input = document.getElementById(button.dataset.now);
    if (!input) return;
    var now = new Date();
    input.value = two(now.getHours()) + ":" + two(now.getMinutes());
    // As if typed: the draft is saved (htmx listens for change) and the local copy kept.
    input.dispatchEvent(new Event("change", { bubbles: true }));
    input.focus();
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      show(document);
    });
  } else {
    show(document);
  }
  document.addEventListener("htmx:load", function (event) {
    show(event.target);
  });
})();
