/* Print buttons: each <button data-print> (hidden, or inside a hidden
   [data-print-wrap]) is shown and prints the page when pressed. Loaded as a file
   (the site's CSP allows no inline script); without JavaScript the buttons stay
   hidden and the browser's own Print still works. */
(function () {
    "use strict";
    document.querySelectorAll("button[data-print]").forEach(function (button) {
        var wrap = button.closest("[data-print-wrap]");
        if (wrap) {
            wrap.hidden = false;
        }
        button.hidden = false;
        button.addEventListener("click", function () {
            window.print();
        });
    });
})();
