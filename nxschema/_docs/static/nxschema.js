/* nxschema docs: client-side search on the index, expand/collapse of the layout tree.
   Plain JavaScript, no dependencies, no network. */
(function () {
  "use strict";

  function setupSearch() {
    var box = document.getElementById("search");
    if (!box) { return; }
    var items = Array.prototype.slice.call(document.querySelectorAll("li[data-search]"));
    var sections = Array.prototype.slice.call(document.querySelectorAll("section.category"));
    var count = document.getElementById("search-count");
    var empty = document.getElementById("search-empty");

    function apply() {
      var terms = box.value.toLowerCase().split(/\s+/).filter(function (t) { return t; });
      var shown = 0;
      items.forEach(function (item) {
        var text = item.getAttribute("data-search");
        var match = terms.every(function (t) { return text.indexOf(t) !== -1; });
        item.hidden = !match;
        if (match) { shown += 1; }
      });
      sections.forEach(function (section) {
        section.hidden = !section.querySelector("li[data-search]:not([hidden])");
      });
      if (count) {
        count.textContent = terms.length ? shown + " of " + items.length + " definitions" : "";
      }
      if (empty) { empty.hidden = shown !== 0; }
    }

    box.addEventListener("input", apply);
    document.addEventListener("keydown", function (event) {
      if (event.key === "/" && document.activeElement !== box) {
        event.preventDefault();
        box.focus();
      }
    });
    apply();  /* the browser may restore the box's text on "back" */
  }

  function openTo(id) {
    /* Open every <details> around the tree node or table row a link points at. */
    var target = id && document.getElementById(id);
    var node = target;
    while (node) {
      if (node.tagName === "DETAILS") { node.open = true; }
      node = node.parentElement;
    }
  }

  function setupTree() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-tree-action]"), function (button) {
      button.addEventListener("click", function () {
        var open = button.getAttribute("data-tree-action") === "expand";
        Array.prototype.forEach.call(document.querySelectorAll(".tree details"), function (d) {
          d.open = open;
        });
      });
    });
    var hash = function () {
      try { return decodeURIComponent(location.hash.slice(1)); } catch (e) { return ""; }
    };
    window.addEventListener("hashchange", function () { openTo(hash()); });
    openTo(hash());
  }

  setupSearch();
  setupTree();
}());
