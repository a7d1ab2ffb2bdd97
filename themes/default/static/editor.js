// Lore editor: the formatting toolbar and its keyboard shortcuts, the page and mention finder, live preview,
// Ctrl+S, unsaved-change warning, drafts in local storage, uploads, the phone Write/Preview toggle, the
// "keep mine / keep theirs / keep both" choices of a conflict, and the address a new page gets from its title.
// The editor is a plain HTML form that saves without this file; every feature checks that its elements and
// browser APIs exist, so a theme that drops some of them keeps the rest.
(function () {
  "use strict";

  // The interface's words in the page's language (`lore-messages-<lang>.js`), with `{$name}` filled in.
  function t(id, values) {
    var text = (window.loreMessages && window.loreMessages[id]) || id;
    for (var name in values || {}) {
      text = text.split("{$" + name + "}").join(values[name]);
    }
    return text;
  }

  var PREVIEW_DELAY_MS = 300;
  var DRAFT_DELAY_MS = 500;
  var DRAFT_KEY_PREFIX = "lore-draft:";
  var PICKER_DELAY_MS = 150;
  // The front matter fields kept in a draft beside the text, and watched for unsaved changes.
  var FIELD_IDS = ["editor-title", "editor-tags", "editor-owners", "editor-front-matter"];

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

  // Replaces `start..end` of the text with `text` and selects `selectStart..selectEnd` of the result. Goes
  // through the browser's editing command where it can, so Ctrl+Z undoes it like typing.
  function replaceRange(textarea, start, end, text, selectStart, selectEnd) {
    textarea.focus();
    textarea.setSelectionRange(start, end);
    var replaced = false;
    if (document.execCommand) {
      try {
        replaced = document.execCommand("insertText", false, text);
      } catch (err) {
        replaced = false;
      }
    }
    if (!replaced) {
      textarea.setRangeText(text, start, end, "end");
      announceInput(textarea);
    }
    textarea.setSelectionRange(selectStart, selectEnd);
  }

  // The fields of the form whose changes matter: the text and the front matter fields that exist.
  function watchedFields(textarea) {
    var res = [textarea];
    for (var i = 0; i < FIELD_IDS.length; i++) {
      var field = byId(FIELD_IDS[i]);
      if (field) {
        res.push(field);
      }
    }
    return res;
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

    var uploads = setUpUploads(form, textarea, showStatus);
    setUpTabs(form, preview);
    setUpToolbar(form, textarea, uploads, showStatus);
    setUpConflicts(form, textarea);
  }

  // Whether leaving would lose text: it differs from what the server sent, or the server sent it back
  // unsaved (a conflict or an error), so the editor holds the only copy.
  function hasUnsavedText(form, textarea) {
    if (form.hasAttribute("data-unsaved")) {
      return true;
    }
    var fields = watchedFields(textarea);
    for (var i = 0; i < fields.length; i++) {
      if (fields[i].value !== fields[i].defaultValue) {
        return true;
      }
    }
    return false;
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
          showStatus(t("js-preview-failed", { error: err && err.message ? err.message : t("js-network-error") }), true);
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
            fields: currentFields(),
            saved_at: new Date().toISOString(),
            base_blob: fieldValue(form, "base_blob"),
          })
        );
      } catch (err) {
        // Private mode or a full quota: the editor still works, only without drafts.
      }
    }

    // The front matter fields by id, as they are now.
    function currentFields() {
      var res = {};
      for (var i = 0; i < FIELD_IDS.length; i++) {
        var field = byId(FIELD_IDS[i]);
        if (field) {
          res[FIELD_IDS[i]] = field.value;
        }
      }
      return res;
    }

    // Whether a draft says something other than the editor does now.
    function differs(draft) {
      if (draft.text !== textarea.value) {
        return true;
      }
      var fields = draft.fields || {};
      var now = currentFields();
      for (var id in fields) {
        if (Object.prototype.hasOwnProperty.call(fields, id) && id in now && fields[id] !== now[id]) {
          return true;
        }
      }
      return false;
    }

    function hideBar() {
      offered = null;
      if (bar) {
        bar.hidden = true;
      }
    }

    function describe(draft) {
      var savedAt = new Date(draft.saved_at);
      var lang = document.documentElement.lang || undefined;
      var when = isNaN(savedAt.getTime()) ? t("js-draft-earlier-visit") : savedAt.toLocaleString(lang);
      var changed = typeof draft.base_blob === "string" && draft.base_blob !== fieldValue(form, "base_blob");
      return t(changed ? "js-draft-from-changed" : "js-draft-from", { when: when });
    }

    var later = debounce(DRAFT_DELAY_MS, save);
    var fields = watchedFields(textarea);
    for (var i = 0; i < fields.length; i++) {
      fields[i].addEventListener("input", later.schedule);
    }
    // Write a pending draft before the page goes away (closing a tab, switching apps on a phone).
    window.addEventListener("pagehide", later.flush);
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") {
        later.flush();
      }
    });

    var draft = read();
    if (draft && differs(draft)) {
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
        var restoredFields = restored.fields || {};
        for (var id in restoredFields) {
          var field = byId(id);
          if (field && typeof restoredFields[id] === "string" && FIELD_IDS.indexOf(id) >= 0) {
            field.value = restoredFields[id];
          }
        }
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
      return null;
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
      showStatus(t("js-uploading", { name: file.name }));
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
          showStatus(t("js-uploaded", { name: file.name }));
        })
        .catch(function (err) {
          showStatus(t("js-upload-failed", { name: file.name, error: err && err.message ? err.message : t("js-network-error") }), true);
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
    return {
      // Opens the file picker, as the toolbar's Upload button does.
      choose: function () {
        if (picker) {
          picker.click();
        }
      },
    };
  }

  function uploadError(status, answer) {
    if (answer && typeof answer.error === "string") {
      return answer.detail ? answer.error + " (" + answer.detail + ")" : answer.error;
    }
    if (status === 413) {
      return t("js-file-too-large");
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

  // The formatting toolbar: each button, and its keyboard shortcut, edits the text at the cursor. Arrow keys
  // move between the buttons (one tab stop for the whole toolbar, as ARIA's toolbar pattern has it).
  function setUpToolbar(form, textarea, uploads, showStatus) {
    var toolbar = byId("editor-toolbar");
    if (!toolbar || typeof textarea.setSelectionRange !== "function") {
      return;
    }
    var picker = setUpPicker(textarea, showStatus);
    var actions = {
      heading: function () {
        cycleHeading(textarea);
      },
      bold: function () {
        wrapSelection(textarea, "**", t("js-bold-text"));
      },
      italic: function () {
        wrapSelection(textarea, "*", t("js-italic-text"));
      },
      code: function () {
        codeSelection(textarea);
      },
      link: function () {
        linkSelection(textarea);
      },
      wikilink: function () {
        if (picker) {
          picker.open("page");
        }
      },
      mention: function () {
        if (picker) {
          picker.open("person");
        }
      },
      bullets: function () {
        prefixLines(textarea, "bullets");
      },
      numbers: function () {
        prefixLines(textarea, "numbers");
      },
      tasks: function () {
        prefixLines(textarea, "tasks");
      },
      quote: function () {
        prefixLines(textarea, "quote");
      },
      table: function () {
        insertBlock(textarea, "| Column 1 | Column 2 |\n| --- | --- |\n| Cell | Cell |\n", 2, 10);
      },
      upload: function () {
        if (uploads) {
          uploads.choose();
        }
      },
    };
    var buttons = Array.prototype.slice.call(toolbar.querySelectorAll("button[data-action]"));
    buttons = buttons.filter(function (button) {
      var usable = actions[button.dataset.action] && (button.dataset.action !== "upload" || uploads);
      button.hidden = !usable;
      return usable;
    });
    // One tab stop: the button last used, the first one to begin with.
    function focusable(index) {
      for (var i = 0; i < buttons.length; i++) {
        buttons[i].tabIndex = i === index ? 0 : -1;
      }
    }
    focusable(0);
    buttons.forEach(function (button, index) {
      button.addEventListener("click", function () {
        focusable(index);
        actions[button.dataset.action]();
      });
    });
    toolbar.addEventListener("keydown", function (event) {
      var index = buttons.indexOf(document.activeElement);
      if (index < 0) {
        return;
      }
      var next = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: buttons.length - 1 }[event.key];
      if (next === undefined) {
        return;
      }
      event.preventDefault();
      next = (next + buttons.length) % buttons.length;
      focusable(next);
      buttons[next].focus();
    });
    toolbar.hidden = false;

    // Shortcuts work in the text box only, so they never take a key from another field or the page.
    var shortcuts = {
      b: "bold",
      i: "italic",
      k: "link",
      e: "code",
      "shift+h": "heading",
      "shift+k": "wikilink",
      "shift+Digit2": "mention",
      "shift+Digit7": "numbers",
      "shift+Digit8": "bullets",
      "shift+Digit9": "tasks",
      "shift+Period": "quote",
    };
    textarea.addEventListener("keydown", function (event) {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || typeof event.key !== "string") {
        return;
      }
      var name = event.shiftKey
        ? shortcuts["shift+" + event.code] || shortcuts["shift+" + event.key.toLowerCase()]
        : shortcuts[event.key.toLowerCase()];
      if (!name || !actions[name]) {
        return;
      }
      event.preventDefault();
      actions[name]();
    });
  }

  // `**bold**` around the selection (or a placeholder, selected so typing replaces it); again removes it.
  // Spaces at the selection's ends stay outside the markers, where Markdown needs them.
  function wrapSelection(textarea, marker, placeholder) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var selected = value.slice(start, end);
    var size = marker.length;
    // An italic star must not be half of a bold pair.
    var lone = function (before, after) {
      return marker !== "*" || (before !== "*" && after !== "*");
    };
    if (
      value.slice(start - size, start) === marker &&
      value.slice(end, end + size) === marker &&
      lone(value.charAt(start - size - 1), value.charAt(end + size))
    ) {
      replaceRange(textarea, start - size, end + size, selected, start - size, end - size);
      return;
    }
    if (
      selected.length >= 2 * size + 1 &&
      selected.slice(0, size) === marker &&
      selected.slice(-size) === marker &&
      lone(selected.charAt(size), selected.charAt(selected.length - size - 1))
    ) {
      var inner = selected.slice(size, selected.length - size);
      replaceRange(textarea, start, end, inner, start, start + inner.length);
      return;
    }
    var lead = selected.match(/^\s*/)[0];
    var core = selected.slice(lead.length).replace(/\s+$/, "");
    var trail = selected.slice(lead.length + core.length);
    core = core || placeholder;
    var from = start + lead.length + size;
    replaceRange(textarea, start, end, lead + marker + core + marker + trail, from, from + core.length);
  }

  // Inline code for a selection within a line; a fenced block for several lines.
  function codeSelection(textarea) {
    var selected = textarea.value.slice(textarea.selectionStart, textarea.selectionEnd);
    if (selected.indexOf("\n") < 0) {
      wrapSelection(textarea, "`", "code");
      return;
    }
    var body = selected.replace(/\n$/, "");
    insertBlock(textarea, "```\n" + body + "\n```\n", 3, 3);
  }

  // `[text](https://)`: the address selected for typing, or the text when the selection was an address.
  function linkSelection(textarea) {
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var selected = textarea.value.slice(start, end);
    if (/^(https?:\/\/|mailto:)\S+$/.test(selected)) {
      replaceRange(textarea, start, end, "[link text](" + selected + ")", start + 1, start + 10);
      return;
    }
    var text = selected || "link text";
    var address = start + text.length + 3;
    var from = selected ? address : start + 1;
    var to = selected ? address + 8 : start + 1 + text.length;
    replaceRange(textarea, start, end, "[" + text + "](https://)", from, to);
  }

  // The whole lines the selection touches: where they start and end in the text.
  function selectedLines(textarea) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    // A selection that ends at the start of a line does not take that line.
    if (end > start && value.charAt(end - 1) === "\n") {
      end -= 1;
    }
    var from = value.lastIndexOf("\n", start - 1) + 1;
    var to = value.indexOf("\n", end);
    return { from: from, to: to < 0 ? value.length : to };
  }

  var LIST_MARK = /^(\s*)(?:[-*+] \[[ xX]\] |[-*+] |\d+[.)] |> )?/;

  // Lists and quotes: the lines get the mark, or lose it when all of them have it already. A line that has
  // another list mark trades it in.
  function prefixLines(textarea, kind) {
    var lines = selectedLines(textarea);
    var text = textarea.value.slice(lines.from, lines.to).split("\n");
    var marks = {
      bullets: function () {
        return "- ";
      },
      tasks: function () {
        return "- [ ] ";
      },
      quote: function () {
        return "> ";
      },
      numbers: function (n) {
        return n + 1 + ". ";
      },
    };
    var has = {
      bullets: /^\s*[-*+] (?!\[[ xX]\] )/,
      tasks: /^\s*[-*+] \[[ xX]\] /,
      quote: /^\s*> /,
      numbers: /^\s*\d+[.)] /,
    }[kind];
    var nonEmpty = text.filter(function (line) {
      return line.trim() !== "";
    });
    var removing = nonEmpty.length > 0 && nonEmpty.every(function (line) {
      return has.test(line);
    });
    var n = 0;
    var res = text.map(function (line) {
      if (line.trim() === "" && text.length > 1) {
        return line;
      }
      var found = line.match(LIST_MARK);
      var indent = found[1];
      var rest = line.slice(found[0].length);
      return removing ? indent + rest : indent + marks[kind](n++) + rest;
    });
    var joined = res.join("\n");
    var caret = lines.from + joined.length;
    var wasEmpty = textarea.selectionStart === textarea.selectionEnd;
    replaceRange(textarea, lines.from, lines.to, joined, wasEmpty ? caret : lines.from, caret);
  }

  // `## ` on the line, then `### `, then back to a plain line.
  function cycleHeading(textarea) {
    var lines = selectedLines(textarea);
    var line = textarea.value.slice(lines.from, lines.to);
    var found = line.match(/^(#{1,6}) +/);
    var level = found ? found[1].length : 0;
    var rest = found ? line.slice(found[0].length) : line;
    var next = level === 0 || level === 1 ? "## " : level === 2 ? "### " : "";
    var res = next + rest;
    var caret = lines.from + res.length;
    replaceRange(textarea, lines.from, lines.to, res, caret, caret);
  }

  // A block (table, code) on lines of its own with a blank line before and after; selects `from..to` of it.
  function insertBlock(textarea, block, selectFrom, selectTo) {
    var value = textarea.value;
    var start = textarea.selectionStart;
    var end = textarea.selectionEnd;
    var before = value.slice(0, start);
    var after = value.slice(end);
    var lead = before === "" || /\n\n$/.test(before) ? "" : /\n$/.test(before) ? "\n" : "\n\n";
    var trail = after === "" || /^\n/.test(after) ? "" : "\n";
    var at = start + lead.length;
    replaceRange(textarea, start, end, lead + block + trail, at + selectFrom, at + selectTo);
  }

  // The finder the Page and @ buttons open: a combobox that asks the server for pages (the search box's
  // suggestions) or people (the people API) as one types, and inserts `[[Page]]` or `@person` at the cursor.
  function setUpPicker(textarea, showStatus) {
    var box = byId("editor-picker");
    var input = byId("editor-picker-input");
    var list = byId("editor-picker-list");
    var label = byId("editor-picker-label");
    if (!box || !input || !list || !window.fetch) {
      return null;
    }
    var mode = "page";
    var selection = { start: 0, end: 0 };
    var options = [];
    var active = -1;
    var requested = 0;
    // What the options shown were found for, and whether Enter came before the options for the typed text.
    var shownFor = null;
    var chooseWhenShown = false;
    var modes = {
      page: {
        label: t("js-picker-page"),
        url: function (typed) {
          return "/-/api/suggest?q=" + encodeURIComponent(typed);
        },
        read: function (answer) {
          return (answer.suggestions || []).map(function (it) {
            var heading = it.kind === "heading" && it.page_title;
            return {
              text: heading ? it.page_title + " › " + it.title : it.title,
              detail: it.url,
              insert: function (selected) {
                var target = heading ? it.page_title + "#" + it.title : it.title;
                return "[[" + target + (selected && selected !== target ? "|" + selected : "") + "]]";
              },
            };
          });
        },
      },
      person: {
        label: t("js-picker-person"),
        url: function (typed) {
          return "/-/api/people?q=" + encodeURIComponent(typed.replace(/^@/, ""));
        },
        read: function (answer) {
          return (answer.people || []).map(function (it) {
            return {
              text: it.name,
              detail: it.mention,
              insert: function () {
                return it.mention + " ";
              },
            };
          });
        },
      },
    };

    function show(found) {
      options = found;
      list.textContent = "";
      found.forEach(function (option, index) {
        var item = document.createElement("li");
        item.id = "editor-picker-option-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        var text = document.createElement("span");
        text.className = "editor-picker-text";
        text.textContent = option.text;
        var detail = document.createElement("span");
        detail.className = "editor-picker-detail";
        detail.textContent = option.detail;
        item.appendChild(text);
        item.appendChild(detail);
        // Keeps the focus in the input, so the click can insert and hand the focus back to the text.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
        });
        item.addEventListener("click", function () {
          choose(index);
        });
        list.appendChild(item);
      });
      input.setAttribute("aria-expanded", String(found.length > 0));
      highlight(found.length ? 0 : -1);
    }

    function highlight(index) {
      active = index;
      var items = list.children;
      for (var i = 0; i < items.length; i++) {
        items[i].setAttribute("aria-selected", String(i === index));
      }
      if (index >= 0) {
        input.setAttribute("aria-activedescendant", items[index].id);
        if (items[index].scrollIntoView) {
          items[index].scrollIntoView({ block: "nearest" });
        }
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function search() {
      var number = ++requested;
      var typed = input.value.trim();
      if (mode === "page" && typed === "") {
        shownFor = typed;
        show([]);
        return;
      }
      fetch(modes[mode].url(typed), { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("the server answered " + response.status);
          }
          return response.json();
        })
        .then(function (answer) {
          if (number === requested) {
            shownFor = typed;
            show(modes[mode].read(answer));
            if (chooseWhenShown) {
              chooseWhenShown = false;
              choose(0);
            }
          }
        })
        .catch(function (err) {
          if (number === requested) {
            chooseWhenShown = false;
            show([]);
            showStatus(t("js-search-failed", { error: err && err.message ? err.message : t("js-network-error") }), true);
          }
        });
    }
    var later = debounce(PICKER_DELAY_MS, search);

    function close(backToText) {
      later.cancel();
      chooseWhenShown = false;
      requested++;
      box.hidden = true;
      input.setAttribute("aria-expanded", "false");
      if (backToText) {
        textarea.focus();
        textarea.setSelectionRange(selection.start, selection.end);
      }
    }

    function choose(index) {
      var option = options[index];
      if (!option) {
        return;
      }
      var selected = textarea.value.slice(selection.start, selection.end);
      var text = option.insert(selected);
      close(false);
      var caret = selection.start + text.length;
      replaceRange(textarea, selection.start, selection.end, text, caret, caret);
    }

    input.addEventListener("input", later.schedule);
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        event.preventDefault();
        if (options.length) {
          var step = event.key === "ArrowDown" ? 1 : -1;
          highlight((active + step + options.length) % options.length);
        }
      } else if (event.key === "Enter") {
        // Enter inserts; it must never submit the editor's form. Typed faster than the answers came, it waits
        // for the options of what was typed.
        event.preventDefault();
        if (input.value.trim() !== shownFor) {
          chooseWhenShown = true;
          later.cancel();
          search();
          return;
        }
        choose(active >= 0 ? active : 0);
      } else if (event.key === "Escape") {
        event.preventDefault();
        close(true);
      }
    });
    input.addEventListener("blur", function () {
      // Leaving the finder with Tab or a click elsewhere closes it and keeps the text as it was.
      setTimeout(function () {
        if (document.activeElement !== input) {
          close(false);
        }
      }, 0);
    });

    return {
      open: function (which) {
        mode = which;
        selection = { start: textarea.selectionStart, end: textarea.selectionEnd };
        if (label) {
          label.textContent = modes[which].label;
        }
        var selected = textarea.value.slice(selection.start, selection.end);
        input.value = selected.indexOf("\n") < 0 ? selected : "";
        shownFor = null;
        show([]);
        box.hidden = false;
        input.focus();
        input.select();
        if (input.value || which === "person") {
          search();
        }
      },
    };
  }

  // A conflict's rows: "Keep mine", "Keep theirs" and "Keep both" put that version of the passage into the
  // text box in place of what is there now. The passage is found by its text and the lines around it, nearest
  // to where it was, so typing elsewhere in the meantime does no harm; if the person changed the passage itself,
  // nothing is replaced and the row says so. Nothing typed is ever overwritten.
  function setUpConflicts(form, textarea) {
    var rows = Array.prototype.slice.call(document.querySelectorAll(".conflict-row"));
    var frontMatter = byId("editor-front-matter");
    var states = rows.map(function (row) {
      return {
        row: row,
        box: row.dataset.target === "front_matter" ? frontMatter : textarea,
        current: row.dataset.mine || "",
        expected: Number(row.dataset.offset) || 0,
      };
    });
    states.forEach(function (state) {
      var row = state.row;
      var choices = row.querySelector(".conflict-choices");
      var status = row.querySelector(".conflict-row-status");
      if (!choices || !state.box) {
        return;
      }
      var buttons = Array.prototype.slice.call(choices.querySelectorAll("button[data-keep]"));
      buttons.forEach(function (button) {
        button.addEventListener("click", function () {
          var mine = row.dataset.mine || "";
          var theirs = row.dataset.theirs || "";
          var keep = button.dataset.keep;
          var next = keep === "mine" ? mine : keep === "theirs" ? theirs : bothVersions(mine, theirs);
          var at = locate(state.box.value, row.dataset.before || "", state.current, row.dataset.after || "", state.expected);
          if (at < 0) {
            if (status) {
              status.textContent = t("js-conflict-moved");
            }
            return;
          }
          // setRangeText leaves the focus on the button, where the person is choosing.
          state.box.setRangeText(next, at, at + state.current.length, "preserve");
          announceInput(state.box);
          var shift = next.length - state.current.length;
          states.forEach(function (other) {
            if (other !== state && other.box === state.box && other.expected > at) {
              other.expected += shift;
            }
          });
          state.current = next;
          state.expected = at;
          showFieldsOf(row, keep);
          buttons.forEach(function (it) {
            it.setAttribute("aria-pressed", String(it === button));
          });
          if (status) {
            status.textContent =
              t(keep === "both" ? "js-conflict-both" : keep === "mine" ? "js-conflict-mine" : "js-conflict-theirs");
          }
        });
      });
      choices.hidden = false;
    });
  }

  // A front matter row also changes what the title, tags and owners fields should show. A field the person has
  // not touched (still what it was) follows the YAML; one they typed in keeps what they typed, and wins.
  function showFieldsOf(row, keep) {
    var choices;
    try {
      choices = JSON.parse(row.dataset.fields || "null");
    } catch (err) {
      choices = null;
    }
    var fields = choices && choices[keep];
    if (!fields) {
      return;
    }
    ["title", "tags", "owners"].forEach(function (name) {
      var field = byId("editor-" + name);
      var was = field && field.form ? field.form.elements.namedItem(name + "_was") : null;
      if (field && was && field.value === was.value && typeof fields[name] === "string") {
        field.value = fields[name];
        was.value = fields[name];
      }
    });
  }

  // Mine, then theirs, each on lines of its own.
  function bothVersions(mine, theirs) {
    if (mine === "" || theirs === "") {
      return mine + theirs;
    }
    return mine + (/\n$/.test(mine) ? "" : "\n") + theirs;
  }

  // Where `current` starts in `text` with `before` just before it and `after` just after, the place nearest to
  // `expected` when there are several; -1 when there is none.
  function locate(text, before, current, after, expected) {
    var needle = before + current + after;
    if (needle === "") {
      return expected <= text.length ? expected : -1;
    }
    var best = -1;
    var from = 0;
    for (;;) {
      var found = text.indexOf(needle, from);
      if (found < 0) {
        return best;
      }
      var at = found + before.length;
      if (best < 0 || Math.abs(at - expected) < Math.abs(best - expected)) {
        best = at;
      }
      from = found + 1;
    }
  }

  // "New page": shows the address the title makes, in the folder given, as the server will make it.
  function setUpNewPage(form) {
    var title = byId("new-title");
    var folder = byId("new-folder");
    var name = byId("new-name");
    var line = byId("new-page-address");
    var path = byId("new-page-address-path");
    if (!title || !folder || !name || !line || !path) {
      return;
    }
    function update() {
      var made = pageSlug(title.value);
      name.placeholder = made || "made from the title";
      var chosen = name.value.trim() || made;
      var where = folder.value.trim().replace(/^\/+|\/+$/g, "");
      path.textContent = "/" + (where ? where + "/" : "") + chosen;
      line.hidden = chosen === "";
    }
    [title, folder, name].forEach(function (field) {
      field.addEventListener("input", update);
    });
    update();
  }

  // What the server's `content::page_slug` makes of a title: lowercase words of letters and digits joined
  // by hyphens, at most 80 characters.
  function pageSlug(text) {
    var words;
    try {
      words = text.split(new RegExp("[^\\p{Alphabetic}\\p{N}]+", "u"));
    } catch (err) {
      words = text.split(/[^A-Za-z0-9\u00C0-\uFFFF]+/);
    }
    var res = "";
    for (var i = 0; i < words.length; i++) {
      if (!words[i]) {
        continue;
      }
      if (Array.from(res).length >= 80) {
        break;
      }
      res += (res ? "-" : "") + words[i].toLowerCase();
    }
    return Array.from(res).slice(0, 80).join("").replace(/-+$/, "");
  }

  function start() {
    var newPage = byId("new-page-form");
    if (newPage) {
      setUpNewPage(newPage);
    }
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
