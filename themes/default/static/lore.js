// Lore default theme: small progressive enhancements. The wiki works without this file;
// every feature checks that its elements exist so a theme that drops them does not break the rest.
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

  function isTyping(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
  }

  // Lore's own element a keyboard shortcut acts on. A rendered page can carry any class and many ids the
  // sanitiser lets through, so shortcuts find their target by a data attribute, which it never lets through,
  // and never inside rendered content (.page-body): a page cannot plant what a shortcut follows.
  function shortcutTarget(name) {
    var found = document.querySelectorAll('[data-lore-shortcut="' + name + '"]');
    for (var i = 0; i < found.length; i++) {
      if (!found[i].closest(".page-body")) {
        return found[i];
      }
    }
    return null;
  }

  // "/" jumps to the search box, as on GitHub and many docs sites.
  function setUpSearchShortcut() {
    document.addEventListener("keydown", function (event) {
      if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (isTyping(event.target)) {
        return;
      }
      if (event.key === "/") {
        var searchInput = shortcutTarget("search");
        if (!searchInput) {
          return;
        }
        event.preventDefault();
        searchInput.focus();
        searchInput.select();
      }
      // "?" is reserved for a future keyboard help overlay.
    });
  }

  // Each h2/h3 with an id gets a "#" link, so people can copy a link to a section.
  function addHeadingAnchors() {
    var headings = document.querySelectorAll(".page-body h2[id], .page-body h3[id]");
    for (var i = 0; i < headings.length; i++) {
      var heading = headings[i];
      if (heading.querySelector(".heading-anchor")) {
        continue;
      }
      var anchor = document.createElement("a");
      anchor.className = "heading-anchor";
      anchor.setAttribute("href", "#" + heading.id);
      anchor.setAttribute("aria-label", t("js-section-link"));
      anchor.textContent = "#";
      // The anchor also copies the section's address, ready to paste into chat or a ticket.
      anchor.addEventListener("click", function (event) {
        var target = event.currentTarget;
        if (navigator.clipboard) {
          navigator.clipboard.writeText(target.href).catch(function () {});
          target.setAttribute("data-copied", "true");
          setTimeout(function () {
            target.removeAttribute("data-copied");
          }, 1200);
        }
      });
      heading.appendChild(anchor);
    }
  }

  // The drawers (the sidebar and the phone menu) are popovers, which open and close without this file. Choosing
  // a section of the outline keeps the page, so the drawer closes itself to show it.
  function closeDrawersOnInPageLinks() {
    document.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a[href^='#']") : null;
      var drawer = link ? link.closest("[popover]") : null;
      if (drawer && drawer.hidePopover && drawer.matches(":popover-open")) {
        drawer.hidePopover();
      }
    });
  }

  // The header link of the part of the site this page belongs to is marked as current.
  function markCurrentSection() {
    var links = document.querySelectorAll(".site-nav a[href]");
    var path = window.location.pathname;
    for (var i = 0; i < links.length; i++) {
      var target = links[i].getAttribute("href").split("?")[0];
      if (target.length > 1 && (path === target || path.indexOf(target + "/") === 0)) {
        links[i].setAttribute("aria-current", "page");
      }
    }
  }

  // Tables, code and diagrams too wide for the column scroll inside their own box; the box takes the keyboard
  // focus so it can be scrolled without a mouse.
  function makeScrollersFocusable() {
    var boxes = document.querySelectorAll(
      ".page-body table, .page-body pre, .page-body .math-display, .diff-scroll, .table-scroll, pre.diff"
    );
    for (var i = 0; i < boxes.length; i++) {
      var box = boxes[i];
      if (box.scrollWidth > box.clientWidth + 1 && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
      }
    }
  }

  // As-you-type suggestions under the search box: titles first, then headings. The box is an ARIA combobox:
  // arrows move through the list while the focus stays in the box, and the highlighted suggestion is announced
  // (aria-activedescendant). Enter opens it; Esc closes the list and keeps what was typed.
  function setUpSuggestions() {
    var input = document.getElementById("search-input");
    if (!input || !window.fetch) {
      return;
    }
    var form = input.form;
    var list = document.createElement("ul");
    list.className = "suggestions";
    list.id = "search-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", t("js-suggestions"));
    list.hidden = true;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-controls", list.id);
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    (form || input.parentNode).appendChild(list);
    var timer = null;
    var sequence = 0;
    var selected = -1;

    function items() {
      return list.querySelectorAll("[role=option]");
    }

    function select(index) {
      var all = items();
      if (index < -1) {
        index = all.length - 1;
      } else if (index >= all.length) {
        index = -1;
      }
      selected = index;
      for (var i = 0; i < all.length; i++) {
        all[i].setAttribute("aria-selected", i === selected ? "true" : "false");
      }
      if (selected >= 0) {
        input.setAttribute("aria-activedescendant", all[selected].id);
        all[selected].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    function close() {
      list.hidden = true;
      selected = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function show(suggestions) {
      while (list.firstChild) {
        list.removeChild(list.firstChild);
      }
      suggestions.forEach(function (suggestion, index) {
        var item = document.createElement("li");
        item.id = "search-suggestion-" + index;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.setAttribute("data-url", suggestion.url);
        var title = document.createElement("span");
        title.className = "suggestion-title";
        title.textContent = suggestion.title;
        item.appendChild(title);
        if (suggestion.page_title) {
          var page = document.createElement("small");
          page.textContent = suggestion.page_title;
          item.appendChild(page);
        }
        list.appendChild(item);
      });
      selected = -1;
      input.removeAttribute("aria-activedescendant");
      list.hidden = suggestions.length === 0;
      input.setAttribute("aria-expanded", list.hidden ? "false" : "true");
    }

    input.addEventListener("input", function () {
      clearTimeout(timer);
      var text = input.value;
      if (text.trim().length < 2) {
        sequence++;
        close();
        return;
      }
      timer = setTimeout(function () {
        var mine = ++sequence;
        fetch("/-/api/suggest?q=" + encodeURIComponent(text))
          .then(function (response) {
            return response.ok ? response.json() : { suggestions: [] };
          })
          .then(function (body) {
            if (mine === sequence) {
              show(body.suggestions || []);
            }
          })
          .catch(function () {});
      }, 150);
    });

    input.addEventListener("keydown", function (event) {
      // A search box clears itself on Esc; here Esc only closes the list, and the typed words stay.
      if (event.key === "Escape") {
        if (input.value !== "") {
          event.preventDefault();
        }
        sequence++;
        clearTimeout(timer);
        close();
        return;
      }
      if (list.hidden) {
        return;
      }
      if (event.key === "ArrowDown") {
        event.preventDefault();
        select(selected + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        select(selected - 1);
      } else if (event.key === "Enter" && selected >= 0) {
        event.preventDefault();
        window.location.href = items()[selected].getAttribute("data-url");
      }
    });

    // A click on a suggestion (mousedown keeps the focus in the box, so the list is still there).
    list.addEventListener("mousedown", function (event) {
      event.preventDefault();
    });
    list.addEventListener("click", function (event) {
      var item = event.target && event.target.closest ? event.target.closest("[role=option]") : null;
      if (item) {
        window.location.href = item.getAttribute("data-url");
      }
    });

    input.addEventListener("blur", close);

    // Enter in an empty box searches for nothing: the page stays (the box is `required` without this file too).
    if (form) {
      form.addEventListener("submit", function (event) {
        if (input.value.trim() === "") {
          event.preventDefault();
          input.focus();
        }
      });
    }
  }

  // How many entries one request to the tree API loads.
  var TREE_PAGE = 100;

  // A tree entry as the page template draws it: a folder is its link, then its disclosure button (a summary
  // holding only a label, never a control inside a control).
  function treeItem(entry) {
    var item = document.createElement("li");
    var link = document.createElement("a");
    link.href = entry.url;
    link.textContent = entry.title;
    if (entry.is_folder) {
      item.className = "tree-folder";
      item.appendChild(link);
      var sub = document.createElement("details");
      sub.setAttribute("data-tree-path", entry.path);
      var summary = document.createElement("summary");
      var label = document.createElement("span");
      label.className = "visually-hidden";
      label.textContent = t("js-pages-in", { folder: entry.title });
      summary.appendChild(label);
      sub.appendChild(summary);
      item.appendChild(sub);
    } else {
      item.className = "tree-page";
      item.appendChild(link);
    }
    return item;
  }

  function fetchTree(path, offset, limit) {
    var url = "/-/api/tree?path=" + encodeURIComponent(path) + "&offset=" + offset + "&limit=" + limit;
    return fetch(url).then(function (response) {
      if (!response.ok) {
        throw new Error("tree: " + response.status);
      }
      return response.json();
    });
  }

  // An "N more" button for entries the page left out: `count` of them from `offset` in folder `path`.
  function moreButton(path, offset, count) {
    var item = document.createElement("li");
    item.className = "tree-more";
    var button = document.createElement("button");
    button.type = "button";
    button.className = "link-button";
    button.setAttribute("data-tree-more", path);
    button.setAttribute("data-offset", offset);
    button.setAttribute("data-count", count);
    button.textContent = t("js-more", { n: count });
    item.appendChild(button);
    return item;
  }

  // Loads the next page of what an "N more" button stands for, in place of (and before) the button, which
  // stays while entries remain. Focus stays on the button, or moves to the first loaded entry.
  function loadMore(button) {
    if (button.getAttribute("aria-busy") === "true") {
      return;
    }
    var path = button.getAttribute("data-tree-more");
    var offset = parseInt(button.getAttribute("data-offset"), 10) || 0;
    var count = parseInt(button.getAttribute("data-count"), 10) || 0;
    var item = button.closest("li");
    button.setAttribute("aria-busy", "true");
    fetchTree(path, offset, Math.min(TREE_PAGE, count))
      .then(function (body) {
        var entries = body.entries || [];
        var first = null;
        entries.forEach(function (entry) {
          var added = treeItem(entry);
          first = first || added;
          item.parentNode.insertBefore(added, item);
        });
        var left = entries.length ? count - entries.length : 0;
        var hadFocus = document.activeElement === button;
        if (left > 0) {
          button.setAttribute("data-offset", offset + entries.length);
          button.setAttribute("data-count", left);
          button.textContent = t("js-more", { n: left });
          button.removeAttribute("aria-label");
          button.removeAttribute("aria-busy");
        } else {
          item.parentNode.removeChild(item);
          if (hadFocus && first) {
            first.querySelector("a").focus();
          }
        }
      })
      .catch(function () {
        button.removeAttribute("aria-busy");
      });
  }

  // Folders of the page tree load their contents when first opened (large wikis stay light), a page at a
  // time; "N more" buttons load what the sidebar left out. Without JavaScript the buttons lead to the list
  // of all pages.
  function setUpLazyTree() {
    document.addEventListener("click", function (event) {
      var button = event.target && event.target.closest ? event.target.closest("button[data-tree-more]") : null;
      if (!button || !window.fetch) {
        return;
      }
      event.preventDefault();
      loadMore(button);
    });
    document.addEventListener("toggle", function (event) {
      var details = event.target;
      if (!details || !details.getAttribute || !details.open) {
        return;
      }
      var path = details.getAttribute("data-tree-path");
      if (!path || details.getAttribute("data-loaded") || !window.fetch) {
        return;
      }
      details.setAttribute("data-loaded", "true");
      fetchTree(path, 0, TREE_PAGE)
        .then(function (body) {
          var list = document.createElement("ul");
          list.className = "tree";
          var entries = body.entries || [];
          entries.forEach(function (entry) {
            list.appendChild(treeItem(entry));
          });
          if (body.total > entries.length) {
            list.appendChild(moreButton(path, entries.length, body.total - entries.length));
          }
          details.appendChild(list);
        })
        .catch(function () {
          details.removeAttribute("data-loaded");
        });
    }, true);
  }

  function copyText(text, button) {
    if (!navigator.clipboard) {
      return;
    }
    navigator.clipboard.writeText(text).then(function () {
      var label = button.textContent;
      button.textContent = t("js-copied");
      setTimeout(function () {
        button.textContent = label;
      }, 1200);
    });
  }

  // A copy button on every code block.
  function addCopyButtons() {
    var blocks = document.querySelectorAll(".page-body pre.code");
    for (var i = 0; i < blocks.length; i++) {
      (function (block) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "copy-code";
        button.textContent = t("js-copy");
        button.addEventListener("click", function () {
          copyText(block.innerText, button);
        });
        block.appendChild(button);
      })(blocks[i]);
    }
  }

  // "?" shows the keyboard shortcuts.
  function setUpShortcutHelp() {
    var dialog = null;
    document.addEventListener("keydown", function (event) {
      if (event.key !== "?" || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      if (!dialog) {
        dialog = document.createElement("dialog");
        dialog.className = "shortcuts";
        var title = document.createElement("h2");
        title.textContent = t("js-shortcuts");
        dialog.appendChild(title);
        var list = document.createElement("dl");
        [["/", t("js-shortcut-search")], ["?", t("js-shortcut-help")], ["e", t("js-shortcut-edit")], ["Ctrl+S", t("js-shortcut-save")], ["Esc", t("js-close")]].forEach(function (row) {
          var key = document.createElement("dt");
          var kbd = document.createElement("kbd");
          kbd.textContent = row[0];
          key.appendChild(kbd);
          var what = document.createElement("dd");
          what.textContent = row[1];
          list.appendChild(key);
          list.appendChild(what);
        });
        dialog.appendChild(list);
        var close = document.createElement("button");
        close.type = "button";
        close.textContent = t("js-close");
        close.addEventListener("click", function () {
          dialog.close();
        });
        dialog.appendChild(close);
        document.body.appendChild(dialog);
      }
      event.preventDefault();
      if (dialog.showModal) {
        dialog.showModal();
      }
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "e" || isTyping(event.target) || event.ctrlKey || event.metaKey || event.altKey) {
        return;
      }
      var edit = shortcutTarget("edit");
      if (edit && edit.href) {
        window.location.href = edit.href;
      }
    });
  }

  // The header's unread count: asked for when the page loads and every minute while the tab is visible, never
  // while it is hidden (a hidden tab costs the server nothing), and at once when it becomes visible again.
  function setUpInboxCount() {
    var badge = document.querySelector("[data-inbox-count]");
    if (!badge || !window.fetch) {
      return;
    }
    var timer = null;
    var count = badge.querySelector("[data-inbox-number]") || badge;
    // On phones the header's links are in the menu: its button shows the count too.
    var menuBadge = null;
    var menuToggle = document.querySelector(".menu-toggle");
    if (menuToggle) {
      menuBadge = badge.cloneNode(true);
      menuBadge.removeAttribute("data-inbox-count");
      menuToggle.appendChild(menuBadge);
    }
    function show(unread) {
      var text = unread > 99 ? "99+" : String(unread);
      count.textContent = text;
      badge.hidden = unread === 0;
      if (menuBadge) {
        (menuBadge.querySelector("[data-inbox-number]") || menuBadge).textContent = text;
        menuBadge.hidden = unread === 0;
      }
    }
    function ask() {
      fetch("/-/api/inbox/unread", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) { return res.ok ? res.json() : null; })
        .then(function (body) { if (body && typeof body.unread === "number") { show(body.unread); } })
        .catch(function () {});
    }
    function schedule() {
      clearInterval(timer);
      timer = null;
      if (document.visibilityState === "visible") {
        ask();
        timer = setInterval(ask, 60000);
      }
    }
    document.addEventListener("visibilitychange", schedule);
    schedule();
  }

  // "3 days ago" in the page's language, in the server's ranges (`i18n::relative_time_unit`), kept current
  // while the page stays open and however long ago a cached copy of the page was made.
  function relativeTime(seconds) {
    var format = null;
    try {
      format = new Intl.RelativeTimeFormat(document.documentElement.lang || "en", { numeric: "always" });
    } catch (err) {
      return null;
    }
    if (seconds < 45) {
      return t("js-time-just-now");
    } else if (seconds < 5400) {
      return format.format(-Math.max(1, Math.floor((seconds + 30) / 60)), "minute");
    } else if (seconds < 86400) {
      return format.format(-Math.floor((seconds + 1800) / 3600), "hour");
    } else if (seconds < 2592000) {
      return format.format(-Math.floor(seconds / 86400), "day");
    } else if (seconds < 31536000) {
      return format.format(-Math.floor(seconds / 2592000), "month");
    }
    return format.format(-Math.floor(seconds / 31536000), "year");
  }

  function refreshRelativeTimes() {
    var times = document.querySelectorAll("time[data-relative][datetime]");
    for (var i = 0; i < times.length; i++) {
      var then = Date.parse(times[i].getAttribute("datetime"));
      if (!isNaN(then)) {
        times[i].textContent = relativeTime(Math.floor((Date.now() - then) / 1000)) || times[i].textContent;
      }
    }
  }

  function start() {
    setUpInboxCount();
    refreshRelativeTimes();
    setInterval(refreshRelativeTimes, 60000);
    setUpSearchShortcut();
    setUpLazyTree();
    addCopyButtons();
    setUpShortcutHelp();
    setUpSuggestions();
    addHeadingAnchors();
    closeDrawersOnInPageLinks();
    markCurrentSection();
    makeScrollersFocusable();
    window.addEventListener("load", makeScrollersFocusable);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
