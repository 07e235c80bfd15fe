// Shelter's only script: progressive enhancements, nothing a page needs in order to work.
// Loaded from our own origin (CSP: script-src 'self'); no inline handlers anywhere.
document.addEventListener("submit", (event) => {
  const form = event.target;
  const question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
  }
});

// Backup codes: a print button, shown only where this script runs (without it, the browser's
// own print command does the same; the print style sheet hides the menus).
document.querySelectorAll("[data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});

// Forms: on a page that answers with errors, move the focus to the error summary, so a
// keyboard or screen-reader user starts at the list of links to the fields in error.
document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector(".error-summary");
  if (summary) {
    summary.focus();
  }
});

// Case tabs: the strip scrolls sideways on a small screen; bring the current tab into view
// (on load, and when the window changes size, e.g. a phone turned on its side).
// Without this script the strip still scrolls, by swipe, scroll bar or keyboard focus.
function showCurrentTabs() {
  document.querySelectorAll(".tabs ul").forEach((strip) => {
    const current = strip.querySelector('[aria-current="page"]');
    if (!current || strip.scrollWidth <= strip.clientWidth) {
      return;
    }
    const item = current.closest("li") || current;
    const left = item.offsetLeft - (strip.clientWidth - item.offsetWidth) / 2;
    strip.scrollLeft = Math.max(0, left);
  });
}
document.addEventListener("DOMContentLoaded", showCurrentTabs);
let tabsResizeTimer;
let tabsWidth = window.innerWidth;
window.addEventListener("resize", () => {
  // Only a change of width: a phone's address bar hiding on scroll changes the height alone.
  if (window.innerWidth === tabsWidth) {
    return;
  }
  tabsWidth = window.innerWidth;
  window.clearTimeout(tabsResizeTimer);
  tabsResizeTimer = window.setTimeout(showCurrentTabs, 100);
});
// A tab that gets keyboard focus is scrolled fully into view, not left half outside the strip.
document.addEventListener("focusin", (event) => {
  const link = event.target;
  if (link instanceof HTMLElement && link.matches(".tabs a")) {
    link.scrollIntoView({ block: "nearest", inline: "nearest" });
  }
});
