/* Resumable upload of a transfer package (断点续传) through /api/v1/uploads.
 * Without this script the form still works: it posts the file in one piece.
 * The page session authorises the API calls only together with the X-CSRF-Token header. */
(function () {
  "use strict";
  var form = document.getElementById("upload-form");
  if (!form || !window.XMLHttpRequest || !window.File || !File.prototype.slice || !window.JSON) { return; }
  var en = document.documentElement.lang === "en";
  var csrf = form.getAttribute("data-csrf");
  var status = document.getElementById("upload-status");
  var bar = document.getElementById("upload-progress");
  var PIECE = 8 * 1024 * 1024;
  var busy = false;

  function say(zh, english) { status.textContent = en ? english : zh; }
  function mib(n) { return (n / 1048576).toFixed(1); }

  function call(method, url, body, headers, onProgress, done) {
    var x = new XMLHttpRequest();
    x.open(method, url, true);
    x.setRequestHeader("X-CSRF-Token", csrf);
    for (var h in headers) { if (headers.hasOwnProperty(h)) { x.setRequestHeader(h, headers[h]); } }
    if (onProgress && x.upload) { x.upload.onprogress = function (e) { if (e.lengthComputable) { onProgress(e.loaded); } }; }
    x.onload = function () {
      var json = null;
      try { json = JSON.parse(x.responseText); } catch (ignored) { json = null; }
      done(x.status, json);
    };
    x.onerror = x.ontimeout = function () { done(0, null); };
    x.send(body);
  }

  function problem(json) {
    var e = json && json.error;
    return e ? e.message : (en ? "the server did not answer" : "服务器没有响应");
  }

  function upload(file, agency) {
    var key = "lantai-upload:" + [file.name, file.size, file.lastModified, agency || ""].join(":");
    var id = null;
    var tries = 0;
    try { id = window.localStorage && localStorage.getItem(key); } catch (ignored) { id = null; }
    bar.hidden = false;
    bar.max = file.size;

    function fail(json) { busy = false; say("上传失败：" + problem(json), "Upload failed: " + problem(json)); }
    function retry(next) {
      tries += 1;
      if (tries > 30) { fail(null); return; }
      var wait = Math.min(30, Math.pow(2, Math.min(tries, 5)));
      say("网络中断，" + wait + " 秒后自动续传…", "Connection lost; resuming in " + wait + " s…");
      setTimeout(next, wait * 1000);
    }
    function progress(offset) {
      bar.value = offset;
      say("已上传 " + mib(offset) + " / " + mib(file.size) + " MiB（" + Math.floor(offset * 100 / file.size) + "%）",
          "Uploaded " + mib(offset) + " of " + mib(file.size) + " MiB (" + Math.floor(offset * 100 / file.size) + "%)");
    }
    function open() {
      var body = { length: file.size };
      if (agency) { body.agency = agency; }
      call("POST", "/api/v1/uploads", JSON.stringify(body), { "Content-Type": "application/json" }, null, function (code, json) {
        if (code === 201) {
          id = json.id;
          try { localStorage.setItem(key, id); } catch (ignored) { /* private mode: no resume across reloads */ }
          send(0);
        } else if (code === 0 || code >= 500) { retry(open); } else { fail(json); }
      });
    }
    function resume() {
      call("GET", "/api/v1/uploads/" + id, null, {}, null, function (code, json) {
        if (code === 200) { send(json.offset); }
        else if (code === 404) { id = null; open(); }
        else if (code === 0 || code >= 500) { retry(resume); } else { fail(json); }
      });
    }
    function send(offset) {
      progress(offset);
      if (offset >= file.size) { finish(); return; }
      var end = Math.min(file.size, offset + PIECE);
      call("PATCH", "/api/v1/uploads/" + id, file.slice(offset, end),
           { "Upload-Offset": String(offset), "Content-Type": "application/octet-stream" },
           function (loaded) { bar.value = offset + loaded; },
           function (code, json) {
             if (code === 200) { tries = 0; send(json.offset); }
             else if (code === 0 || code >= 500 || code === 409) { retry(resume); } else { fail(json); }
           });
    }
    function finish() {
      say("上传完成，正在登记…", "Uploaded; registering the transfer…");
      call("POST", "/api/v1/uploads/" + id + "/complete", null, {}, null, function (code, json) {
        if (code === 201) {
          try { localStorage.removeItem(key); } catch (ignored) { /* nothing to clear */ }
          window.location.href = "/transfers/" + json.id;
        } else if (code === 0 || code >= 500) { retry(finish); } else { fail(json); }
      });
    }
    if (id) { resume(); } else { open(); }
  }

  form.addEventListener("submit", function (event) {
    var input = form.querySelector("input[type=file]");
    var file = input && input.files && input.files[0];
    if (!file) { return; }
    event.preventDefault();
    if (busy) { return; }
    busy = true;
    var select = form.querySelector("select[name=agency]");
    upload(file, select ? select.value : null);
  });
}());
