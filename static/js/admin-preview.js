/* Live preview of a Markdown field in the admin change form.
 *
 * The preview box (rendered by painsite.admin_base.RenderedHtmlMixin) carries
 * data-preview-url (a staff-only endpoint) and data-source (the textarea id).
 * As the editor types, the text is posted, with the form's CSRF token, to the
 * endpoint, which returns the sanitized HTML that saving would store: the same
 * renderer, so the preview is exactly what patients will see.
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function setUp(box) {
    var source = document.getElementById(box.dataset.source);
    if (!source) {
      return;
    }
    var form = source.form;
    var status = box.parentNode.querySelector("[data-preview-status]");
    var slug = form ? form.querySelector("input[name=slug]") : null;
    var timer = null;
    var latest = 0;

    function say(text) {
      if (status) {
        status.textContent = text;
      }
    }

    function refresh() {
      var ticket = ++latest;
      var body = new URLSearchParams();
      body.append("text", source.value);
      if (slug) {
        body.append("slug", slug.value);
      }
      say("Updating the preview…");
      fetch(box.dataset.previewUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": csrfToken(form),
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: body
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          if (ticket !== latest) {
            return;
          }
          box.innerHTML = data.html; // sanitized on the server by the same code as save()
          say(data.reading || "Preview up to date.");
        })
        .catch(function () {
          if (ticket === latest) {
            say("The preview could not be updated. Your text is safe; saving still works.");
          }
        });
    }

    source.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, 400);
    });
    box.classList.add("rendered-preview--live");
  }

  function start() {
    var boxes = document.querySelectorAll("[data-preview-url][data-source]");
    Array.prototype.forEach.call(boxes, setUp);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
