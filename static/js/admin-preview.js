/* Live preview of a Markdown field in the admin change form.
 *
 * The preview box (rendered by editorial.admin_base.RenderedHtmlMixin) carries
 * data-preview-url (a staff-only endpoint) and data-source (the textarea id).
 * As the editor types, the text is posted, with the form's CSRF token, to the
 * endpoint, which returns the sanitized HTML that saving would store: the same
 * renderer, so the preview is exactly what patients will see.
 *
 * It looks like the site: the HTML is shown inside a shadow root that loads the
 * site's own stylesheet (data-site-css) and nothing of the admin's, so the admin's
 * list and heading styles cannot reach it. The box scrolls with the text box
 * (proportionally: the same share of each is scrolled past).
 */
(function () {
  "use strict";

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function sheet(root, href) {
    if (!href) {
      return;
    }
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    root.appendChild(link);
  }

  /* The element the HTML goes into: inside a shadow root styled by the site's CSS
   * when the browser has shadow DOM, else the box itself (admin.css styles it). */
  function surface(box) {
    if (!box.attachShadow || !box.dataset.siteCss) {
      return box;
    }
    var root = box.attachShadow({ mode: "open" });
    sheet(root, box.dataset.siteCss);
    sheet(root, box.dataset.previewCss);
    var page = document.createElement("div");
    page.className = "site-preview prose";
    page.innerHTML = box.innerHTML; // the HTML saved with the page (sanitized on save)
    root.appendChild(page);
    box.classList.add("rendered-preview--site");
    return page;
  }

  function syncScroll(source, box) {
    var busy = null;

    function follow(from, to) {
      if (busy && busy !== from) {
        return;
      }
      busy = from;
      var range = from.scrollHeight - from.clientHeight;
      var share = range > 0 ? from.scrollTop / range : 0;
      to.scrollTop = share * (to.scrollHeight - to.clientHeight);
      window.requestAnimationFrame(function () {
        busy = null;
      });
    }

    source.addEventListener("scroll", function () {
      follow(source, box);
    });
    box.addEventListener("scroll", function () {
      follow(box, source);
    });
    return function () {
      follow(source, box);
    };
  }

  function setUp(box) {
    var source = document.getElementById(box.dataset.source);
    if (!source) {
      return;
    }
    var form = source.form;
    var status = box.parentNode.querySelector("[data-preview-status]");
    var slug = form ? form.querySelector("input[name=slug]") : null;
    var page = surface(box);
    var resync = syncScroll(source, box);
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
          page.innerHTML = data.html; // sanitized on the server by the same code as save()
          resync();
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
