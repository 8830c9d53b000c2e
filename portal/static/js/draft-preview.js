// The drafting form's live preview (progressive enhancement: without this file the 预览 button
// posts the form and the page comes back with the preview). As staff type in the body, it
// waits for a pause, posts the body (with the form's CSRF token) to the preview address and
// shows the answer, the body exactly as the public page renders it, beside the text. Focus
// stays in the text; the status line (role=status, polite) says that the preview changed.
(function () {
  "use strict";

  var editor = document.querySelector("[data-draft-preview]");
  if (!editor || !window.fetch || !window.FormData) { return; }
  var form = editor.closest("form");
  var source = editor.querySelector("textarea");
  var target = document.getElementById("preview-body");
  var status = document.getElementById("preview-status");
  var token = form && form.querySelector("input[name=csrf_token]");
  if (!form || !source || !target || !status || !token) { return; }

  var timer = null;
  var sent = 0;
  var shown = null;

  function say(message) {
    status.textContent = message;
  }

  function refresh(quietly) {
    var text = source.value;
    if (text === shown) { return; }
    var number = ++sent;
    var data = new FormData();
    data.append("csrf_token", token.value);
    data.append("body", text);
    fetch(editor.getAttribute("data-url"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (response) {
      if (!response.ok) { throw new Error(String(response.status)); }
      return response.text();
    }).then(function (html) {
      if (number !== sent) { return; }  // a later preview is on its way
      // The server's HTML: Markdown rendered and sanitised as the public page's is.
      target.innerHTML = html;
      shown = text;
      if (!quietly) { say(editor.getAttribute("data-msg-updated")); }
    }).catch(function () {
      if (number === sent) { say(editor.getAttribute("data-msg-failed")); }
    });
  }

  source.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () { refresh(false); }, 600);
  });
  if (source.value.trim()) { refresh(true); }
})();
