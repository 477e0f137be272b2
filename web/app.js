// The little the pages do in the browser, all optional: a form marked data-once disables its button once sent, so
// a double click sends it once (the server's idempotency key covers a second send anyway).
document.addEventListener('submit', (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.hasAttribute('data-once')) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = 'true';
  for (const button of form.querySelectorAll('button[type="submit"]')) button.setAttribute('aria-disabled', 'true');
});

// A link to a section folded away (a dashboard figure pointing at its table) unfolds it: browsers scroll to a heading
// in a closed <details> summary but leave the table hidden.
function unfoldTarget() {
  const target = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
  const folded = target?.closest('details:not([open])');
  if (folded) folded.open = true;
}
window.addEventListener('hashchange', unfoldTarget);
unfoldTarget();

// A form offering several kinds (a visit plan's recurrence) shows only the chosen kind's fields, the others hidden and
// disabled so they are not sent. Without script every field shows and the server reads only the chosen kind's.
function showChosenKind(select) {
  for (const group of select.form.querySelectorAll('[data-kind]')) {
    const chosen = group.dataset.kind === select.value;
    group.hidden = !chosen;
    for (const field of group.querySelectorAll('input, select, textarea')) field.disabled = !chosen;
  }
}
for (const select of document.querySelectorAll('select[data-kind-choice]')) {
  showChosenKind(select);
  select.addEventListener('change', () => showChosenKind(select));
}
