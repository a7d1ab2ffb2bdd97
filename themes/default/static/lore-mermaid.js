// Draws ```mermaid diagrams (served by Lore from /-/static/vendor/mermaid/) in the page's colour scheme.
(function () {
  "use strict";
  function draw() {
    if (!window.mermaid) {
      return;
    }
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    window.mermaid.run({ querySelector: ".page-body pre.mermaid" }).catch(function () {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
