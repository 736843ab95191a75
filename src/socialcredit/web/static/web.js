// Progressive enhancement only: every page works without scripts.
// An error summary takes the focus, so that a screen reader announces the problem at once
// (the GOV.UK error summary pattern).
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }
});
