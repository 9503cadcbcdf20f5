/*
 * A document's status page (decision 0047): when the polled fragment says the document
 * became ready while the page was open, the download starts by itself. Without this
 * script (or JavaScript) the "Downloaden" button does the same with one click.
 */
(function () {
  "use strict";

  document.addEventListener("htmx:afterSettle", function () {
    var link = document.querySelector("a[data-download-now]");
    if (link) {
      link.removeAttribute("data-download-now");
      window.location.assign(link.href);
    }
  });
})();
