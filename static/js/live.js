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
    htmx.ajax("GET", url, { target: live, swap: "none" });
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
    clearInterval(pollTimer);
    pollTimer = null;
    catchUp();
    clearInterval(pingTimer);
    pingTimer = setInterval(function () { send({ type: "ping" }); }, PING_MS);
  });

  function lost() {
    socket = null;
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
