// Work return: keep a copy of what is typed in this browser, so that a dropped connection
// on a phone loses nothing. htmx saves a draft on the server as the officer types; this
// copy is offered back ("Restore what you typed at 02:14") only when it is newer than
// the server's draft. The copy holds personal data, so it is removed once the return is
// submitted, and any copy older than two days is removed whenever this script runs.
(function () {
  "use strict";

  var PREFIX = "ephedra:return:";
  var MAX_AGE_MS = 2 * 24 * 60 * 60 * 1000;
  var FORM_ID = "work-return-form";
  var offered = null; // the copy found on load, kept aside so that typing cannot replace it

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the server draft is still kept
    }
  }

  function read(uuid) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(PREFIX + uuid)) : null;
    } catch (error) {
      return null;
    }
  }

  function write(uuid, copy) {
    var store = storage();
    try {
      if (store) store.setItem(PREFIX + uuid, JSON.stringify(copy));
    } catch (error) {
      // Storage full or refused: the server draft is still kept.
    }
  }

  function forget(uuid) {
    var store = storage();
    if (store) store.removeItem(PREFIX + uuid);
  }

  function forgetOldCopies() {
    var store = storage();
    if (!store) return;
    var keys = [];
    for (var i = 0; i < store.length; i++) keys.push(store.key(i));
    keys.forEach(function (key) {
      if (key.indexOf(PREFIX) !== 0) return;
      var copy = read(key.slice(PREFIX.length));
      if (!copy || !copy.savedAt || Date.now() - copy.savedAt > MAX_AGE_MS) store.removeItem(key);
    });
  }

  function returnForm() {
    return document.getElementById(FORM_ID);
  }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      if (name !== "csrfmiddlewaretoken" && typeof value === "string") pairs.push([name, value]);
    });
    return pairs;
  }

  function valuesByName(pairs) {
    var values = {};
    pairs.forEach(function (pair) {
      (values[pair[0]] = values[pair[0]] || []).push(pair[1]);
    });
    return values;
  }

  function sameFields(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function twoDigits(n) {
    return (n < 10 ? "0" : "") + n;
  }

  function clockTime(ms) {
    var date = new Date(ms);
    return twoDigits(date.getHours()) + ":" + twoDigits(date.getMinutes());
  }

  // Keep the copy on every keystroke and choice.
  function keep(event) {
    var form = returnForm();
    if (!form || !form.contains(event.target)) return;
    write(form.dataset.patrol, { savedAt: Date.now(), fields: fieldsOf(form) });
  }

  function offerRestore(form) {
    var copy = read(form.dataset.patrol);
    if (!copy || !copy.fields) return;
    var serverSavedAt = Number(form.dataset.draftSavedAt || 0) * 1000; // Unix seconds
    if (copy.savedAt <= serverSavedAt || sameFields(copy.fields, fieldsOf(form))) return;
    offered = copy;
    var box = document.getElementById("restore-local");
    box.querySelector("[data-restore-time]").textContent = clockTime(copy.savedAt);
    box.hidden = false;
  }

  // The page has the same rows as the copy: put the values back into its fields.
  function fillIn(form, pairs) {
    var values = valuesByName(pairs);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (!field.name || field.name === "csrfmiddlewaretoken" || field.type === "submit") return;
      if (field.type === "button") return;
      var typed = values[field.name] || [];
      if (field.type === "checkbox" || field.type === "radio") {
        field.checked = typed.indexOf(field.value) !== -1;
      } else if (field.name in values) {
        field.value = typed[0];
      }
    });
    // Let htmx save the restored values as the server draft too.
    form.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function rowCounts(pairs) {
    return pairs.filter(function (pair) {
      return /-TOTAL_FORMS$/.test(pair[0]);
    });
  }

  // The copy has rows the page lacks: save it as the server draft, then reload the page,
  // which the server builds from that draft with every row.
  function restoreThroughServer(form, pairs) {
    var body = new URLSearchParams();
    body.append("csrfmiddlewaretoken", form.querySelector("[name=csrfmiddlewaretoken]").value);
    pairs.forEach(function (pair) {
      body.append(pair[0], pair[1]);
    });
    fetch(form.getAttribute("hx-post"), {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "HX-Request": "true" },
    }).then(function (response) {
      if (response.ok) window.location.reload();
    });
  }

  function restore(event) {
    if (!event.target.closest("[data-restore-local]") || !offered) return;
    var form = returnForm();
    var copy = offered;
    offered = null;
    document.getElementById("restore-local").hidden = true;
    if (sameFields(rowCounts(copy.fields), rowCounts(fieldsOf(form)))) {
      fillIn(form, copy.fields);
      write(form.dataset.patrol, { savedAt: Date.now(), fields: fieldsOf(form) });
    } else {
      restoreThroughServer(form, copy.fields);
    }
  }

  // htmx could not save the draft (no connection, or the server refused it): say so
  // plainly where "Draft saved at" was, so an earlier time is never taken for this save.
  // What was typed stays in this browser's copy and is saved with the next change.
  function saveFailed(event) {
    var form = returnForm();
    if (!form || !event.detail || event.detail.elt !== form) return;
    var status = document.getElementById("draft-status");
    var message = document.createElement("span");
    message.className = "govuk-error-message";
    message.textContent =
      "Draft not saved at " +
      clockTime(Date.now()) +
      (event.type === "htmx:sendError" ? ": no connection. " : ": the server could not save it. ") +
      "What you typed is kept in this browser and is saved with your next change.";
    status.replaceChildren(message);
  }

  forgetOldCopies();
  var submitted = document.querySelector("[data-return-submitted]");
  if (submitted) forget(submitted.getAttribute("data-return-submitted"));
  var form = returnForm();
  if (form) offerRestore(form);
  // Listen on the document: "Add another" swaps the whole form for a new one.
  document.addEventListener("input", keep);
  document.addEventListener("change", keep);
  document.addEventListener("click", restore);
  document.addEventListener("htmx:responseError", saveFailed);
  document.addEventListener("htmx:sendError", saveFailed);
})();
