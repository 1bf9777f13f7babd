// Work return, referrals: when the chosen agency offers only one service, choose it, as the
// server would (patrols/forms/return_rows.py ReferralForm.clean). A service already chosen
// is left alone. The map of agency -> its one service comes from the form's
// data-single-service attribute (no inline script: the CSP allows none). The listener is on
// the document because "Add a referral" swaps the form for a new one (htmx).
(function () {
  "use strict";

  var AGENCY = /^id_referrals-(\d+)-agency$/;

  document.addEventListener("change", function (event) {
    var match = AGENCY.exec(event.target.id || "");
    var form = event.target.form;
    if (!match || !form || !form.dataset.singleService) {
      return;
    }
    var offered = JSON.parse(form.dataset.singleService)[event.target.value];
    var service = document.getElementById("id_referrals-" + match[1] + "-service");
    if (service && offered && !service.value) {
      service.value = offered;
      service.dispatchEvent(new Event("change", { bubbles: true })); // the draft keeps it
    }
  });
})();
