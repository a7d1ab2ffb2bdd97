// Draws formulas with KaTeX (served by Lore from /-/static/vendor/katex/): `$inline$`, `$$display$$` and
// ```math blocks arrive as elements with class "math" holding the TeX source.
(function () {
  "use strict";
  function draw() {
    if (!window.katex) {
      return;
    }
    var formulas = document.querySelectorAll(".page-body .math");
    for (var i = 0; i < formulas.length; i++) {
      var element = formulas[i];
      var source = element.textContent;
      try {
        window.katex.render(source, element, {
          displayMode: element.classList.contains("math-display"),
          throwOnError: false,
          trust: false
        });
        element.setAttribute("data-source", source);
      } catch (error) {
        element.classList.add("math-error");
      }
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
