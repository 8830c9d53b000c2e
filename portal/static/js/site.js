// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // After a search or a filter change the page opens at #results: put keyboard and
  // screen-reader focus on the results heading, not just the scroll position.
  if (window.location.hash === "#results") {
    var heading = document.getElementById("results");
    if (heading) { heading.focus(); }
  }

  var status = document.getElementById("share-status");
  function announce(message) {
    if (!status) { return; }
    // Clearing first makes screen readers announce the same message again on a repeat.
    status.textContent = "";
    window.setTimeout(function () { status.textContent = message; }, 50);
  }

  var copy = document.querySelector("[data-copy]");
  if (copy && navigator.clipboard) {
    copy.hidden = false;
    copy.addEventListener("click", function () {
      navigator.clipboard.writeText(copy.getAttribute("data-copy")).then(function () {
        announce(copy.getAttribute("data-done") || "链接已复制");
      }, function () {
        announce(copy.getAttribute("data-failed") || "复制失败，请手动复制页面地址");
      });
    });
  }

  var share = document.querySelector("[data-share]");
  if (share && navigator.share) {
    share.hidden = false;
    share.addEventListener("click", function () {
      navigator.share({ title: document.title, url: share.getAttribute("data-share") })
        .catch(function () { /* the visitor closed the share sheet */ });
    });
  }
})();
