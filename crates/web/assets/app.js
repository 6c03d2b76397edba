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

// Upload progress for register extracts (issue 3): a national extract is gigabytes,
// so the form is sent with XMLHttpRequest, whose upload events drive the progress bar.
// The server's answer is then followed as the browser would: a redirect to the mapping
// page, or the page with the error. Without script the form posts as usual.
document.addEventListener('DOMContentLoaded', function () {
  var form = document.querySelector('form[data-upload-progress]');
  if (!form || !window.XMLHttpRequest || !window.FormData) {
    return;
  }
  var bar = form.querySelector('progress');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var xhr = new XMLHttpRequest();
    xhr.open('POST', form.getAttribute('action'));
    if (bar) {
      bar.hidden = false;
      bar.value = 0;
      xhr.upload.addEventListener('progress', function (e) {
        if (e.lengthComputable) {
          bar.value = Math.round((e.loaded / e.total) * 100);
        }
      });
    }
    xhr.addEventListener('load', function () {
      if (xhr.status < 400 && xhr.responseURL) {
        window.location.assign(xhr.responseURL);
      } else {
        document.open();
        document.write(xhr.responseText);
        document.close();
      }
    });
    xhr.addEventListener('error', function () {
      form.submit();
    });
    xhr.send(new FormData(form));
  });
});

// A job's page (`/jobs/…`: a letter batch or a register run): follow its progress,
// and open what it made when it is done (or show why it failed). Without script, a
// reload does the same: the job's state is in the database.
document.addEventListener('DOMContentLoaded', function () {
  var box = document.querySelector('[data-job-progress]');
  if (!box || !window.fetch) {
    return;
  }
  var bar = box.querySelector('progress');
  var timer = window.setInterval(function () {
    fetch(box.getAttribute('data-job-progress'), { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (p) {
        if (!p.running) {
          window.clearInterval(timer);
          if (p.result) {
            window.location.assign(p.result);
          } else {
            window.location.reload();
          }
          return;
        }
        if (p.total > 0) {
          bar.max = p.total;
          bar.value = p.done;
        }
      })
      .catch(function () { /* a reload shows the state all the same */ });
  }, 500);
});
