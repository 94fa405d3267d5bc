/* The Markdown editor of the admin: a toolbar over each page-text box, pickers for
 * images, links, clinic numbers and shared blocks, and the content rules shown as
 * the editor types.
 *
 * Small and self-hosted on purpose (see docs/design/editor.md): the text box stays
 * the plain <textarea> the form posts, so nothing is lost without JavaScript.
 * CSP-clean: no inline script or style; the server's JSON is put in the page with
 * textContent and attributes only, never as HTML.
 *
 * The URLs come from #markdown-editor-config (editorial/templates/admin/editorial/
 * change_form.html): staff-only JSON endpoints of the page's ModelAdmin.
 */
(function () {
  "use strict";

  var CHECK_DELAY = 700;

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "className") {
        node.className = attrs[name];
      } else {
        node.setAttribute(name, attrs[name]);
      }
    });
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function csrfToken(form) {
    var input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function getJson(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("HTTP " + response.status);
        }
        return response.json();
      });
  }

  /* --- editing the text -------------------------------------------------------- */

  function changed(area) {
    area.dispatchEvent(new Event("input", { bubbles: true }));
  }

  function replaceSelection(area, text, selectFrom, selectTo) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    area.focus();
    area.setRangeText(text, start, end, "end");
    if (selectFrom !== undefined) {
      area.setSelectionRange(start + selectFrom, start + selectTo);
    }
    changed(area);
  }

  function wrap(area, before, after, placeholder) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var chosen = area.value.slice(start, end) || placeholder;
    replaceSelection(area, before + chosen + after, before.length, before.length + chosen.length);
  }

  /* The selected lines (whole lines), with a prefix on each: "## ", "- ", "1. ". */
  function prefixLines(area, prefix, numbered) {
    var value = area.value;
    var start = value.lastIndexOf("\n", area.selectionStart - 1) + 1;
    var endIndex = value.indexOf("\n", area.selectionEnd);
    var end = endIndex === -1 ? value.length : endIndex;
    if (area.selectionEnd > area.selectionStart && value[area.selectionEnd - 1] === "\n") {
      end = area.selectionEnd - 1;
    }
    var lines = value.slice(start, end).split("\n");
    var clean = /^(#{1,6}\s+|[-*+]\s+|\d+[.)]\s+)/;
    var out = lines.map(function (line, index) {
      var bare = line.replace(clean, "");
      if (!bare.trim() && lines.length > 1) {
        return line;
      }
      return (numbered ? index + 1 + ". " : prefix) + bare;
    });
    area.focus();
    area.setSelectionRange(start, end);
    var text = out.join("\n");
    area.setRangeText(text, start, end, "select");
    if (lines.length === 1 && !lines[0].replace(clean, "").trim()) {
      area.setSelectionRange(start + text.length, start + text.length);
    }
    changed(area);
  }

  /* Text that must stand on its own line (an image, a shared block). */
  function insertBlock(area, text) {
    var value = area.value;
    var start = area.selectionStart;
    var before = value.slice(0, start);
    var after = value.slice(area.selectionEnd);
    var lead = !before || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var tail = /^\n\n/.test(after) ? "" : /^\n/.test(after) ? "\n" : after ? "\n\n" : "\n";
    replaceSelection(area, lead + text + tail);
  }

  function insertLink(area, page) {
    var start = area.selectionStart;
    var end = area.selectionEnd;
    var chosen = area.value.slice(start, end).trim();
    if (chosen) {
      replaceSelection(area, "[" + chosen.replace(/[[\]\\]/g, "\\$&") + "](" + page.url + ")");
    } else {
      replaceSelection(area, page.markdown);
    }
  }

  /* --- the picker (one <dialog> for images, links, numbers and blocks) -------------- */

  function Picker(config) {
    var dialog = el("dialog", { className: "md-picker", "aria-labelledby": "md-picker-title" });
    var title = el("h2", { id: "md-picker-title" });
    var help = el("p", { className: "md-picker__help", id: "md-picker-help" });
    var searchLabel = el("label", { for: "md-picker-search" }, "Search");
    var search = el("input", {
      type: "search",
      id: "md-picker-search",
      autocomplete: "off",
      "aria-describedby": "md-picker-help"
    });
    var status = el("p", { className: "md-picker__status", role: "status" });
    var list = el("ul", { className: "md-picker__list" });
    var close = el("button", { type: "button", className: "md-picker__close" }, "Cancel");
    var searchRow = el("div", { className: "md-picker__search" });
    searchRow.appendChild(searchLabel);
    searchRow.appendChild(search);
    [title, help, searchRow, status, list, close].forEach(function (node) {
      dialog.appendChild(node);
    });
    document.body.appendChild(dialog);

    var items = [];
    var options = {};
    var render = null;
    var choose = null;
    var area = null;
    var timer = null;
    var fetchItems = null;

    function show(filtered) {
      list.textContent = "";
      filtered.forEach(function (item) {
        var li = el("li");
        var button = el("button", { type: "button", className: "md-picker__item" });
        render(item, button);
        button.addEventListener("click", function () {
          dialog.close();
          choose(area, item);
        });
        li.appendChild(button);
        list.appendChild(li);
      });
      status.textContent = filtered.length
        ? filtered.length + " to choose from."
        : options.empty || "Nothing found. Try other words.";
    }

    function filter() {
      var words = search.value.toLowerCase().trim();
      if (fetchItems) {
        window.clearTimeout(timer);
        timer = window.setTimeout(load, 250);
        return;
      }
      show(
        items.filter(function (item) {
          return !words || (item.search || "").toLowerCase().indexOf(words) !== -1;
        })
      );
    }

    function load() {
      status.textContent = "Loading…";
      fetchItems(search.value.trim())
        .then(function (found) {
          items = found;
          show(found);
        })
        .catch(function () {
          status.textContent = "The list could not be loaded. Check your connection and try again.";
        });
    }

    search.addEventListener("input", filter);
    close.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      if (area) {
        area.focus();
      }
    });

    /* options: title, help, render(item, button), choose(area, item), and either
     * items (a fixed list, filtered here) or fetch(query) -> Promise of items. */
    this.open = function (target, chosen) {
      options = chosen;
      area = target;
      title.textContent = options.title;
      help.textContent = options.help || "";
      render = options.render;
      choose = options.choose;
      fetchItems = options.fetch || null;
      items = options.items || [];
      search.value = "";
      searchRow.hidden = !options.searchable;
      dialog.showModal();
      if (fetchItems) {
        load();
      } else {
        show(items);
      }
      (options.searchable ? search : close).focus();
    };
  }

  /* --- the rules shown while writing ------------------------------------------------ */

  var GROUPS = [
    ["save", "Must be fixed before you can save"],
    ["publish", "Must be fixed before the page can be published"],
    ["advice", "Advice: patients' pages aim for these"]
  ];

  function lineRange(text, line) {
    var start = 0;
    for (var n = 1; n < line; n++) {
      var next = text.indexOf("\n", start);
      if (next === -1) {
        return null;
      }
      start = next + 1;
    }
    var end = text.indexOf("\n", start);
    return [start, end === -1 ? text.length : end];
  }

  /* Select the problem in the text box: the quoted words on their line if found there
   * (the sentence is highlighted), else the whole line. */
  function goTo(area, problem) {
    var range = problem.line ? lineRange(area.value, problem.line) : null;
    if (!range) {
      area.focus();
      return;
    }
    var from = range[0];
    var to = range[1];
    var quote = (problem.quote || "").replace(/[.!?]$/, "");
    var head = quote.split(/\s+/).slice(0, 4).join(" ");
    var at = head ? area.value.indexOf(head, from) : -1;
    if (at !== -1 && at <= to) {
      from = at;
      to = Math.min(area.value.length, at + quote.length + 1);
      var lineEnd = area.value.indexOf("\n", at);
      if (lineEnd !== -1 && lineEnd < to) {
        to = lineEnd;
      }
    }
    area.focus();
    area.setSelectionRange(from, to);
    var lineHeight = parseFloat(window.getComputedStyle(area).lineHeight) || 20;
    area.scrollTop = Math.max(0, (problem.line - 3) * lineHeight);
  }

  function RulesPanel(area, config) {
    var panel = el("section", {
      className: "md-rules",
      "aria-labelledby": area.id + "-rules-title"
    });
    var heading = el("h3", { id: area.id + "-rules-title", className: "md-rules__title" },
      "Content rules");
    var summary = el("p", { className: "md-rules__summary", role: "status" },
      "The text is checked as you type.");
    var body = el("div", { className: "md-rules__groups" });
    panel.appendChild(heading);
    panel.appendChild(summary);
    panel.appendChild(body);
    var timer = null;
    var latest = 0;

    function say(text) {
      if (summary.textContent !== text) {
        summary.textContent = text; // a status region: said once, when it changes
      }
    }

    function show(data) {
      var problems = data.problems || [];
      var counts = data.counts || {};
      panel.removeAttribute("aria-busy");
      body.textContent = "";
      if (!problems.length) {
        say("No problems found: the text keeps the clinic's writing rules.");
        panel.dataset.state = "ok";
        return;
      }
      var parts = [];
      if (counts.save) {
        parts.push(counts.save + " to fix before saving");
      }
      if (counts.publish) {
        parts.push(counts.publish + " to fix before publishing");
      }
      if (counts.advice) {
        parts.push(counts.advice + " advice");
      }
      say("Found: " + parts.join(", ") + ".");
      panel.dataset.state = counts.save ? "error" : counts.publish ? "publish" : "advice";
      GROUPS.forEach(function (group) {
        var found = problems.filter(function (p) {
          return p.blocks === group[0];
        });
        if (!found.length) {
          return;
        }
        body.appendChild(el("h4", { className: "md-rules__group md-rules__group--" + group[0] },
          group[1]));
        var list = el("ul", { className: "md-rules__list" });
        found.forEach(function (problem) {
          var item = el("li", { className: "md-rule md-rule--" + group[0],
            "data-rule": problem.rule });
          if (problem.line) {
            var go = el("button", { type: "button", className: "md-rule__line" },
              "Line " + problem.line);
            go.setAttribute("aria-label", "Go to line " + problem.line + " in the text");
            go.addEventListener("click", function () {
              goTo(area, problem);
            });
            item.appendChild(go);
          }
          item.appendChild(el("span", { className: "md-rule__message" }, problem.message));
          if (problem.quote && problem.message.indexOf(problem.quote) === -1) {
            var quote = el("q", { className: "md-rule__quote" });
            quote.appendChild(el("mark", {}, problem.quote));
            item.appendChild(quote);
          }
          list.appendChild(item);
        });
        body.appendChild(list);
      });
    }

    function check() {
      var ticket = ++latest;
      var data = new URLSearchParams();
      data.append("text", area.value);
      if (config.objectId) {
        data.append("object_id", config.objectId);
      }
      var slug = area.form ? area.form.querySelector("input[name=slug]") : null;
      if (slug) {
        data.append("slug", slug.value);
      }
      fetch(config.checkUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "X-CSRFToken": csrfToken(area.form),
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: data
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("HTTP " + response.status);
          }
          return response.json();
        })
        .then(function (found) {
          if (ticket === latest) {
            show(found);
          }
        })
        .catch(function () {
          if (ticket === latest) {
            panel.removeAttribute("aria-busy");
            say("The rules could not be checked just now. Saving checks them again.");
          }
        });
    }

    area.addEventListener("input", function () {
      window.clearTimeout(timer);
      panel.setAttribute("aria-busy", "true"); // no announcement on every key press
      timer = window.setTimeout(check, CHECK_DELAY);
    });
    this.element = panel;
    this.check = check;
  }

  /* --- the toolbar ----------------------------------------------------------------- */

  var TOOLS = [
    ["heading", "Heading", "A section heading (## ) on this line"],
    ["subheading", "Subheading", "A smaller heading (### ) on this line"],
    ["bold", "Bold", "Make the selected words bold (Ctrl+B)"],
    ["bullets", "Bulleted list", "Make the selected lines a bulleted list"],
    ["numbers", "Numbered list", "Make the selected lines a numbered list"],
    ["link", "Link to a page…", "Link to another page of the site (Ctrl+K)"],
    ["image", "Image…", "Show an image from the image library"],
    ["fact", "Clinic number…", "Insert a clinic number or the clinic's name"],
    ["block", "Shared block…", "Insert a shared safety block"]
  ];

  function imageRender(item, button) {
    var img = el("img", { src: item.thumbnail, alt: "", loading: "lazy", width: "96" });
    button.appendChild(img);
    var words = el("span", { className: "md-picker__words" });
    words.appendChild(el("strong", {}, item.key));
    words.appendChild(el("span", {}, item.decorative ? "Decorative (no alt text)" :
      "Alt text: " + (item.alt || "none yet")));
    button.appendChild(words);
  }

  function Toolbar(area, config, picker) {
    var bar = el("div", {
      className: "md-toolbar",
      role: "toolbar",
      "aria-label": "Format and insert",
      "aria-controls": area.id
    });
    var names = null;

    function loadNames() {
      names = names || getJson(config.namesUrl).catch(function () {
        names = null; // try again next time
        return { facts: [], blocks: [], failed: true };
      });
      return names;
    }

    var NOT_LOADED = "The list could not be loaded. Check your connection and try again.";

    var actions = {
      heading: function () {
        prefixLines(area, "## ");
      },
      subheading: function () {
        prefixLines(area, "### ");
      },
      bold: function () {
        wrap(area, "**", "**", "bold words");
      },
      bullets: function () {
        prefixLines(area, "- ");
      },
      numbers: function () {
        prefixLines(area, "", true);
      },
      link: function () {
        picker.open(area, {
          title: "Link to a page",
          help: "Choose the page to link to. Selected words become the link; else its title.",
          searchable: true,
          fetch: function (query) {
            return getJson(config.pagesUrl + "?q=" + encodeURIComponent(query)).then(
              function (data) {
                return data.pages;
              }
            );
          },
          render: function (item, button) {
            button.appendChild(el("strong", {}, item.title));
            button.appendChild(el("span", { className: "md-picker__meta" },
              " " + item.kind + " · " + item.url));
          },
          choose: insertLink
        });
      },
      image: function () {
        picker.open(area, {
          title: "Choose an image",
          help: "The image goes on a line of its own. Add new images under Images first.",
          searchable: true,
          fetch: function (query) {
            return getJson(config.imagesUrl + "?q=" + encodeURIComponent(query)).then(
              function (data) {
                return data.images;
              }
            );
          },
          render: imageRender,
          choose: function (target, item) {
            insertBlock(target, item.markdown);
          }
        });
      },
      fact: function () {
        loadNames().then(function (data) {
          picker.open(area, {
            title: "Insert a clinic number",
            help: "The page always shows the number from Clinic details, as a tap-to-call link.",
            items: data.facts,
            empty: data.failed ? NOT_LOADED : "",
            render: function (item, button) {
              button.appendChild(el("strong", {}, item.label));
              button.appendChild(el("span", { className: "md-picker__meta" },
                " " + item.markdown + (item.value ? " · now " + item.value : "")));
            },
            choose: function (target, item) {
              replaceSelection(target, item.markdown);
            }
          });
        });
      },
      block: function () {
        loadNames().then(function (data) {
          picker.open(area, {
            title: "Insert a shared block",
            help: data.blocks.length
              ? "The block's text appears here, word for word, on a line of its own."
              : "No shared block can be inserted here.",
            items: data.blocks,
            empty: data.failed ? NOT_LOADED : "No published shared block yet.",
            render: function (item, button) {
              button.appendChild(el("strong", {}, item.title));
              button.appendChild(el("span", { className: "md-picker__meta" },
                " " + item.markdown));
            },
            choose: function (target, item) {
              insertBlock(target, item.markdown);
            }
          });
        });
      }
    };

    var buttons = TOOLS.map(function (tool, index) {
      var button = el("button", {
        type: "button",
        className: "md-toolbar__button md-toolbar__button--" + tool[0],
        title: tool[2],
        "data-action": tool[0],
        tabindex: index === 0 ? "0" : "-1"
      }, tool[1]);
      if (/…$/.test(tool[1])) {
        button.setAttribute("aria-haspopup", "dialog");
      }
      button.addEventListener("click", function () {
        actions[tool[0]]();
      });
      bar.appendChild(button);
      return button;
    });

    /* One tab stop; arrow keys, Home and End move between the buttons. */
    bar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index === -1) {
        return;
      }
      var next = null;
      if (event.key === "ArrowRight" || event.key === "ArrowDown") {
        next = (index + 1) % buttons.length;
      } else if (event.key === "ArrowLeft" || event.key === "ArrowUp") {
        next = (index - 1 + buttons.length) % buttons.length;
      } else if (event.key === "Home") {
        next = 0;
      } else if (event.key === "End") {
        next = buttons.length - 1;
      }
      if (next !== null) {
        event.preventDefault();
        buttons[index].setAttribute("tabindex", "-1");
        buttons[next].setAttribute("tabindex", "0");
        buttons[next].focus();
      }
    });

    area.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey) {
        return;
      }
      var key = event.key.toLowerCase();
      if (key === "b") {
        event.preventDefault();
        actions.bold();
      } else if (key === "k") {
        event.preventDefault();
        actions.link();
      }
    });

    this.element = bar;
  }

  function setUp(area, config, picker) {
    if (area.dataset.markdownEditor) {
      return;
    }
    area.dataset.markdownEditor = "on";
    var toolbar = new Toolbar(area, config, picker);
    var rules = new RulesPanel(area, config);
    area.parentNode.insertBefore(toolbar.element, area);
    var after = area.nextSibling;
    area.parentNode.insertBefore(rules.element, after);
    area.classList.add("md-textarea");
    rules.check(); // on load too: after a refused save, the lines to fix are listed
  }

  function start() {
    var holder = document.getElementById("markdown-editor-config");
    if (!holder) {
      return;
    }
    var config = {
      checkUrl: holder.dataset.checkUrl,
      imagesUrl: holder.dataset.imagesUrl,
      pagesUrl: holder.dataset.pagesUrl,
      namesUrl: holder.dataset.namesUrl,
      objectId: holder.dataset.objectId
    };
    var picker = new Picker(config);
    var boxes = document.querySelectorAll("[data-preview-url][data-source]");
    Array.prototype.forEach.call(boxes, function (box) {
      var area = document.getElementById(box.dataset.source);
      if (area && area.tagName === "TEXTAREA") {
        setUp(area, config, picker);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
