// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // After a search or a filter change the page opens at #results: put keyboard and
  // screen-reader focus on the results heading, not just the scroll position.
  if (window.location.hash === "#results") {
    var heading = document.getElementById("results");
    if (heading) { heading.focus(); }
  }
})();
