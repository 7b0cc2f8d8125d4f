// Renders ```mermaid blocks with the Mermaid copy this site serves (js/mermaid.min.js).
// The blocks are plain code blocks, not class="mermaid", so Material's own integration,
// which would fetch Mermaid from a CDN, never starts.
//
// Each diagram sits in a viewer as wide as the page: it opens at the width of the page when
// its text stays readable there (at least READABLE_PX), otherwise at the smallest scale that
// keeps it readable; drag to pan, the buttons or Ctrl + scroll to zoom, "Fit" to see it whole.
(function () {
  var READABLE_PX = 12;
  var MIN_SCALE = 0.1;
  var MAX_SCALE = 4;

  function render() {
    if (typeof window.mermaid === "undefined") return;
    var blocks = document.querySelectorAll("pre > code.language-mermaid");
    if (!blocks.length) return;
    var nodes = [];
    blocks.forEach(function (code) {
      var div = document.createElement("div");
      div.className = "schemac-mermaid";
      div.textContent = code.textContent;
      code.parentNode.replaceWith(div);
      nodes.push(div);
    });
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", er: { useMaxWidth: false } });
    window.mermaid.run({ nodes: nodes }).then(function () {
      markPhi();
      nodes.forEach(makeViewer);
      document.documentElement.setAttribute("data-schemac-diagrams", "ready");
    });
  }

  // Colour the ER diagram's attribute rows whose comment says PHI.
  function markPhi() {
    document.querySelectorAll(".schemac-mermaid svg").forEach(function (svg) {
      svg.querySelectorAll("text, span, p").forEach(function (el) {
        if (/^PHI\b/.test(el.textContent.trim())) el.style.fill = el.style.color = "#b71c1c";
      });
    });
  }

  // The smallest font size (CSS px at scale 1) of any text in the diagram.
  function smallestFont(svg) {
    var smallest = Infinity;
    svg.querySelectorAll("text, tspan, span, p, div").forEach(function (el) {
      if (!el.textContent.trim()) return;
      var size = parseFloat(window.getComputedStyle(el).fontSize);
      if (size > 0 && size < smallest) smallest = size;
    });
    return smallest === Infinity ? 16 : smallest;
  }

  function button(label, title, action) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "schemac-zoom-button";
    b.textContent = label;
    b.title = title;
    b.setAttribute("aria-label", title);
    b.addEventListener("click", action);
    return b;
  }

  function makeViewer(div) {
    var svg = div.querySelector("svg");
    if (!svg || !svg.viewBox || !svg.viewBox.baseVal) return;
    var width = svg.viewBox.baseVal.width;
    var height = svg.viewBox.baseVal.height;
    var readable = Math.min(1, READABLE_PX / smallestFont(svg));
    var viewport = document.createElement("div");
    viewport.className = "schemac-diagram-viewport";
    viewport.tabIndex = 0;
    var bar = document.createElement("div");
    bar.className = "schemac-diagram-toolbar";
    var shown = document.createElement("span");
    shown.className = "schemac-zoom-level";
    div.replaceChildren(bar, viewport);
    viewport.appendChild(svg);
    svg.removeAttribute("width");
    svg.removeAttribute("height");
    svg.style.maxWidth = "none";

    var scale = 1;
    function fitScale() {
      return Math.min(1, (viewport.clientWidth - 2) / width);
    }
    function setScale(next, aroundX, aroundY) {
      next = Math.max(MIN_SCALE, Math.min(MAX_SCALE, next));
      var x = aroundX === undefined ? viewport.clientWidth / 2 : aroundX;
      var y = aroundY === undefined ? viewport.clientHeight / 2 : aroundY;
      var contentX = (viewport.scrollLeft + x) / scale;
      var contentY = (viewport.scrollTop + y) / scale;
      scale = next;
      svg.style.width = width * scale + "px";
      svg.style.height = height * scale + "px";
      viewport.scrollLeft = contentX * scale - x;
      viewport.scrollTop = contentY * scale - y;
      shown.textContent = Math.round(scale * 100) + "%";
      div.setAttribute("data-scale", String(scale));
    }

    bar.append(
      button("−", "Zoom out", function () { setScale(scale / 1.25); }),
      shown,
      button("+", "Zoom in", function () { setScale(scale * 1.25); }),
      button("Fit", "Fit the whole diagram to the page width", function () { setScale(fitScale()); }),
      button("1:1", "Actual size", function () { setScale(1); })
    );
    setScale(Math.max(fitScale(), readable), 0, 0);
    viewport.scrollLeft = (viewport.scrollWidth - viewport.clientWidth) / 2;  // roots are centred: start there
    if (width * scale <= viewport.clientWidth) div.classList.add("schemac-diagram-fits");

    // Pan by dragging; zoom with Ctrl (or ⌘) + wheel around the pointer.
    var drag = null;
    viewport.addEventListener("pointerdown", function (e) {
      if (e.button !== 0) return;
      drag = { x: e.clientX, y: e.clientY, left: viewport.scrollLeft, top: viewport.scrollTop };
      try {
        viewport.setPointerCapture(e.pointerId);
      } catch (err) {
        // a synthetic or already released pointer: dragging still works while the pointer is over the diagram
      }
      viewport.classList.add("schemac-dragging");
    });
    viewport.addEventListener("pointermove", function (e) {
      if (!drag) return;
      viewport.scrollLeft = drag.left - (e.clientX - drag.x);
      viewport.scrollTop = drag.top - (e.clientY - drag.y);
    });
    function endDrag() {
      drag = null;
      viewport.classList.remove("schemac-dragging");
    }
    viewport.addEventListener("pointerup", endDrag);
    viewport.addEventListener("pointercancel", endDrag);
    viewport.addEventListener(
      "wheel",
      function (e) {
        if (!(e.ctrlKey || e.metaKey)) return;
        e.preventDefault();
        var box = viewport.getBoundingClientRect();
        setScale(scale * (e.deltaY < 0 ? 1.1 : 1 / 1.1), e.clientX - box.left, e.clientY - box.top);
      },
      { passive: false }
    );
    viewport.addEventListener("keydown", function (e) {
      if (e.key === "+" || e.key === "=") setScale(scale * 1.25);
      else if (e.key === "-") setScale(scale / 1.25);
      else if (e.key === "0") setScale(fitScale());
    });
  }

  if (window.document$) {
    window.document$.subscribe(render);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", render);
  }
})();
