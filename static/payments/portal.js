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
