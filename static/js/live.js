/* Live updates: the page's one socket (#live, htmx's ws extension) and what makes it whole.
 *
 * - Events arrive as HTML fragments swapped in by id (hx-swap-oob); the extension does that.
 * - On every open the page asks /live/catch-up for what it missed since the time of the
 *   last event it saw (#live-at), so a tab that slept, lost the network or connected
 *   while Redis was down ends up complete. The extension reconnects with backoff.
 * - Where WebSockets never open (a proxy blocks them), the page polls the same endpoint
 *   every 20 s instead.
 * - Controls in pushed fragments are revealed for the right viewer ([data-show-for]).
 * - Typing in the answer box tells the thread (throttled); a ping every 30 s keeps the
 *   "N viewing" count honest.
 * - New questions on a list wait behind a "N new questions — show" bar.
 * - News about the page on screen is read as it arrives (no toast for what shows in place).
 * - A swap never destroys what a person is typing or has open (keepOpenForms): a form
 *   that is open, changed or focused is carried into the new content, with its values,
 *   focus and caret.
 */
(function () {
  "use strict";
  var doc = document;
  var live = doc.getElementById("live");
  if (!live || !window.htmx) return;

  var POLL_MS = window.NEXUS_POLL_MS || 20000;  // the override is for tests
  var PING_MS = 30000;
  // Reconnect back-off: doubles from 250 ms, capped at 3 s, with jitter (half of it random),
  // so tabs are back within a few seconds of Redis returning and do not reconnect in step.
  // (The extension's default grows to about a minute.)
  var RECONNECT_CAP_MS = 3000;
  htmx.config.wsReconnectDelay = function (retryCount) {
    var ceiling = Math.min(RECONNECT_CAP_MS, 250 * Math.pow(2, retryCount));
    return ceiling / 2 + Math.random() * ceiling / 2;
  };
  var TYPING_MS = 2500;
  var socket = null;      // the extension's wrapper while open: send(), reconnect()
  var wrapper = null;     // kept across closes, to reconnect when the network returns
  var rawSocket = null;
  var opened = false;
  var failures = 0;
  var pollTimer = null;
  var pingTimer = null;
  var caughtUp = 0;

  function topics() {
    var url = live.getAttribute("ws-connect") || "";
    var match = /[?&]topics=([^&]*)/.exec(url);
    return match ? decodeURIComponent(match[1]) : "";
  }

  function since() {
    var clock = doc.getElementById("live-at");
    return clock ? clock.getAttribute("data-at") : "";
  }

  function catchUp() {
    if (!topics()) return;
    var url = live.getAttribute("data-catch-up") + "?topics=" + encodeURIComponent(topics()) +
      "&since=" + encodeURIComponent(since());
    htmx.ajax("GET", url, { source: live, target: live, swap: "none" }).then(function () {
      caughtUp += 1;
      live.setAttribute("data-caught-up", String(caughtUp));  // how many catch-ups landed
    });
  }

  /* ------------------------------------------------ who sees which control */
  var body = doc.body;
  function viewerMay(rule) {
    var me = body.getAttribute("data-user-id");
    var mentor = body.hasAttribute("data-user-mentor");
    var question = doc.getElementById("question");
    var asker = question ? question.getAttribute("data-question-author") : null;
    if (rule === "signed-in") return !!me;
    if (rule === "mentor") return !!me && mentor;
    if (rule === "asker") return !!me && me === asker;
    if (rule.indexOf("author:") === 0) return !!me && rule.slice(7) === me;
    if (rule.indexOf("voter:") === 0) return !!me && rule.slice(6) !== me;
    if (rule.indexOf("nonvoter:") === 0) return !me || rule.slice(9) === me;
    return false;
  }

  function applyViewer(root) {
    (root || doc).querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = !el.getAttribute("data-show-for").split(" ").some(viewerMay);
    });
  }

  /* ------------------------------------------------ the socket's life */
  live.addEventListener("htmx:wsOpen", function (event) {
    socket = wrapper = event.detail.socketWrapper;
    rawSocket = event.detail.event && event.detail.event.target;
    opened = true;
    failures = 0;
    live.setAttribute("data-socket", "open");
    clearInterval(pollTimer);
    pollTimer = null;
    catchUp();
    clearInterval(pingTimer);
    pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
  });

  function lost() {
    socket = null;
    live.setAttribute("data-socket", "closed");
    failures += 1;
    clearInterval(pingTimer);
    // Never opened, or keeps failing: fall back to polling until a socket opens again.
    if (!pollTimer && (!opened || failures >= 3)) {
      pollTimer = setInterval(catchUp, POLL_MS);
    }
  }
  live.addEventListener("htmx:wsClose", lost);
  live.addEventListener("htmx:wsError", function () { if (!opened) lost(); });
  // Going offline: close the socket now rather than wait for it to time out; coming back
  // online: open a new one at once (its open catches up on what was missed).
  window.addEventListener("offline", function () {
    if (rawSocket) { try { rawSocket.close(); } catch (e) { /* already closed */ } }
  });
  window.addEventListener("online", function () {
    if (wrapper && !socket) wrapper.reconnect(); else catchUp();
  });

  function send(message) {
    if (socket) {
      try { socket.send(JSON.stringify(message)); } catch (e) { /* reconnecting */ }
    }
  }

  /* ------------------------------------------------ never lose what a person typed */
  // A live event or a catch-up replaces whole sections (#answers, #feedback, #reviews …).
  // Before such a swap, every form in the old section that a person is using — it was
  // opened on demand (the new content has only the link that opens it), a field was
  // changed, or focus is inside it — is moved into the new content in place of its
  // counterpart, so its values stay; focus and caret are put back after the swap.
  // Counterparts are matched by data-keep, else id, else a form's action: an opener link
  // carries the same data-keep as the form it opens.
  var FIELDS = "textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])" +
    ":not([type=reset]):not([type=image])";

  function keyOf(el) {
    if (el.hasAttribute("data-keep")) return el.getAttribute("data-keep");
    if (el.id) return el.id;
    if (el.tagName === "FORM" && el.getAttribute("action")) return "form:" + el.getAttribute("action");
    return null;
  }

  function counterpart(root, key) {
    var found = null;
    [root].concat(Array.prototype.slice.call(root.querySelectorAll("[data-keep], [id], form[action]")))
      .some(function (el) { if (el.nodeType === 1 && keyOf(el) === key) { found = el; return true; } return false; });
    return found;
  }

  // Fields a person can see: not inside a closed <details>.
  function openFields(el) {
    return Array.prototype.slice.call(el.querySelectorAll(FIELDS)).filter(function (field) {
      var details = field.closest("details");
      while (details && el.contains(details)) {
        if (!details.open) return false;
        details = details.parentElement && details.parentElement.closest("details");
      }
      return !details || details.open;
    });
  }

  function changed(field) {
    if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
    if (field.tagName === "SELECT") {
      return Array.prototype.some.call(field.options, function (o) { return o.selected !== o.defaultSelected; });
    }
    return field.value !== field.defaultValue;
  }

  function inUse(old, fresh) {
    var fields = openFields(old);
    if (!fields.length) return false;
    if (old.contains(doc.activeElement)) return true;
    if (fields.some(changed)) return true;
    return openFields(fresh).length === 0;  // open here, closed in the new content
  }

  var pendingFocus = null;
  function rememberFocus(target) {
    var active = doc.activeElement;
    if (!active || active === body || !target.contains(active) || pendingFocus) return;
    pendingFocus = { el: active, id: active.id };
    try {
      pendingFocus.start = active.selectionStart;
      pendingFocus.end = active.selectionEnd;
      pendingFocus.direction = active.selectionDirection;
      pendingFocus.scroll = active.scrollTop;
    } catch (e) { /* not a text field */ }
    // After every swap of this message or response, in one go.
    Promise.resolve().then(restoreFocus);
  }

  function restoreFocus() {
    var saved = pendingFocus;
    pendingFocus = null;
    if (!saved) return;
    var el = saved.el.isConnected ? saved.el : (saved.id && doc.getElementById(saved.id));
    if (!el || doc.activeElement === el) return;
    el.focus({ preventScroll: true });
    if (typeof saved.start === "number" && el.setSelectionRange) {
      try { el.setSelectionRange(saved.start, saved.end, saved.direction || "none"); } catch (e) { /* not text */ }
      el.scrollTop = saved.scroll || 0;
    }
  }

  function keepOpenForms(target, fragment) {
    // Only swaps that replace the target: hx-swap-oob="true" (htmx hands over a fragment
    // holding the new element) or innerHTML from an element of the same id. Appends
    // (beforeend:#answer-list) destroy nothing.
    var fresh = fragment instanceof Element ? fragment : fragment.firstElementChild;
    if (!fresh || !target.id || fresh.id !== target.id) return true;
    rememberFocus(target);
    // The target itself is being typed in (an answer being edited when its text changed):
    // keep the person's version; they save it or cancel.
    if ((target.tagName === "FORM" || target.hasAttribute("data-keep")) && inUse(target, fresh)) {
      return false;
    }
    var root = fresh;
    var kept = [];
    target.querySelectorAll("[data-keep], form").forEach(function (old) {
      if (kept.some(function (k) { return k.contains(old); })) return;
      var key = keyOf(old);
      var match = key && counterpart(root, key);
      if (!match || match === root || !inUse(old, match)) return;
      kept.push(old);
      match.replaceWith(old);
      // Open every <details> around it in its new place (a mentor's "hide" box).
      var details = old.parentElement && old.parentElement.closest("details");
      while (details) {
        details.open = true;
        details = details.parentElement && details.parentElement.closest("details");
      }
    });
    return true;
  }

  body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.target || !detail.fragment) return;
    if (!keepOpenForms(detail.target, detail.fragment)) detail.shouldSwap = false;
  });

  // A request sent from a section that a live swap has since replaced (a Flag link clicked
  // just before the catch-up arrived): its response goes where that element is now. The
  // listener sits on the target itself: events on a detached element never reach <body>.
  function retarget(event) {
    var target = event.detail.target;
    if (!target || target.isConnected) return;
    var key = keyOf(target);
    var now = key && counterpart(body, key);
    if (now) event.detail.target = now;
  }
  var watched = new WeakSet();
  body.addEventListener("htmx:beforeRequest", function (event) {
    var target = event.detail.target;
    if (!target || watched.has(target)) return;
    watched.add(target);
    target.addEventListener("htmx:beforeSwap", retarget);
  });

  /* ------------------------------------------------ news about what is on screen */
  // A notification about the page this tab shows (its link's path is this page's path),
  // while the tab is visible, is read as it arrives: the person is looking at it, as
  // opening the thread reads it (decision 0021). Where the news itself appears in place
  // (an answer, a comment, feedback, a review) it does not toast either; a moderation
  // notice keeps its toast, whose reason the page shows nowhere else. A hidden tab waits
  // until it is shown.
  var csrfToken = "";
  try { csrfToken = JSON.parse(body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || ""; }
  catch (e) { /* no token: the POST is refused and the notification stays unread */ }

  function aboutThisPage(toast) {
    var url;
    try { url = new URL(toast.getAttribute("data-url") || "", location.href); }
    catch (e) { return false; }
    return url.origin === location.origin && url.pathname === location.pathname;
  }

  function readOnScreen(root) {
    if (doc.visibilityState !== "visible") return;
    root.querySelectorAll("[data-notification]:not([data-read])").forEach(function (toast) {
      if (!aboutThisPage(toast)) return;
      toast.setAttribute("data-read", "");
      fetch(toast.getAttribute("data-read-url"), {
        method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken }
      }).catch(function () { /* offline: it stays unread, as it would have */ });
      if (toast.hasAttribute("data-in-place")) toast.remove();
    });
  }

  body.addEventListener("htmx:oobBeforeSwap", function (event) {
    var detail = event.detail;
    if (detail.target && detail.target.id === "toasts" && detail.fragment) readOnScreen(detail.fragment);
  });
  doc.addEventListener("visibilitychange", function () {
    var region = doc.getElementById("toasts");
    if (region) readOnScreen(region);
  });

  /* ------------------------------------------------ after each swap */
  body.addEventListener("htmx:oobAfterSwap", function (event) {
    var target = event.detail.target;
    if (!target) return;
    // An outerHTML swap replaced the target: work on the element now in the page.
    if (target.id && !target.isConnected) target = doc.getElementById(target.id) || target;
    if (target.id === "live-stale") { catchUp(); return; }
    if (target.id && target.id.indexOf("typing-") === 0) {
      if (target.getAttribute("data-user") && target.getAttribute("data-user") === body.getAttribute("data-user-id")) {
        target.textContent = "";
      }
      return;
    }
    applyViewer(target.parentNode || target);
    if (target.id === "incoming-questions") updateNewBar();
    else dedupe(target);
  });
  applyViewer(doc);

  /* A thread whose answers came from the shared cache: this viewer's up-votes on them. */
  var myVotes = doc.getElementById("viewer-votes");
  if (myVotes) {
    (myVotes.getAttribute("data-answers") || "").split(" ").forEach(function (id) {
      var form = id && doc.getElementById("vote-answer-" + id);
      var button = form && form.querySelector("button.vote__button");
      if (!button) return;
      button.classList.add("is-voted");
      button.setAttribute("aria-pressed", "true");
      button.title = "Undo your up-vote";
    });
  }

  // The author's own tab gets its answer twice: the HTMX response and the live event.
  function dedupe(list) {
    var seen = {};
    Array.prototype.slice.call(list.children).forEach(function (child) {
      if (!child.id) return;
      if (seen[child.id]) child.remove(); else seen[child.id] = true;
    });
  }

  /* ------------------------------------------------ "someone is writing an answer" */
  var lastTyping = 0;
  doc.addEventListener("input", function (event) {
    var form = event.target.closest("form[data-typing-topic]");
    if (!form) return;
    var now = Date.now();
    if (now - lastTyping < TYPING_MS) return;
    lastTyping = now;
    send({ type: "typing", topic: form.getAttribute("data-typing-topic") });
  });

  /* ------------------------------------------------ new questions bar */
  function updateNewBar() {
    var box = doc.querySelector("[data-new-questions]");
    var incoming = doc.getElementById("incoming-questions");
    if (!box || !incoming) return;
    var category = box.getAttribute("data-category");
    Array.prototype.slice.call(incoming.children).forEach(function (row) {
      var duplicate = doc.getElementById(row.id) !== row;
      if ((category && row.getAttribute("data-category") !== category) || duplicate) row.remove();
    });
    var count = incoming.children.length;
    box.hidden = count === 0;
    box.querySelector("[data-new-count]").textContent = count;
    box.querySelector("[data-new-plural]").textContent = count === 1 ? "" : "s";
  }

  doc.addEventListener("click", function (event) {
    if (!event.target.closest("[data-show-new]")) return;
    var incoming = doc.getElementById("incoming-questions");
    var list = doc.getElementById("question-list");
    if (!list) { window.location.reload(); return; }
    // Oldest first, each to the top: the newest ends up first.
    var rows = Array.prototype.slice.call(incoming.children);
    rows.forEach(function (row) { list.insertBefore(row, list.firstChild); });
    updateNewBar();
    if (rows.length) rows[rows.length - 1].querySelector("a").focus();
  });
})();
