// Type-ahead where a person is picked: a <select data-type-ahead> becomes GOV.UK's
// accessible autocomplete (keyboard and screen-reader tested by GOV.UK), so an officer types
// "ja" instead of scrolling every woman known in the area. The <select> stays in the form
// and is what is submitted; without JavaScript it is the plain list. Rows added later
// ("Add another person", swapped in by htmx) are enhanced too.
(function () {
  "use strict";

  function optionFor(select, text) {
    return [].filter.call(select.options, function (option) {
      return option.value && option.textContent.trim() === (text || "").trim();
    })[0];
  }

  function enhance(select) {
    if (select.dataset.typeAheadDone) {
      return;
    }
    select.dataset.typeAheadDone = "true";
    var focused = select.hasAttribute("autofocus"); // a row just added takes the focus
    window.accessibleAutocomplete.enhanceSelectElement({
      selectElement: select,
      defaultValue: "",
      minLength: 1,
      showNoOptionsFound: true,
      tNoResults: function () {
        return "No one known by that name: enter her as a new person below";
      },
      onConfirm: function (text) {
        // Leaving the box confirms nothing (text is undefined): what it shows counts. A
        // name typed but not one of the list is no choice: the select is cleared.
        var input = document.getElementById(select.id.replace(/-select$/, ""));
        var option = optionFor(select, text === undefined && input ? input.value : text);
        var value = option ? option.value : "";
        if (select.value !== value) {
          select.value = value;
          select.dispatchEvent(new Event("change", { bubbles: true })); // the draft keeps it
        }
      },
    });
    var input = document.getElementById(select.id.replace(/-select$/, ""));
    if (focused && input) {
      input.focus();
    }
  }

  function enhanceAll(scope) {
    if (!window.accessibleAutocomplete) {
      return;
    }
    [].forEach.call(scope.querySelectorAll("select[data-type-ahead]"), enhance);
  }

  enhanceAll(document);
  document.body.addEventListener("htmx:afterSwap", function (event) {
    enhanceAll(event.detail.target);
  });
})();
