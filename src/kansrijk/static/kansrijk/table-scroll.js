/*
 * Table scroll regions (the table_scroll template tag): marks a region whose table is wider than its
 * box, and which edge has more to see, so the stylesheet can show the hint text and a
 * shadow at that edge. Without this script the region still scrolls (mouse, touch and
 * keyboard); only the cue is missing.
 */
(function () {
  "use strict";

  var WRAPPER = "kansrijk-table-scroll";

  function update(region) {
    var wrapper = region.closest("." + WRAPPER);
    var hint = wrapper.querySelector("." + WRAPPER + "__hint");
    var hidden = region.scrollWidth - region.clientWidth;
    var overflowing = hidden > 1;
    wrapper.classList.toggle(WRAPPER + "--overflowing", overflowing);
    wrapper.classList.toggle(WRAPPER + "--more-start", overflowing && region.scrollLeft > 1);
    wrapper.classList.toggle(WRAPPER + "--more-end", overflowing && region.scrollLeft < hidden - 1);
    if (hint) {
      hint.hidden = !overflowing;
    }
  }

  var observer = new ResizeObserver(function (entries) {
    entries.forEach(function (entry) {
      update(entry.target.closest("." + WRAPPER + "__region"));
    });
  });

  function watch(root) {
    root.querySelectorAll("." + WRAPPER + "__region").forEach(function (region) {
      if (region.dataset.scrollWatched) {
        return;
      }
      region.dataset.scrollWatched = "true";
      region.addEventListener("scroll", function () { update(region); }, { passive: true });
      // The region changes size with the window, the table with its content and fonts.
      observer.observe(region);
      if (region.firstElementChild) {
        observer.observe(region.firstElementChild);
      }
      update(region);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { watch(document); });
  // Tables that htmx swaps in later.
  document.addEventListener("htmx:afterSettle", function (event) { watch(event.target); });
})();
