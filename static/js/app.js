/* Every page: an htmx form that could not reach the server (network down) says so, keeps what
   was entered, and is sent again as soon as the connection returns. */
(function () {
  "use strict";
  var pending = [];

  function mark(form, on) {
    form.classList.toggle("offline-pending", on);
    var note = form.querySelector(".offline-note");
    if (on && !note) {
      note = document.createElement("p");
      note.className = "offline-note";
      note.setAttribute("role", "status");
      note.textContent = document.body.dataset.offlineMessage || "";
      form.appendChild(note);
    } else if (!on && note) {
      note.remove();
    }
  }

  document.addEventListener("htmx:error", function (ev) {
    var form = ev.target && ev.target.closest ? ev.target.closest("form") : null;
    var ctx = ev.detail && ev.detail.ctx;
    if (!form || (ctx && ctx.response)) return;  // an answer came back: not a network problem
    mark(form, true);
    if (pending.indexOf(form) < 0) pending.push(form);
  });

  window.addEventListener("online", function () {
    var forms = pending.splice(0);
    forms.forEach(function (form) {
      if (!form.isConnected) return;
      mark(form, false);
      form.requestSubmit();
    });
  });
})();
