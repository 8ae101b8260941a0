// Small browser helpers of the Symbolon web app. No tracking, no third-party code.
(function () {
    "use strict";

    async function copyText(text) {
        try {
            await navigator.clipboard.writeText(text);
            return true;
        } catch {
            // Clipboard API needs a secure context (HTTPS or localhost): fall back to a selection copy.
            const area = document.createElement("textarea");
            area.value = text;
            area.setAttribute("readonly", "");
            area.style.position = "fixed";
            area.style.opacity = "0";
            document.body.appendChild(area);
            area.select();
            let ok = false;
            try { ok = document.execCommand("copy"); } catch { ok = false; }
            area.remove();
            return ok;
        }
    }

    function timeZone() {
        try {
            return Intl.DateTimeFormat().resolvedOptions().timeZone || null;
        } catch {
            return null;
        }
    }

    // Server-rendered pages (the recovery key) have no circuit: their buttons work through these attributes.
    document.addEventListener("click", async (event) => {
        const target = event.target instanceof Element ? event.target : null;
        const copy = target?.closest("[data-copy-text]");
        if (copy) {
            event.preventDefault();
            if (await copyText(copy.getAttribute("data-copy-text"))) {
                const label = copy.querySelector(".mud-button-label") ?? copy;
                const before = label.lastChild?.textContent;
                if (label.lastChild) label.lastChild.textContent = copy.getAttribute("data-copied-label") || "Copied";
                setTimeout(() => { if (label.lastChild && before !== undefined) label.lastChild.textContent = before; }, 2000);
            }
            return;
        }
        if (target?.closest("[data-print]")) {
            event.preventDefault();
            window.print();
        }
    });

    // A plain GET form that only gates a link (the recovery key's "Continue") goes to its address without the
    // empty "?" a browser would append.
    document.addEventListener("submit", (event) => {
        const form = event.target;
        if (form instanceof HTMLFormElement && form.hasAttribute("data-plain-link") && form.checkValidity()) {
            event.preventDefault();
            window.location.assign(form.action);
        }
    });

    window.symbolon = { copyText, timeZone };
})();
