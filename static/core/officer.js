// Keyboard shortcuts of the officer dashboard: n = take the next item,
// r = release the open item (after a confirmation; a red item's reason field
// is focused instead, since it cannot be released without one), / = search.
// Ignored while typing in a field.
document.addEventListener("keydown", function (event) {
  var target = event.target;
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  if (target.closest("input, textarea, select, [contenteditable]")) return;
  if (event.key === "n") {
    var next = document.getElementById("next-item");
    if (next) { event.preventDefault(); next.click(); }
  } else if (event.key === "r") {
    var release = document.getElementById("release");
    var reason = document.getElementById("release-reason");
    if (reason) { event.preventDefault(); reason.focus(); }
    else if (release && window.confirm(release.textContent.trim() + "?")) { event.preventDefault(); release.click(); }
  } else if (event.key === "/") {
    var search = document.querySelector("form.search input");
    if (search) { event.preventDefault(); search.focus(); }
  }
});

// The rule form shows the fields of the kind chosen; without scripts every field shows.
(function () {
  var form = document.getElementById("propose-rule");
  if (!form) return;
  var kind = form.querySelector("select[name=kind]");
  var show = function () {
    form.querySelectorAll(".rule-kind").forEach(function (part) {
      part.hidden = part.dataset.kinds.split(" ").indexOf(kind.value) < 0;
    });
  };
  kind.addEventListener("change", show);
  show();
})();
