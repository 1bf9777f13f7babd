// Start GOV.UK and MOJ Frontend components. Kept out of the page so the Content
// Security Policy can forbid inline scripts.
(function () {
  "use strict";
  document.body.classList.add("js-enabled");
  if ("noModule" in HTMLScriptElement.prototype) {
    document.body.classList.add("govuk-frontend-supported");
  }
  if (window.GOVUKFrontend) window.GOVUKFrontend.initAll();
  if (window.MOJFrontend) window.MOJFrontend.initAll();
  // htmx swaps in new markup: start the components inside it too.
  document.body.addEventListener("htmx:afterSwap", function (event) {
    if (window.GOVUKFrontend) window.GOVUKFrontend.initAll({ scope: event.detail.target });
  });
})();
