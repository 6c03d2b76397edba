// Opsøg needs little script: the design system's own behaviour (menus, accordions),
// loaded from a file so that the Content-Security-Policy can forbid inline script.
document.addEventListener('DOMContentLoaded', function () {
  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }
});

// The letter check while the coordinator types (issue 4): the letter form is posted
// to its check address a moment after the last keystroke, and the findings and the
// preview are replaced by what comes back. Without script, saving shows them too.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.querySelector('form[data-testid=letter-form]');
  var target = document.getElementById('letter-check');
  if (!form || !target || !window.fetch) {
    return;
  }
  var timer = null;
  var sent = 0;
  form.addEventListener('input', function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      var mine = ++sent;
      var body = new URLSearchParams(new FormData(form));
      fetch(form.getAttribute('action') + '/check', { method: 'POST', body: body, credentials: 'same-origin' })
        .then(function (res) { return res.ok ? res.text() : null; })
        .then(function (html) {
          // An older answer arriving late must not replace a newer one.
          if (html !== null && mine === sent) {
            target.innerHTML = html;
          }
        })
        .catch(function () { /* the saved check stays shown */ });
    }, 500);
  });
});
