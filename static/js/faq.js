/* Questions and answers: each answer is folded in a <details>. A link to /faq/#slug
 * opens the answer it points to (the page works without this: the question is
 * shown and opens with a tap). When there are so many answers that they come in
 * pages and the answer is on another page, the server sends the visitor there. */
(function () {
  "use strict";

  function openTarget() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && document.getElementById(id);
    if (!target) {
      var finder = document.querySelector("[data-find-url]");
      var tried = "faq-find:" + id;
      if (id && finder && /^[a-z0-9-]+$/.test(id) && !/^topic-/.test(id)) {
        try {
          if (sessionStorage.getItem(tried)) {
            sessionStorage.removeItem(tried);  // been there once: never loop
            return;
          }
          sessionStorage.setItem(tried, "1");
        } catch (e) {
          return;  // no storage: stay on this page rather than risk a loop
        }
        location.replace(finder.getAttribute("data-find-url").replace("slug-placeholder", id));
      }
      return;
    }
    // An answer (its article holds the <details>) or something inside one; not the
    // skip link's <main> or a topic heading.
    var details = target.classList.contains("faq-item")
      ? target.querySelector("details")
      : target.closest("details");
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
