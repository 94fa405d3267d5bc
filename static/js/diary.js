/* The pain diary on a phone (procedures/<slug>/diary/).

   Entries stay in this browser only (localStorage, one key per procedure); the
   script makes no network request. Without JavaScript the page is a paper diary
   to print and fill in by hand.

   The relief rule (also in docs/design/patient-tools.md):
     relief % = (starting score - score) / starting score x 100,
     rounded to the nearest whole number;
     none when either score is missing or not a whole number from 0 to 10,
     and none when the starting score is 0 (there is no pain to relieve);
     below 0 when the pain is worse than at the start.
   The pure functions are exported (window.painsiteDiary, or module.exports under
   Node) so the tests can check the arithmetic. */
(function (root) {
    "use strict";

    function parseScore(value) {
        if (value === null || value === undefined) {
            return null;
        }
        var text = String(value).trim();
        if (!/^\d{1,2}$/.test(text)) {
            return null;
        }
        var number = Number(text);
        return number <= 10 ? number : null;
    }

    function reliefPercent(baseline, score) {
        var start = parseScore(baseline);
        var now = parseScore(score);
        if (start === null || now === null || start === 0) {
            return null;
        }
        var percent = Math.round(((start - now) / start) * 100);
        return percent === 0 ? 0 : percent; /* never -0 */
    }

    function describeRelief(percent) {
        if (percent === null || percent === undefined) {
            return "";
        }
        if (percent > 0) {
            return percent + "% relief";
        }
        if (percent < 0) {
            return -percent + "% worse";
        }
        return "No change";
    }

    /* rows: [{key, label}] in order, the first being the starting score;
       entries: {key: {score: "4", ...}}. */
    function summarize(rows, entries) {
        var first = rows[0];
        var baseline = parseScore((entries[first.key] || {}).score);
        var best = null;
        var latest = null;
        rows.slice(1).forEach(function (row) {
            var score = parseScore((entries[row.key] || {}).score);
            if (score === null) {
                return;
            }
            var percent = reliefPercent(baseline, score);
            var item = { key: row.key, label: row.label, score: score, relief: percent };
            latest = item;
            if (percent !== null && (best === null || percent > best.relief)) {
                best = item;
            }
        });
        return { baseline: baseline, best: best, latest: latest };
    }

    var api = {
        parseScore: parseScore,
        reliefPercent: reliefPercent,
        describeRelief: describeRelief,
        summarize: summarize,
    };
    if (typeof module === "object" && module.exports) {
        module.exports = api;
        return;
    }
    root.painsiteDiary = api;

    /* ---------- The page ---------- */
    var article = document.querySelector("[data-diary]");
    if (!article) {
        return;
    }
    var storageKey = "painsite-diary:" + article.getAttribute("data-diary");
    var table = article.querySelector("[data-diary-table]");
    var summary = article.querySelector("[data-diary-summary]");
    var message = article.querySelector("[data-diary-message]");
    var rows = Array.prototype.map.call(table.querySelectorAll("tbody tr"), function (tr) {
        return { key: tr.getAttribute("data-row"), label: tr.querySelector("th").textContent.trim(), tr: tr };
    });

    function load() {
        try {
            var saved = JSON.parse(root.localStorage.getItem(storageKey) || "{}");
            return saved && typeof saved === "object" ? saved : {};
        } catch (error) {
            return {};
        }
    }

    var entries = load();
    var canSave = true;

    function save() {
        try {
            root.localStorage.setItem(storageKey, JSON.stringify(entries));
            canSave = true;
        } catch (error) {
            canSave = false;
        }
    }

    function timeNow() {
        var now = new Date();
        return now.toLocaleString([], { weekday: "short", hour: "numeric", minute: "2-digit" });
    }

    function build(row) {
        var key = row.key;
        var select = document.createElement("select");
        select.id = "score-" + key;
        select.setAttribute("aria-labelledby", "row-" + key + " col-score");
        var blank = document.createElement("option");
        blank.value = "";
        blank.textContent = "Choose";
        select.appendChild(blank);
        for (var n = 0; n <= 10; n += 1) {
            var option = document.createElement("option");
            option.value = String(n);
            option.textContent = String(n);
            select.appendChild(option);
        }
        var note = document.createElement("input");
        note.type = "text";
        note.id = "note-" + key;
        note.maxLength = 80;
        note.autocomplete = "off";
        note.setAttribute("aria-labelledby", "row-" + key + " col-note");
        var entry = entries[key] || {};
        select.value = parseScore(entry.score) === null ? "" : String(parseScore(entry.score));
        note.value = typeof entry.note === "string" ? entry.note.slice(0, 80) : "";
        row.tr.querySelector('[data-cell="score"]').appendChild(select);
        row.tr.querySelector('[data-cell="note"]').appendChild(note);
        select.addEventListener("change", function () {
            var current = entries[key] || {};
            current.score = select.value;
            current.time = select.value === "" ? "" : current.time || timeNow();
            entries[key] = current;
            changed();
        });
        note.addEventListener("input", function () {
            var current = entries[key] || {};
            current.note = note.value;
            entries[key] = current;
            changed();
        });
    }

    function render() {
        var baseline = (entries[rows[0].key] || {}).score;
        rows.forEach(function (row, index) {
            var entry = entries[row.key] || {};
            row.tr.querySelector('[data-cell="time"]').textContent = typeof entry.time === "string" ? entry.time : "";
            if (index > 0) {
                var cell = row.tr.querySelector('[data-cell="relief"]');
                cell.textContent = describeRelief(reliefPercent(baseline, entry.score));
            }
        });
        var result = summarize(rows, entries);
        var ready = result.baseline !== null && result.latest !== null;
        summary.querySelector("[data-summary-empty]").hidden = ready;
        summary.querySelector("[data-summary-list]").hidden = !ready;
        if (ready) {
            summary.querySelector('[data-summary="baseline"]').textContent = result.baseline + " out of 10";
            summary.querySelector('[data-summary="best"]').textContent = result.best
                ? describeRelief(result.best.relief) + " (" + result.best.label + ", score " + result.best.score + ")"
                : "Relief cannot be worked out from a starting score of 0.";
            summary.querySelector('[data-summary="latest"]').textContent =
                result.latest.score + " out of 10 (" + result.latest.label + ")";
        }
    }

    function changed() {
        save();
        render();
        message.textContent = canSave ? "" : "This browser cannot save your diary. Print it before you close the page.";
    }

    rows.forEach(build);
    article.querySelector("[data-diary-storage]").hidden = false;
    summary.hidden = false;
    summary.querySelector("[data-diary-print]").addEventListener("click", function () {
        root.print();
    });
    summary.querySelector("[data-diary-clear]").addEventListener("click", function () {
        if (!root.confirm("Clear every score in this diary? This cannot be undone.")) {
            return;
        }
        entries = {};
        try {
            root.localStorage.removeItem(storageKey);
        } catch (error) {
            /* nothing saved to remove */
        }
        rows.forEach(function (row) {
            row.tr.querySelector("select").value = "";
            row.tr.querySelector('input[type="text"]').value = "";
        });
        render();
        message.textContent = "Your diary is cleared.";
    });
    render();
})(typeof window !== "undefined" ? window : globalThis);
