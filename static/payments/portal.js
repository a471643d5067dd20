// Disable a payment form's button once it is submitted, so an impatient
// second click does not send the form again. The server does not rely on this:
// every payment form carries an idempotency key.
document.addEventListener("submit", function (event) {
  var form = event.target;
  if (!form.classList.contains("pay-form")) return;
  if (form.dataset.submitted === "yes") { event.preventDefault(); return; }
  form.dataset.submitted = "yes";
  form.querySelectorAll("button[type=submit]").forEach(function (button) { button.disabled = true; });
});

// A trader sees what the selected parcels come to before paying (the server
// computes the payment itself); nothing is selected to begin with.
(function () {
  var table = document.getElementById("trader-parcels");
  var summary = document.getElementById("selection-total");
  var button = document.getElementById("pay-selected");
  if (!table || !summary || !button) return;
  var format = function (amount, currency) {
    var text = new Intl.NumberFormat(document.documentElement.lang || "en", {
      minimumFractionDigits: 2, maximumFractionDigits: 2
    }).format(amount);
    return text + " " + currency;
  };
  var update = function () {
    var totals = {}, count = 0;
    table.querySelectorAll("input[name=items]:checked").forEach(function (box) {
      count += 1;
      // Cents as integers, so that many parcels add up exactly.
      totals[box.dataset.currency] = (totals[box.dataset.currency] || 0) + Math.round(parseFloat(box.dataset.amount) * 100);
    });
    button.disabled = count === 0;
    if (count === 0) { summary.textContent = summary.dataset.none; return; }
    var parts = Object.keys(totals).sort().map(function (c) { return format(totals[c] / 100, c); });
    summary.textContent = summary.dataset.some.replace("%(count)s", count).replace("%(total)s", parts.join(" + "));
  };
  table.addEventListener("change", update);
  update();
})();
