/*
 * A document's status page (decision 0047): when the document is ready as the page
 * opens from the download link, or becomes ready while the page is open (the polled
 * fragment says so), the download starts by itself. Without this script (or
 * JavaScript) the "Downloaden" button does the same with one click.
 */
(function () {
  "use strict";

  function downloadIfAsked() {
    var link = document.querySelector("a[data-download-now]");
    if (link) {
      link.removeAttribute("data-download-now");
      window.location.assign(link.href);
    }
  }

  // After the page has loaded, not while it loads: a download that starts during the
  // load leaves the page's own navigation without its load event (and a test waiting
  // for it without an end).
  window.addEventListener("load", downloadIfAsked);
  document.addEventListener("htmx:afterSettle", downloadIfAsked);
})();
