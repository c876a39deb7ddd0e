/* Discussions: small enhancements. Every form works without this file.
 *
 * - [data-autosubmit] selects submit their form on change
 * - forms with [data-draft-key]: unsent text survives a reload (localStorage), cleared on post
 * - @ in a Markdown editor suggests handles (/mentions/suggest); click or Enter inserts
 * - the "nexus:toast" event (sent by the server with HX-Trigger on a refusal) shows a toast
 * - a mentor's saved reply ([data-insert-reply]) goes into its form's text box at the caret
 */
(function () {
  "use strict";
  var doc = document;

  /* ------------------------------------------------ sort select */
  doc.addEventListener("change", function (event) {
    var select = event.target.closest("[data-autosubmit]");
    if (select && select.form) select.form.requestSubmit ? select.form.requestSubmit() : select.form.submit();
  });

  /* ------------------------------------------------ drafts */
  var DRAFT_PREFIX = "nexus:draft:";

  function draftFields(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && (el.tagName === "TEXTAREA" || (el.tagName === "INPUT" && (el.type === "text" || el.type === "url")));
    });
  }

  function saveDraft(form) {
    var data = {};
    var any = false;
    draftFields(form).forEach(function (el) { data[el.name] = el.value; if (el.value.trim()) any = true; });
    try {
      if (any) localStorage.setItem(DRAFT_PREFIX + form.dataset.draftKey, JSON.stringify(data));
      else localStorage.removeItem(DRAFT_PREFIX + form.dataset.draftKey);
    } catch (e) { /* storage full or disabled: drafts are a nicety */ }
    var status = form.querySelector("[data-draft-status]");
    if (status) status.textContent = any ? "Draft saved" : "";
  }

  function restoreDraft(form) {
    var raw;
    try { raw = localStorage.getItem(DRAFT_PREFIX + form.dataset.draftKey); } catch (e) { return; }
    if (!raw) return;
    var data;
    try { data = JSON.parse(raw); } catch (e) { return; }
    var restored = false;
    draftFields(form).forEach(function (el) {
      // Never overwrite what the server sent back (a form with errors keeps its input).
      if (!el.value && data[el.name]) { el.value = data[el.name]; restored = true; }
    });
    var status = form.querySelector("[data-draft-status]");
    if (restored && status) status.textContent = "Draft restored";
  }

  function clearDraft(form) {
    try { localStorage.removeItem(DRAFT_PREFIX + form.dataset.draftKey); } catch (e) { /* ignore */ }
  }

  function armDrafts(scope) {
    scope.querySelectorAll("form[data-draft-key]").forEach(function (form) {
      if (form._nexusDraft) return;
      form._nexusDraft = true;
      restoreDraft(form);
      var timer = null;
      form.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { saveDraft(form); }, 300);
      });
      // A plain post leaves the page; an HTMX post clears once the server accepted it.
      // Either way a save still pending must not write the posted text back as a draft.
      form.addEventListener("submit", function () {
        clearTimeout(timer);
        if (!form.hasAttribute("hx-post")) clearDraft(form);
      });
      form.addEventListener("htmx:afterRequest", function (event) {
        if (event.detail.successful && event.detail.elt === form) {
          var retarget = event.detail.xhr && event.detail.xhr.getResponseHeader("HX-Retarget");
          if (!retarget) clearDraft(form);
        }
      });
    });
  }

  /* ------------------------------------------------ @mention suggestions */
  var MENTION_RE = /(^|[^\w@])@([a-z0-9][a-z0-9_-]{0,29})$/i;

  function mentionAt(textarea) {
    var before = textarea.value.slice(0, textarea.selectionStart);
    var match = MENTION_RE.exec(before);
    return match ? { prefix: match[2], start: textarea.selectionStart - match[2].length } : null;
  }

  function closeSuggest(list) { if (list) list.innerHTML = ""; }

  function insertHandle(textarea, list, handle) {
    var at = mentionAt(textarea);
    if (!at) return;
    var after = textarea.value.slice(textarea.selectionStart);
    textarea.value = textarea.value.slice(0, at.start) + handle + " " + after;
    var caret = at.start + handle.length + 1;
    textarea.setSelectionRange(caret, caret);
    textarea.focus();
    closeSuggest(list);
    textarea.dispatchEvent(new Event("input", { bubbles: true }));
  }

  var suggestTimer = null;
  doc.addEventListener("input", function (event) {
    var textarea = event.target.closest("textarea[data-markdown-editor]");
    if (!textarea) return;
    var list = textarea.closest(".md-editor") && textarea.closest(".md-editor").querySelector("[data-mention-list]");
    if (!list) return;
    var at = mentionAt(textarea);
    clearTimeout(suggestTimer);
    if (!at || at.prefix.length < 1) { closeSuggest(list); return; }
    suggestTimer = setTimeout(function () {
      fetch("/mentions/suggest?q=" + encodeURIComponent(at.prefix), { headers: { "HX-Request": "true" } })
        .then(function (r) { return r.ok ? r.text() : ""; })
        .then(function (html) { list.innerHTML = html; })
        .catch(function () { closeSuggest(list); });
    }, 200);
  });

  doc.addEventListener("click", function (event) {
    var option = event.target.closest("[data-mention-list] [data-handle]");
    if (!option) return;
    var editor = option.closest(".md-editor");
    insertHandle(editor.querySelector("textarea"), editor.querySelector("[data-mention-list]"), option.dataset.handle);
  });

  doc.addEventListener("keydown", function (event) {
    var textarea = event.target.closest("textarea[data-markdown-editor]");
    if (!textarea) return;
    var list = textarea.closest(".md-editor").querySelector("[data-mention-list]");
    var options = list ? list.querySelectorAll("[data-handle]") : [];
    if (!options.length) return;
    var current = list.querySelector('[aria-selected="true"]');
    var index = Array.prototype.indexOf.call(options, current);
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      if (current) current.removeAttribute("aria-selected");
      index = event.key === "ArrowDown" ? (index + 1) % options.length : (index - 1 + options.length) % options.length;
      options[index].setAttribute("aria-selected", "true");
    } else if ((event.key === "Enter" || event.key === "Tab") && current) {
      event.preventDefault();
      insertHandle(textarea, list, current.dataset.handle);
    } else if (event.key === "Escape") {
      closeSuggest(list);
    }
  });

  /* ------------------------------------------------ toasts from the server */
  doc.body.addEventListener("nexus:toast", function (event) {
    var region = doc.getElementById("toasts");
    if (!region) return;
    var toast = doc.createElement("div");
    toast.className = "toast toast--" + (event.detail.level || "info");
    toast.setAttribute("role", "status");
    toast.setAttribute("data-toast", "");
    var body = doc.createElement("div");
    body.className = "toast__body";
    body.textContent = event.detail.message || "";
    var close = doc.createElement("button");
    close.type = "button";
    close.className = "toast__close";
    close.setAttribute("data-toast-close", "");
    close.setAttribute("aria-label", "Dismiss");
    close.textContent = "×";
    toast.appendChild(body);
    toast.appendChild(close);
    region.appendChild(toast);
  });

  armDrafts(doc);
  doc.body.addEventListener("htmx:afterSettle", function (event) { armDrafts(event.detail.elt.parentNode || doc); });
  /* ------------------------------------------------ saved replies (mentors) */
  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-insert-reply]");
    if (!button) return;
    var source = doc.getElementById(button.getAttribute("data-insert-reply"));
    var form = button.closest("form");
    var box = form && form.querySelector("textarea");
    if (!source || !box) return;
    var text = source.textContent;
    var start = box.selectionStart || 0;
    var end = box.selectionEnd || 0;
    var before = box.value.slice(0, start);
    var gap = before && !/\n$/.test(before) ? "\n\n" : "";
    box.value = before + gap + text + box.value.slice(end);
    var caret = (before + gap + text).length;
    box.focus();
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
    var details = button.closest("details");
    if (details) details.open = false;
  });
})();
