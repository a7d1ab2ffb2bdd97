// Lore default theme: small progressive enhancements. The wiki works without this file;
// every feature checks that its elements exist so a theme that drops them does not break the rest.
(function () {
  "use strict";

  // Narrower than this, the layout stacks and the outline sits above the content (see lore.css).
  var NARROW_SCREEN = "(max-width: 60rem)";

  function isTyping(target) {
    if (!target || !target.tagName) {
      return false;
    }
    var tag = target.tagName.toLowerCase();
    return tag === "input" || tag === "textarea" || tag === "select" || target.isContentEditable;
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
        var searchInput = document.getElementById("search-input");
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
      anchor.setAttribute("aria-label", "Link to this section");
      anchor.textContent = "#";
      heading.appendChild(anchor);
    }
  }

  // The outline is rendered open so it shows without JavaScript; on a phone it starts closed
  // so the page content comes first.
  function collapseOutlineOnNarrowScreens() {
    var outline = document.querySelector("details.toc");
    if (!outline || !window.matchMedia) {
      return;
    }
    if (window.matchMedia(NARROW_SCREEN).matches) {
      outline.open = false;
    }
    // Choosing a section on a phone closes the outline again so it does not cover the text.
    outline.addEventListener("click", function (event) {
      var link = event.target && event.target.closest ? event.target.closest("a") : null;
      if (link && window.matchMedia(NARROW_SCREEN).matches) {
        outline.open = false;
      }
    });
  }

  function start() {
    setUpSearchShortcut();
    addHeadingAnchors();
    collapseOutlineOnNarrowScreens();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
