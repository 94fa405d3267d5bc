/* Questions and answers: each answer is folded in a <details>. A link to /faq/#slug
 * opens the answer it points to (the page works without this: the question is
 * shown and opens with a tap). */
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      return;
    }
    var details = target.tagName === "DETAILS" ? target : target.querySelector("details");
    if (!details) {
      details = target.closest("details");
    }
    if (details && !details.open) {
      details.open = true;
      target.scrollIntoView();
    }
  }

  window.addEventListener("hashchange", openTarget);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", openTarget);
  } else {
    openTarget();
  }
})();
