/* Nexus: the little JavaScript we write. Everything works without it; this only polishes.
 *
 * - marks <html class="js"> so CSS can float toasts and show their close buttons
 * - toasts: dismiss button, auto-dismiss after ~6 s (paused on hover/focus), also for
 *   toasts that arrive later over the live socket (hx-swap-oob into #toasts)
 * - the top loading bar while any htmx request is in flight
 * - <details data-dropdown> menus close on an outside click, on Escape and when another opens
 * - <time datetime> gets a full local date as its tooltip
 * - the Copy button of rendered code blocks (hub.markdown: .code-block > [data-copy] + pre)
 * - code blocks and tables stored before hub.markdown gave them tabindex="0" take keyboard
 *   focus too (they scroll sideways)
 *
 * Loaded with `defer` (and our CSP nonce), so the DOM is parsed when it runs.
 */
(function () {
  "use strict";

  var doc = document;
  var root = doc.documentElement;
  root.classList.add("js");

  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* ------------------------------------------------------------ toasts */

  var TOAST_MS = 6000;

  function dismissToast(toast) {
    if (!toast || toast.classList.contains("is-leaving")) return;
    clearTimeout(toast._nexusTimer);
    // Keep focus somewhere sensible when the focused close button disappears.
    if (toast.contains(doc.activeElement)) {
      var main = doc.getElementById("main");
      if (main) main.focus({ preventScroll: true });
    }
    toast.classList.add("is-leaving");
    window.setTimeout(function () { toast.remove(); }, reduceMotion ? 0 : 260);
  }

  function armToast(toast) {
    if (toast._nexusArmed) return;
    toast._nexusArmed = true;
    var start = function () {
      clearTimeout(toast._nexusTimer);
      toast._nexusTimer = window.setTimeout(function () { dismissToast(toast); }, TOAST_MS);
    };
    var pause = function () { clearTimeout(toast._nexusTimer); };
    toast.addEventListener("mouseenter", pause);
    toast.addEventListener("mouseleave", start);
    toast.addEventListener("focusin", pause);
    toast.addEventListener("focusout", start);
    start();
  }

  function armToasts(scope) {
    (scope || doc).querySelectorAll("[data-toast]").forEach(armToast);
  }

  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-toast-close]");
    if (button) dismissToast(button.closest("[data-toast]"));
  });

  var region = doc.getElementById("toasts");
  if (region) {
    armToasts(region);
    new MutationObserver(function () { armToasts(region); }).observe(region, { childList: true });
  }

  /* ------------------------------------------------------------ loading bar */

  var bar = doc.getElementById("loading-bar");
  var inFlight = 0;
  var doneTimer = null;

  // Background requests (the live catch-up after every socket open, polling) are not
  // something the person asked for: no bar for them ([data-no-loading-bar] on #live).
  function quiet(event) {
    var elt = event && event.detail && event.detail.elt;
    return !!(elt && elt.closest && elt.closest("[data-no-loading-bar]"));
  }

  function requestStarted(event) {
    if (!bar || quiet(event)) return;
    inFlight += 1;
    clearTimeout(doneTimer);
    bar.classList.remove("is-done");
    // Restart the fill from zero when a new burst of requests begins.
    if (inFlight === 1) {
      void bar.offsetWidth;
    }
    bar.classList.add("is-active");
  }

  function requestEnded(event) {
    if (!bar || quiet(event)) return;
    inFlight = Math.max(0, inFlight - 1);
    if (inFlight > 0) return;
    bar.classList.remove("is-active");
    bar.classList.add("is-done");
    doneTimer = window.setTimeout(function () { bar.classList.remove("is-done"); }, 700);
  }

  doc.addEventListener("htmx:beforeRequest", requestStarted);
  // afterRequest fires for success and failure alike; sendError/timeout/abort as a guard.
  doc.addEventListener("htmx:afterRequest", requestEnded);

  /* ------------------------------------------------------------ dropdowns */

  function dropdowns() {
    return doc.querySelectorAll("details[data-dropdown][open]");
  }

  doc.addEventListener("click", function (event) {
    dropdowns().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });

  doc.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    dropdowns().forEach(function (menu) {
      var hadFocus = menu.contains(doc.activeElement);
      menu.open = false;
      if (hadFocus) {
        var summary = menu.querySelector("summary");
        if (summary) summary.focus();
      }
    });
  });

  doc.addEventListener("toggle", function (event) {
    var opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.hasAttribute("data-dropdown")) return;
    dropdowns().forEach(function (menu) {
      if (menu !== opened) menu.open = false;
    });
  }, true);

  /* ------------------------------------------------------------ <time> tooltips */

  function titleTimes(scope) {
    (scope || doc).querySelectorAll("time[datetime]:not([title])").forEach(function (el) {
      var when = new Date(el.getAttribute("datetime"));
      if (!isNaN(when.getTime())) {
        el.title = when.toLocaleString(undefined, { dateStyle: "long", timeStyle: "short" });
      }
    });
  }

  titleTimes();
  doc.addEventListener("htmx:load", function (event) { titleTimes(event.target); });

  /* ------------------------------------------------------------ scrollable blocks */

  function focusableScrollers(scope) {
    var found = (scope || doc).querySelectorAll(".prose pre:not([tabindex]), .prose table:not([tabindex])");
    for (var i = 0; i < found.length; i++) found[i].setAttribute("tabindex", "0");
  }

  focusableScrollers();
  doc.addEventListener("htmx:load", function (event) { focusableScrollers(event.target); });

  /* ------------------------------------------------------------ code copy buttons */

  doc.addEventListener("click", function (event) {
    var button = event.target.closest("[data-copy]");
    if (!button || !navigator.clipboard) return;
    var block = button.closest(".code-block");
    var code = block && block.querySelector("pre");
    if (!code) return;
    navigator.clipboard.writeText(code.innerText.replace(/\n$/, "")).then(function () {
      var label = button.textContent;
      button.setAttribute("data-copied", "");
      button.textContent = "Copied";
      window.setTimeout(function () {
        button.removeAttribute("data-copied");
        button.textContent = label;
      }, 1500);
    });
  });
})();
