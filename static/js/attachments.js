/* Attachments on a row's page: preview the chosen files before upload, confirm deletions.
 * No inline scripts (CSP); previews use blob: URLs, which img-src allows. The server checks
 * every file again by its content — this is only a convenience. */
(function () {
  "use strict";
  if (window.attachmentsLoaded) { return; }  // the partial may be swapped in again by htmx
  window.attachmentsLoaded = true;

  var IMAGE_TYPES = ["image/jpeg", "image/png", "image/webp"];

  function formatSize(bytes) {
    if (bytes >= 1024 * 1024) { return (bytes / 1024 / 1024).toFixed(1) + " MB"; }
    return Math.max(1, Math.round(bytes / 1024)) + " KB";
  }

  function iconFor(name) {
    var lower = name.toLowerCase();
    if (lower.endsWith(".pdf")) { return "bi-file-earmark-pdf"; }
    if (lower.endsWith(".xlsx")) { return "bi-file-earmark-excel"; }
    if (lower.endsWith(".docx")) { return "bi-file-earmark-word"; }
    return "bi-file-earmark";
  }

  function bindInput(input) {
    if (input.dataset.attachmentBound) { return; }
    input.dataset.attachmentBound = "1";
    var preview = input.form && input.form.querySelector("[data-attachment-preview]");
    if (!preview) { return; }
    var urls = [];
    var maxBytes = parseInt(input.dataset.maxBytes || "0", 10);

    input.addEventListener("change", function () {
      urls.forEach(function (url) { URL.revokeObjectURL(url); });
      urls = [];
      preview.replaceChildren();
      Array.prototype.forEach.call(input.files || [], function (file) {
        var card = document.createElement("div");
        card.className = "border rounded p-1 text-center small";
        card.style.width = "130px";
        if (IMAGE_TYPES.indexOf(file.type) !== -1) {
          var url = URL.createObjectURL(file);
          urls.push(url);
          var img = document.createElement("img");
          img.src = url;
          img.alt = file.name;
          img.style.maxWidth = "120px";
          img.style.maxHeight = "120px";
          img.style.imageOrientation = "from-image";
          card.appendChild(img);
        } else {
          var icon = document.createElement("i");
          icon.className = "bi " + iconFor(file.name) + " fs-1 d-block";
          card.appendChild(icon);
        }
        var name = document.createElement("div");
        name.className = "text-truncate";
        name.title = file.name;
        name.textContent = file.name;
        card.appendChild(name);
        var size = document.createElement("div");
        size.className = "text-muted";
        size.textContent = formatSize(file.size);
        if (maxBytes && file.size > maxBytes) {
          size.className = "text-danger";
          size.textContent += " — " + (input.dataset.tooLarge || "");
        }
        card.appendChild(size);
        preview.appendChild(card);
      });
    });
  }

  function init(root) {
    root.querySelectorAll("[data-attachment-input]").forEach(bindInput);
  }

  // Deletion asks first (no inline onsubmit handlers under the CSP).
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (form.matches && form.matches("form[data-confirm]") && !window.confirm(form.dataset.confirm)) {
      event.preventDefault();
    }
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
  document.addEventListener("htmx:afterSwap", function (event) { init(event.target); });
})();
