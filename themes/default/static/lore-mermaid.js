// Draws ```mermaid diagrams (served by Lore from /-/static/vendor/mermaid/) in the page's colour scheme.
(function () {
  "use strict";

  // The smallest share of its own size a diagram may be shrunk to on a narrow screen; past that it keeps its
  // size and scrolls sideways inside its box, so labels stay legible instead of shrinking to specks.
  var MIN_SCALE = 0.75;

  function keepLegible() {
    var drawings = document.querySelectorAll(".page-body pre.mermaid svg");
    for (var i = 0; i < drawings.length; i++) {
      var svg = drawings[i];
      var box = svg.viewBox && svg.viewBox.baseVal;
      var natural = box && box.width ? box.width : 0;
      if (!natural) {
        continue;
      }
      svg.style.width = "100%";
      svg.style.maxWidth = natural + "px";
      svg.style.minWidth = Math.round(natural * MIN_SCALE) + "px";
      var pre = svg.closest("pre");
      if (pre && pre.scrollWidth > pre.clientWidth + 1) {
        pre.setAttribute("tabindex", "0");
      }
    }
  }

  function draw() {
    if (!window.mermaid) {
      return;
    }
    var dark = window.matchMedia && window.matchMedia("(prefers-color-scheme: dark)").matches;
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", theme: dark ? "dark" : "default" });
    window.mermaid.run({ querySelector: ".page-body pre.mermaid" }).then(keepLegible).catch(function () {});
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
