// Filters, search and folding for the report. No library: the page must open from disk.
(function () {
  "use strict";
  var scenarios = Array.prototype.slice.call(document.querySelectorAll("details.scenario"));
  var features = Array.prototype.slice.call(document.querySelectorAll("section.feature"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=status]"));
  var flakyOnly = document.getElementById("flaky-only");
  var search = document.getElementById("search");
  var tag = document.getElementById("tag");
  var shown = document.getElementById("shown");
  var nothing = document.getElementById("nothing");
  var texts = null; // lower-cased text of each scenario, read on the first search

  function apply() {
    var statuses = {};
    boxes.forEach(function (b) { statuses[b.value] = b.checked; });
    var words = search.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (words.length && !texts) {
      texts = scenarios.map(function (s) { return s.textContent.toLowerCase(); });
    }
    var wanted = tag.value;
    var count = 0;
    scenarios.forEach(function (s, i) {
      var visible = statuses[s.dataset.status] !== false &&
        (!flakyOnly.checked || s.hasAttribute("data-flaky")) &&
        (!wanted || (" " + s.dataset.tags + " ").indexOf(" " + wanted + " ") >= 0) &&
        words.every(function (w) { return texts[i].indexOf(w) >= 0; });
      s.hidden = !visible;
      if (visible) { count++; }
    });
    features.forEach(function (f) {
      f.hidden = !f.querySelector("details.scenario:not([hidden])");
    });
    shown.textContent = count + " of " + scenarios.length + " scenarios shown";
    nothing.hidden = count > 0;
  }

  var timer = null;
  search.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(apply, 120);
  });
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  flakyOnly.addEventListener("change", apply);
  tag.addEventListener("change", apply);

  // A tile shows only its status (or only the flaky ones); a second click shows all again.
  Array.prototype.forEach.call(document.querySelectorAll(".tile"), function (tile) {
    tile.addEventListener("click", function () {
      var only = tile.dataset.only;
      var alone = only === "flaky" ? flakyOnly.checked
        : boxes.every(function (b) { return b.checked === (b.value === only); });
      boxes.forEach(function (b) { b.checked = alone || only === "flaky" || b.value === only; });
      flakyOnly.checked = only === "flaky" && !alone;
      apply();
      document.getElementById("features").scrollIntoView({ behavior: "smooth" });
    });
  });

  function fold(open) {
    scenarios.forEach(function (s) { if (!s.hidden) { s.open = open; } });
  }
  document.getElementById("expand").addEventListener("click", function () { fold(true); });
  document.getElementById("collapse").addEventListener("click", function () { fold(false); });

  document.addEventListener("keydown", function (e) {
    if (e.key === "/" && document.activeElement !== search) {
      e.preventDefault();
      search.focus();
    }
  });

  apply();
})();
