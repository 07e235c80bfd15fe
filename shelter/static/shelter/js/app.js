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
