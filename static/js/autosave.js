/* Meeting mode: every text field saves as it is typed. Nothing typed is lost when the network
   drops: pending saves are kept in localStorage, in order, and sent when the connection returns.
   A save names the version and the text it was typed over; if another tablet changed the same
   text meanwhile, the server answers 409 and both texts are shown side by side. */
(function () {
  "use strict";
  var QUEUE_KEY = "neighborhood:autosave-queue";
  var DELAY = 700;
  var queue = load(QUEUE_KEY, []);
  var busy = false;
  var forms = {};

  function load(key, fallback) {
    try { return JSON.parse(localStorage.getItem(key)) || fallback; } catch (e) { return fallback; }
  }
  function persist() { localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }

  function status(form, field, state) {
    var el = form.querySelector("#" + field + "-status");
    if (!el) return;
    el.textContent = el.dataset[state];
    el.className = "save-status " + state;
    form.classList.toggle("has-unsaved", !!form.querySelector(".save-status.unsaved, .save-status.saving"));
  }

  function setup(form) {
    var key = form.dataset.key;
    var state = forms[key] = {
      form: form, url: form.action, version: parseInt(form.dataset.version, 10),
      csrf: form.querySelector("[name=csrf_token]").value, base: {}, timers: {}, paused: false
    };
    form.querySelectorAll(".autosave textarea").forEach(function (area) {
      var field = area.name;
      state.base[field] = form.querySelector("[name=base_" + field + "]").value;
      area.addEventListener("input", function () {
        status(form, field, "saving");
        clearTimeout(state.timers[field]);
        state.timers[field] = setTimeout(function () { enqueue(key, field, area.value); }, DELAY);
      });
    });
    // Edits kept on this tablet from before a reload or a lost connection.
    queue.forEach(function (job) {
      if (job.key !== key) return;
      var area = form.querySelector("textarea[name=" + job.field + "]");
      if (area) { area.value = job.value; status(form, job.field, "unsaved"); }
      state.base[job.field] = job.base;  // the text it was typed over, not the one loaded now
      if (job.version != null) state.version = job.version;
    });
    form.addEventListener("submit", function (ev) {
      ev.preventDefault();
      form.querySelectorAll(".autosave textarea").forEach(function (a) { enqueue(key, a.name, a.value); });
    });
    form.querySelectorAll("[data-resolve]").forEach(function (button) {
      button.addEventListener("click", function () { resolve(key, button.dataset.resolve); });
    });
  }

  function enqueue(key, field, value) {
    var state = forms[key];
    queue = queue.filter(function (job) { return !(job.key === key && job.field === field && !job.sending); });
    queue.push({ key: key, url: state.url, field: field, value: value, base: state.base[field] });
    persist();
    flush();
  }

  function flush() {
    if (busy || !queue.length) return;
    var job = queue[0];
    var state = forms[job.key];
    if (!state) { queue.shift(); persist(); return flush(); }
    if (state.paused) return;
    busy = true;
    job.sending = true;
    var body = new FormData();
    body.append("csrf_token", state.csrf);
    body.append("version", state.version);
    body.append(job.field, job.value);
    body.append("base_" + job.field, job.base);
    status(state.form, job.field, "saving");
    fetch(job.url, { method: "POST", body: body, credentials: "same-origin",
                     headers: { "Accept": "application/json", "X-CSRFToken": state.csrf } })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { code: response.status, data: data };
        });
      })
      .then(function (result) {
        busy = false;
        job.sending = false;
        if (result.code === 200) {
          state.version = result.data.version;
          state.base[job.field] = job.value;
          queue.shift();
          // Later edits of the same field on this tablet were typed over this text.
          queue.forEach(function (j) { if (j.key === job.key && j.field === job.field) j.base = job.value; });
          persist();
          var area = state.form.querySelector("textarea[name=" + job.field + "]");
          var pending = queue.some(function (j) { return j.key === job.key && j.field === job.field; });
          if (area && area.value === job.value && !pending) status(state.form, job.field, "saved");
        } else if (result.code === 409 && result.data.conflict) {
          state.version = result.data.version;
          state.paused = true;
          showConflict(state, job, result.data);
          status(state.form, job.field, "conflict");
          return;
        } else if (result.code >= 500) {
          throw new Error("server");
        } else {
          queue.shift();  // refused (closed meeting, too long): keep the text on screen, stop retrying
          persist();
          status(state.form, job.field, "unsaved");
        }
        flush();
      })
      .catch(function () {
        busy = false;
        job.sending = false;
        persist();
        // Every field still waiting in the queue is not saved, not only the one just tried.
        queue.forEach(function (j) {
          if (forms[j.key]) status(forms[j.key].form, j.field, "unsaved");
        });
      });
  }

  function showConflict(state, job, data) {
    var box = state.form.querySelector(".conflict-box");
    box.querySelector(".theirs").textContent = data.theirs;
    box.querySelector(".mine").textContent = data.mine;
    box.dataset.field = job.field;
    box.dataset.theirs = data.theirs;
    box.hidden = false;
  }

  function resolve(key, choice) {
    var state = forms[key];
    var box = state.form.querySelector(".conflict-box");
    var field = box.dataset.field;
    var job = queue[0];
    state.base[field] = box.dataset.theirs;
    if (choice === "mine") {
      job.base = box.dataset.theirs;
    } else {
      state.form.querySelector("textarea[name=" + field + "]").value = box.dataset.theirs;
      queue.shift();
      status(state.form, field, "saved");
    }
    persist();
    box.hidden = true;
    state.paused = false;
    flush();
  }

  function fillFromPreset(ev) {
    var target = ev.target;
    if (target.matches && target.matches("[data-fill]")) {
      var input = document.querySelector(target.dataset.fill);
      if (input) input.value = target.value;
    }
  }

  document.documentElement.classList.add("js");
  document.addEventListener("change", fillFromPreset);
  window.addEventListener("online", flush);
  setInterval(flush, 5000);
  window.addEventListener("beforeunload", function (ev) {
    if (queue.length) { ev.preventDefault(); }
  });
  function init() { document.querySelectorAll("form[data-autosave]").forEach(setup); flush(); }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init); else init();
})();
