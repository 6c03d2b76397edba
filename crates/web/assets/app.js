// Opsøg needs little script: the design system's own behaviour (menus, accordions),
// loaded from a file so that the Content-Security-Policy can forbid inline script.
document.addEventListener('DOMContentLoaded', function () {
  if (window.DKFDS && typeof window.DKFDS.init === 'function') {
    window.DKFDS.init();
  }
});
