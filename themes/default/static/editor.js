// Lore editor: live preview, Ctrl+S, unsaved-change warning, drafts in local storage, uploads and the
// phone Write/Preview toggle. The editor is a plain HTML form that saves without this file; every feature
// checks that its elements and browser APIs exist, so a theme that drops some of them keeps the rest.
(function () {
  "use strict";

  var PREVIEW_DELAY_MS = 300;
  var DRAFT_DELAY_MS = 500;
  var DRAFT_KEY_PREFIX = "lore-draft:";

  function byId(id) {
    return document.getElementById(id);
  }

  function fieldValue(form, name) {
    var field = form.elements ? form.elements.namedItem(name) : null;
    return field && typeof field.value === "string" ? field.value : "";
  }

  function setFieldValue(form, name, value) {
    var field = form.elements ? form.elements.namedItem(name) : null;
    if (field && "value" in field) {
      field.value = value;
    }
  }

  function debounce(delayMs, work) {
    var timer = null;
    function run() {
      timer = null;
      work();
    }
    return {
      schedule: function () {
        clearTimeout(timer);
        timer = setTimeout(run, delayMs);
      },
      // Runs pending work now, e.g. when the page is being hidden.
      flush: function () {
        if (timer !== null) {
          clearTimeout(timer);
          run();
        }
      },
      cancel: function () {
        clearTimeout(timer);
        timer = null;
      },
    };
  }

  // Tells the other features that the text changed, as typing would.
  function announceInput(textarea) {
    var event;
    try {
      event = new Event("input", { bubbles: true });
    } catch (err) {
      event = document.createEvent("Event");
      event.initEvent("input", true, false);
    }
    textarea.dispatchEvent(event);
  }

  // Replaces the selection with `text` and puts the cursor after it, keeping the browser's undo history
  // where the browser allows it.
  function insertAtCursor(textarea, text) {
    var start = typeof textarea.selectionStart === "number" ? textarea.selectionStart : textarea.value.length;
    var end = typeof textarea.selectionEnd === "number" ? textarea.selectionEnd : start;
    var inserted = false;
    if (document.activeElement === textarea && document.execCommand) {
      try {
        inserted = document.execCommand("insertText", false, text);
      } catch (err) {
        inserted = false;
      }
    }
    if (!inserted) {
      if (typeof textarea.setRangeText === "function") {
        textarea.setRangeText(text, start, end, "end");
      } else {
        textarea.value = textarea.value.slice(0, start) + text + textarea.value.slice(end);
        textarea.selectionStart = textarea.selectionEnd = start + text.length;
      }
      announceInput(textarea);
    }
  }

  function setUpEditor(form, textarea) {
    var status = byId("editor-status");
    var submitting = false;

    function showStatus(message, isError) {
      if (!status) {
        return;
      }
      status.textContent = message;
      status.classList.toggle("editor-status-error", Boolean(isError));
    }

    function isChanged() {
      return hasUnsavedText(form, textarea);
    }

    var preview = setUpPreview(form, textarea, showStatus);
    var drafts = setUpDrafts(form, textarea, preview);

    form.addEventListener("submit", function () {
      submitting = true;
      drafts.forget();
    });

    // Coming back with the Back button after a save that did not finish: warn again.
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) {
        submitting = false;
      }
    });

    window.addEventListener("beforeunload", function (event) {
      if (submitting || !isChanged()) {
        return;
      }
      event.preventDefault();
      // Older browsers show the dialog only when returnValue is set.
      event.returnValue = "";
      return "";
    });

    // Ctrl+S (Cmd+S on a Mac) saves from anywhere on the page instead of saving the HTML file.
    document.addEventListener("keydown", function (event) {
      var key = typeof event.key === "string" ? event.key.toLowerCase() : "";
      if (key !== "s" || !(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) {
        return;
      }
      event.preventDefault();
      if (submitting) {
        return;
      }
      if (typeof form.requestSubmit === "function") {
        var saveButton = byId("editor-save");
        form.requestSubmit(saveButton && saveButton.form === form ? saveButton : undefined);
      } else {
        // submit() fires no submit event, so do what its listener would.
        submitting = true;
        drafts.forget();
        form.submit();
      }
    });

    setUpUploads(form, textarea, showStatus);
    setUpTabs(form, preview);
  }

  // Whether leaving would lose text: it differs from what the server sent, or the server sent it back
  // unsaved (a conflict or an error), so the editor holds the only copy.
  function hasUnsavedText(form, textarea) {
    return form.hasAttribute("data-unsaved") || textarea.value !== textarea.defaultValue;
  }

  // Live preview rendered by the server's own renderer. Responses can arrive out of order, so each
  // request carries a number and an older answer never replaces a newer one.
  function setUpPreview(form, textarea, showStatus) {
    var target = byId("editor-preview");
    var requested = 0;
    var shown = 0;
    var failing = false;

    function refresh() {
      if (!target || !window.fetch || !window.URLSearchParams) {
        return;
      }
      var number = ++requested;
      var body = new URLSearchParams({
        markdown: textarea.value,
        path: form.dataset.path || "",
        csrf_token: fieldValue(form, "csrf_token"),
      });
      fetch(form.dataset.previewUrl || "/-/preview", {
        method: "POST",
        headers: { "Content-Type": "application/x-www-form-urlencoded" },
        body: body,
        credentials: "same-origin",
      })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("the server answered " + response.status);
          }
          return response.text();
        })
        .then(function (html) {
          if (number <= shown) {
            return;
          }
          shown = number;
          // The server sanitises the preview fragment exactly as it does a saved page.
          target.innerHTML = html;
          if (failing) {
            failing = false;
            showStatus("");
          }
        })
        .catch(function (err) {
          if (number < requested) {
            return;
          }
          failing = true;
          showStatus("Preview not updated: " + (err && err.message ? err.message : "network error"), true);
        });
    }

    var later = debounce(PREVIEW_DELAY_MS, refresh);
    textarea.addEventListener("input", later.schedule);
    return {
      // Renders now, e.g. when the preview tab is opened, instead of after the typing pause.
      refreshNow: function () {
        later.cancel();
        refresh();
      },
    };
  }

  // Drafts: the text is kept in local storage while typing, so a closed tab or a crash loses nothing.
  function setUpDrafts(form, textarea, preview) {
    var section = form.dataset.section || fieldValue(form, "section");
    var key = DRAFT_KEY_PREFIX + (form.dataset.path || window.location.pathname) + (section ? "#" + section : "");
    var bar = byId("draft-bar");
    var barText = byId("draft-text");
    var restoreButton = byId("draft-restore");
    var discardButton = byId("draft-discard");
    // While an older draft is on offer, typing must not overwrite it before the user has chosen.
    var offered = null;

    function read() {
      try {
        var stored = window.localStorage.getItem(key);
        var draft = stored ? JSON.parse(stored) : null;
        return draft && typeof draft.text === "string" ? draft : null;
      } catch (err) {
        return null;
      }
    }

    function remove() {
      try {
        window.localStorage.removeItem(key);
      } catch (err) {
        // Private mode or storage disabled: there is nothing to remove.
      }
    }

    function save() {
      if (offered) {
        return;
      }
      if (!hasUnsavedText(form, textarea)) {
        remove();
        return;
      }
      try {
        window.localStorage.setItem(
          key,
          JSON.stringify({
            text: textarea.value,
            saved_at: new Date().toISOString(),
            base_blob: fieldValue(form, "base_blob"),
          })
        );
      } catch (err) {
        // Private mode or a full quota: the editor still works, only without drafts.
      }
    }

    function hideBar() {
      offered = null;
      if (bar) {
        bar.hidden = true;
      }
    }

    function describe(draft) {
      var savedAt = new Date(draft.saved_at);
      var when = isNaN(savedAt.getTime()) ? "an earlier visit" : savedAt.toLocaleString();
      var text = "You have an unsaved draft from " + when;
      if (typeof draft.base_blob === "string" && draft.base_blob !== fieldValue(form, "base_blob")) {
        text += " (the page has changed since; saving it merges with those changes)";
      }
      return text + ".";
    }

    var later = debounce(DRAFT_DELAY_MS, save);
    textarea.addEventListener("input", later.schedule);
    // Write a pending draft before the page goes away (closing a tab, switching apps on a phone).
    window.addEventListener("pagehide", later.flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        later.flush();
      }
    });

    var draft = read();
    if (draft && draft.text !== textarea.value) {
      if (bar && restoreButton) {
        offered = draft;
        if (barText) {
          barText.textContent = describe(draft);
        }
        bar.hidden = false;
      }
    } else if (draft) {
      // The draft says what the editor already shows, e.g. after a conflict sent the text back.
      remove();
    }
    if (!offered && form.hasAttribute("data-unsaved")) {
      save();
    }

    if (restoreButton) {
      restoreButton.addEventListener("click", function () {
        if (!offered) {
          return;
        }
        var restored = offered;
        hideBar();
        // Saving a restored draft must merge with whatever changed since it was written, not overwrite
        // it, so the form claims the version the draft started from.
        if (typeof restored.base_blob === "string") {
          setFieldValue(form, "base_blob", restored.base_blob);
        }
        textarea.value = restored.text;
        announceInput(textarea);
        preview.refreshNow();
        textarea.focus();
      });
    }
    if (discardButton) {
      discardButton.addEventListener("click", function () {
        hideBar();
        remove();
        // Keep what was typed meanwhile.
        save();
        textarea.focus();
      });
    }

    return {
      forget: function () {
        later.cancel();
        hideBar();
        remove();
      },
    };
  }

  // Uploads: the file picker, files dropped on the text and files pasted into it are committed by the
  // server, which answers with the Markdown to insert.
  function setUpUploads(form, textarea, showStatus) {
    var uploadUrl = form.dataset.uploadUrl;
    if (!uploadUrl || !window.fetch || !window.FormData) {
      return;
    }
    var area = byId("editor-upload-area");
    var picker = byId("editor-upload");
    if (area) {
      area.hidden = false;
    }
    // One upload at a time keeps the inserted links in the order the files were given.
    var queue = Promise.resolve();

    function uploadOne(file) {
      var body = new FormData();
      body.append("csrf_token", fieldValue(form, "csrf_token"));
      body.append("file", file, file.name);
      showStatus("Uploading " + file.name + "…");
      return fetch(uploadUrl, { method: "POST", body: body, credentials: "same-origin" })
        .then(function (response) {
          return response
            .json()
            .catch(function () {
              return {};
            })
            .then(function (answer) {
              if (!response.ok || typeof answer.markdown !== "string") {
                throw new Error(uploadError(response.status, answer));
              }
              return answer;
            });
        })
        .then(function (answer) {
          insertAtCursor(textarea, answer.markdown);
          showStatus("Uploaded " + file.name + ".");
        })
        .catch(function (err) {
          showStatus("Could not upload " + file.name + ": " + (err && err.message ? err.message : "network error"), true);
        });
    }

    function upload(files) {
      for (var i = 0; i < files.length; i++) {
        (function (file, isLater) {
          queue = queue.then(function () {
            // Several files go on separate lines.
            if (isLater) {
              insertAtCursor(textarea, "\n");
            }
            return uploadOne(file);
          });
        })(files[i], i > 0);
      }
    }

    function hasFiles(dataTransfer) {
      if (!dataTransfer || !dataTransfer.types) {
        return false;
      }
      for (var i = 0; i < dataTransfer.types.length; i++) {
        if (dataTransfer.types[i] === "Files") {
          return true;
        }
      }
      return false;
    }

    if (picker) {
      picker.addEventListener("change", function () {
        if (picker.files && picker.files.length) {
          upload(Array.prototype.slice.call(picker.files));
        }
        // Lets the same file be chosen again.
        picker.value = "";
      });
    }

    textarea.addEventListener("dragover", function (event) {
      if (hasFiles(event.dataTransfer)) {
        event.preventDefault();
        event.dataTransfer.dropEffect = "copy";
        textarea.classList.add("editor-drop-target");
      }
    });
    textarea.addEventListener("dragleave", function () {
      textarea.classList.remove("editor-drop-target");
    });
    textarea.addEventListener("drop", function (event) {
      textarea.classList.remove("editor-drop-target");
      var files = event.dataTransfer && event.dataTransfer.files;
      if (files && files.length) {
        event.preventDefault();
        textarea.focus();
        upload(Array.prototype.slice.call(files));
      }
    });
    textarea.addEventListener("paste", function (event) {
      var data = event.clipboardData;
      if (!data || !data.files || !data.files.length) {
        return;
      }
      // Office apps put a picture of the selection beside the text: paste the text then.
      for (var i = 0; data.types && i < data.types.length; i++) {
        if (data.types[i] === "text/plain") {
          return;
        }
      }
      event.preventDefault();
      upload(Array.prototype.slice.call(data.files));
    });
  }

  function uploadError(status, answer) {
    if (answer && typeof answer.error === "string") {
      return answer.detail ? answer.error + " (" + answer.detail + ")" : answer.error;
    }
    if (status === 413) {
      return "the file is too large";
    }
    return "the server answered " + status;
  }

  // On phones the panes stack; the Write/Preview toggle shows one at a time. On wide screens the CSS
  // hides the toggle and both panes show side by side whatever it says.
  function setUpTabs(form, preview) {
    var tabs = form.querySelector(".editor-tabs");
    var writeTab = byId("editor-tab-write");
    var previewTab = byId("editor-tab-preview");
    if (!tabs || !writeTab || !previewTab) {
      return;
    }

    function show(view) {
      form.setAttribute("data-view", view);
      writeTab.setAttribute("aria-pressed", String(view === "write"));
      previewTab.setAttribute("aria-pressed", String(view === "preview"));
    }

    writeTab.addEventListener("click", function () {
      show("write");
    });
    previewTab.addEventListener("click", function () {
      show("preview");
      preview.refreshNow();
    });
    show("write");
    tabs.hidden = false;
  }

  function start() {
    var form = byId("editor-form");
    var textarea = byId("editor-text");
    if (!form || !textarea || !form.dataset) {
      return;
    }
    setUpEditor(form, textarea);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
