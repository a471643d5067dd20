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

// A form that changes money or a decision (data-review) shows what it will send
// before it is sent: each field marked data-review-label with its value (a
// radio's or option's own label), and each data-review-fact, in a dialog with
// "Send" and "Change". Without scripts the form is sent as it is.
(function () {
  var dialog = document.getElementById("review-dialog");
  if (!dialog || typeof dialog.showModal !== "function") return;
  var pending = null;

  var shown = function (field) {
    if (field.type === "radio" || field.type === "checkbox") {
      var label = field.closest("label");
      return label ? label.textContent.trim() : field.value;
    }
    if (field.tagName === "SELECT") {
      return field.selectedIndex >= 0 ? field.options[field.selectedIndex].textContent.trim() : "";
    }
    if (field.type === "file") {
      return Array.prototype.map.call(field.files, function (file) { return file.name; }).join(", ");
    }
    var unit = field.dataset.reviewUnit;
    return field.value.trim() && unit ? field.value.trim() + " " + unit : field.value.trim();
  };

  var row = function (facts, label, value) {
    var term = document.createElement("dt");
    var data = document.createElement("dd");
    term.textContent = label;
    data.textContent = value || "–";
    facts.appendChild(term);
    facts.appendChild(data);
  };

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.dataset || !form.dataset.review) return;
    if (form.dataset.reviewed === "yes") { form.dataset.reviewed = ""; return; }
    event.preventDefault();
    var facts = document.getElementById("review-facts");
    facts.textContent = "";
    document.getElementById("review-title").textContent = form.dataset.review;
    form.querySelectorAll("[data-review-fact]").forEach(function (fact) {
      row(facts, fact.dataset.reviewFact, fact.textContent.trim());
    });
    form.querySelectorAll("[data-review-label]").forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      row(facts, field.dataset.reviewLabel, shown(field));
    });
    pending = form;
    dialog.showModal();
  });
  document.getElementById("review-send").addEventListener("click", function () {
    dialog.close();
    if (!pending) return;
    pending.dataset.reviewed = "yes";
    pending.requestSubmit();
  });
  document.getElementById("review-change").addEventListener("click", function () {
    dialog.close();
    pending = null;
  });
})();

// Choosing a line fills the fields given in data-fills from the option's data
// (its HS code and value): a correction starts from what the line declares.
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.tagName !== "SELECT" || !select.dataset.fills) return;
  var option = select.options[select.selectedIndex];
  select.dataset.fills.split(" ").forEach(function (selector) {
    var field = document.querySelector(selector);
    if (field && option) field.value = option.dataset[field.name] || "";
  });
});
