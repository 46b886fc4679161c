/* The book as a reader gets it (Jupyter Book injects every .js under _static/ into every
 * page; this is the book's own, small and dependency-free).
 *
 * 1. Sidebar toggles. pydata-sphinx-theme 0.17.1 binds its sidebar dialogs to
 *    document.querySelector(".primary-toggle") / (".secondary-toggle"): the first such
 *    button, which with sphinx-book-theme 1.3.0 is the navbar's, hidden by the theme's CSS.
 *    The visible buttons in the article header get no listener, so on a phone tapping
 *    them opens nothing, and on a desktop the hamburger does not collapse the sidebar
 *    (sphinx-book-theme's collapse handler is bound to the same hidden button).
 *    Upstream: pydata/pydata-sphinx-theme#2451; no release of either theme that works
 *    with Sphinx 7 fixes it. Here every other toggle forwards its click to the bound one,
 *    so the themes' own code does the rest (dialog on narrow screens, collapse on wide).
 * 2. Scroll cues. A code listing, display equation or table wider than the column scrolls
 *    sideways; its hidden side fades out (classes read by _static/book.css), so a reader
 *    can see that there is more.
 * 3. Print. Collapsed content (solutions, dropdowns) is opened for printing and closed
 *    again afterwards; book.css hides the toggle buttons.
 */
(function () {
  "use strict";

  function forwardSidebarToggles() {
    [".primary-toggle", ".secondary-toggle"].forEach(function (selector) {
      var bound = document.querySelector(selector); // the one the themes listen to
      if (!bound) return;
      document.querySelectorAll(selector).forEach(function (button) {
        if (button === bound || button.dataset.readerForwarded) return;
        button.dataset.readerForwarded = "true";
        button.addEventListener("click", function (event) {
          event.preventDefault();
          event.stopPropagation();
          // on a touch screen a tooltip only gets in the way: the theme gives the focus
          // back to this button when the sidebar closes, and the tooltip would show then
          var tooltip = window.bootstrap && window.bootstrap.Tooltip.getInstance(button);
          if (tooltip && window.matchMedia("(hover: none)").matches) tooltip.disable();
          bound.click();
          button.blur(); // otherwise its tooltip stays up over the opened sidebar
        });
      });
    });
  }

  var SCROLLERS = [
    "div.highlight > pre",
    "div.math > mjx-container",
    ".pst-scrollable-table-container",
    ".cell_output .output",
  ].join(",");

  function updateCue(element) {
    var hidden = element.scrollWidth - element.clientWidth;
    var scrolls = hidden > 1;
    element.classList.toggle("reader-scroll-x", scrolls);
    element.classList.toggle("reader-more-left", scrolls && element.scrollLeft > 1);
    element.classList.toggle(
      "reader-more-right",
      scrolls && element.scrollLeft < hidden - 1,
    );
  }

  function watchScrollers() {
    var resized =
      "ResizeObserver" in window
        ? new ResizeObserver(function (entries) {
            entries.forEach(function (entry) {
              updateCue(entry.target);
            });
          })
        : null;
    document.querySelectorAll(SCROLLERS).forEach(function (element) {
      if (element.dataset.readerCue) return;
      element.dataset.readerCue = "true";
      updateCue(element);
      element.addEventListener(
        "scroll",
        function () {
          updateCue(element);
        },
        { passive: true },
      );
      if (resized) resized.observe(element);
    });
  }

  function afterMath(callback) {
    var startup = window.MathJax && window.MathJax.startup;
    if (startup && startup.promise) {
      startup.promise.then(callback, callback);
    } else {
      callback();
    }
  }

  var reopened = [];
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      reopened.push(details);
    });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (details) {
      details.open = false;
    });
    reopened = [];
  });

  function start() {
    forwardSidebarToggles();
    watchScrollers();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
  // MathJax (deferred) typesets after DOMContentLoaded: watch its containers once done
  window.addEventListener("load", function () {
    afterMath(watchScrollers);
  });
})();
