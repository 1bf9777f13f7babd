// Work return: keep a copy of what is typed in this browser, so that a dropped connection
// on a phone loses nothing. htmx saves a draft on the server as the officer types; this
// copy is offered back ("Restore what you typed at 02:14") only when it is newer than
// the server's draft.
//
// The copy holds names and intelligence, and devices are shared, so (issue 15):
// - it is encrypted (AES-GCM, Web Crypto) with a key that lives in the server session
//   (accounts/browser_copy.py) and reaches this page as data-copy-key: after sign-out or
//   a timeout the key is gone, the copy cannot be read, and it is deleted here;
// - signing out clears the site's storage (Clear-Site-Data) and, from this script, the copies;
// - only fields with a value are kept, only while a session could last (12 hours), and
//   the copy is removed once the return is submitted.
// Where Web Crypto is missing (a page not served over HTTPS), no copy is kept at all.
(function () {
  "use strict";

  var PREFIX = "ephedra:return:";
  var MAX_AGE_MS = 12 * 60 * 60 * 1000; // SESSION_ABSOLUTE_HOURS: the key lasts no longer
  var FORM_ID = "work-return-form";
  var offered = null; // the copy found on load, kept aside so that typing cannot replace it
  var keyPromise = null;
  var writes = 0; // the newest write wins, whatever order the encryptions finish in

  function storage() {
    try {
      return window.localStorage;
    } catch (error) {
      return null; // storage disabled: the server draft is still kept
    }
  }

  function toBase64(bytes) {
    var text = "";
    bytes.forEach(function (b) {
      text += String.fromCharCode(b);
    });
    return btoa(text);
  }

  function fromBase64(text) {
    return Uint8Array.from(atob(text), function (c) {
      return c.charCodeAt(0);
    });
  }

  // The session's key, or null: no key on the page, or no Web Crypto here.
  function copyKey() {
    if (keyPromise) return keyPromise;
    var form = returnForm();
    var raw = form && form.dataset.copyKey;
    var subtle = window.crypto && window.crypto.subtle;
    if (!raw || !subtle) return (keyPromise = Promise.resolve(null));
    keyPromise = subtle
      .importKey("raw", fromBase64(raw), "AES-GCM", false, ["encrypt", "decrypt"])
      .catch(function () {
        return null;
      });
    return keyPromise;
  }

  function stored(uuid) {
    var store = storage();
    try {
      return store ? JSON.parse(store.getItem(PREFIX + uuid)) : null;
    } catch (error) {
      return null;
    }
  }

  // The copy ({savedAt, fields}), or null; one that cannot be read (another session's
  // key, or an older clear-text copy) is deleted.
  function read(uuid) {
    var entry = stored(uuid);
    if (!entry) return Promise.resolve(null);
    return copyKey().then(function (key) {
      if (!key || !entry.iv || !entry.data) {
        if (key) forget(uuid);
        return null;
      }
      var algorithm = { name: "AES-GCM", iv: fromBase64(entry.iv) };
      return window.crypto.subtle
        .decrypt(algorithm, key, fromBase64(entry.data))
        .then(function (plain) {
          return { savedAt: entry.savedAt, fields: JSON.parse(new TextDecoder().decode(plain)) };
        })
        .catch(function () {
          forget(uuid);
          return null;
        });
    });
  }

  function write(uuid, copy) {
    var mine = ++writes;
    copyKey().then(function (key) {
      if (!key) return; // no key, no copy: nothing in clear
      var iv = window.crypto.getRandomValues(new Uint8Array(12));
      var plain = new TextEncoder().encode(JSON.stringify(copy.fields));
      return window.crypto.subtle
        .encrypt({ name: "AES-GCM", iv: iv }, key, plain)
        .then(function (sealed) {
          if (mine !== writes) return; // a newer copy is on its way
          var store = storage();
          var entry = {
            savedAt: copy.savedAt, // in clear: old copies are removed without the key
            iv: toBase64(iv),
            data: toBase64(new Uint8Array(sealed)),
          };
          try {
            if (store) store.setItem(PREFIX + uuid, JSON.stringify(entry));
          } catch (error) {
            // Storage full or refused: the server draft is still kept.
          }
        });
    });
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
      var entry = stored(key.slice(PREFIX.length));
      if (!entry || !entry.savedAt || Date.now() - entry.savedAt > MAX_AGE_MS) store.removeItem(key);
    });
  }

  function forgetAll() {
    var store = storage();
    if (!store) return;
    var keys = [];
    for (var i = 0; i < store.length; i++) keys.push(store.key(i));
    keys.forEach(function (key) {
      if (key.indexOf(PREFIX) === 0) store.removeItem(key);
    });
  }

  function returnForm() {
    return document.getElementById(FORM_ID);
  }

  function fieldsOf(form) {
    var pairs = [];
    new FormData(form).forEach(function (value, name) {
      // Only what was filled in: an empty field is restored as empty anyway.
      if (name !== "csrfmiddlewaretoken" && typeof value === "string" && value !== "") {
        pairs.push([name, value]);
      }
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
    read(form.dataset.patrol).then(function (copy) {
      if (!copy || !copy.fields) return;
      var serverSavedAt = Number(form.dataset.draftSavedAt || 0) * 1000; // Unix seconds
      if (copy.savedAt <= serverSavedAt || sameFields(copy.fields, fieldsOf(form))) return;
      offered = copy;
      var box = document.getElementById("restore-local");
      box.querySelector("[data-restore-time]").textContent = clockTime(copy.savedAt);
      box.hidden = false;
    });
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
      } else if (field.type !== "hidden" || field.name in values) {
        field.value = typed.length ? typed[0] : ""; // only filled fields were kept
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

  // Signing out (the header's button, or "sign out everywhere"): no copy stays behind.
  function signingOut(event) {
    var action = event.target.getAttribute("action") || "";
    if (/sign-out/.test(action)) forgetAll();
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
  document.addEventListener("submit", signingOut);
  document.addEventListener("htmx:responseError", saveFailed);
  document.addEventListener("htmx:sendError", saveFailed);
})();
