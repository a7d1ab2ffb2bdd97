// Ask form: while the title is typed, show the most similar questions and pages (any word may match; titles
// sharing the question's words first), the usual way to avoid asking again what is already answered.
(function () {
  "use strict";
  var title = document.getElementById("ask-title");
  var box = document.getElementById("similar");
  var list = document.getElementById("similar-list");
  if (!title || !box || !list || !window.fetch) {
    return;
  }
  var timer = null;
  var sequence = 0;
  function show(hits) {
    while (list.firstChild) {
      list.removeChild(list.firstChild);
    }
    hits.forEach(function (hit) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      link.href = hit.url;
      link.textContent = hit.title;
      item.appendChild(link);
      var kind = document.createElement("span");
      kind.className = "chip label";
      kind.textContent = hit.kind;
      item.appendChild(document.createTextNode(" "));
      item.appendChild(kind);
      list.appendChild(item);
    });
    box.hidden = hits.length === 0;
  }
  function lookUp() {
    var text = title.value.trim();
    if (text.length < 4) {
      show([]);
      return;
    }
    var mine = ++sequence;
    fetch("/-/api/similar?limit=5&q=" + encodeURIComponent(text))
      .then(function (response) {
        return response.ok ? response.json() : { hits: [] };
      })
      .then(function (body) {
        if (mine === sequence) {
          show(body.hits || []);
        }
      })
      .catch(function () {});
  }
  title.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(lookUp, 250);
  });
  lookUp();
})();
