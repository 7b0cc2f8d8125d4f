// Injected into a built page by tests/test_docs_site.py. When the site's diagrams are ready it
// measures, as the reader sees them, the rendered size of every diagram text, whether a table
// cell breaks a word or identifier across lines, and whether a relationship line passes through
// a box that is not one of its two ends; the result is written as JSON into <pre id="schemac-measure">.
(function () {
  function leafTexts(svg) {
    var found = [];
    svg.querySelectorAll("text, tspan, span, p, div").forEach(function (el) {
      var own = Array.prototype.some.call(el.childNodes, function (n) {
        return n.nodeType === 3 && n.textContent.trim();
      });
      if (own) found.push(el);
    });
    return found;
  }

  function diagram(div) {
    var svg = div.querySelector("svg");
    var scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
    var texts = leafTexts(svg).map(function (el) {
      var px = parseFloat(getComputedStyle(el).fontSize) * scale;
      return { text: el.textContent.trim(), px: px, height: el.getBoundingClientRect().height };
    });
    var smallest = texts.reduce(function (a, b) { return a && a.px <= b.px ? a : b; }, null);
    var box = div.getBoundingClientRect();
    return {
      scale: scale,
      texts: texts.length,
      smallest: smallest,
      words: texts.map(function (t) { return t.text; }),
      left: box.left,
      right: box.right,
      crossings: crossings(svg),
    };
  }

  // Points of each relationship line that fall inside an entity box other than its two ends.
  function crossings(svg) {
    var boxes = [];
    svg.querySelectorAll("g.node").forEach(function (g) {
      var r = g.getBoundingClientRect();
      boxes.push({ id: g.id, left: r.left + 2, right: r.right - 2, top: r.top + 2, bottom: r.bottom - 2 });
    });
    var found = [];
    svg.querySelectorAll("path.relationshipLine").forEach(function (path) {
      var ends = boxes.filter(function (b) { return path.id.indexOf(b.id + "_") >= 0 || path.id.endsWith(b.id); });
      var others = boxes.filter(function (b) { return ends.indexOf(b) < 0; });
      var length = path.getTotalLength();
      var ctm = path.getScreenCTM();
      for (var d = 0; d <= length; d += 4) {
        var p = path.getPointAtLength(d);
        var q = new DOMPoint(p.x, p.y).matrixTransform(ctm);
        var hit = others.find(function (b) { return q.x > b.left && q.x < b.right && q.y > b.top && q.y < b.bottom; });
        if (hit) {
          found.push(path.id + " crosses " + hit.id);
          break;
        }
      }
    });
    return found;
  }

  // The first diagram's controls, used as a reader would: zoom in, fit, drag to pan.
  function interact() {
    var div = document.querySelector(".schemac-mermaid");
    var viewport = div.querySelector(".schemac-diagram-viewport");
    var svg = viewport.querySelector("svg");
    var buttons = {};
    div.querySelectorAll(".schemac-zoom-button").forEach(function (b) { buttons[b.textContent] = b; });
    var result = { buttons: Object.keys(buttons), start: Number(div.getAttribute("data-scale")) };
    buttons["+"].click();
    result.zoomed_in = Number(div.getAttribute("data-scale"));
    result.svg_width_zoomed = svg.getBoundingClientRect().width;
    buttons["1:1"].click();
    var before = viewport.scrollLeft;
    var box = viewport.getBoundingClientRect();
    var at = { x: box.left + 200, y: box.top + 100 };
    viewport.dispatchEvent(new PointerEvent("pointerdown", { bubbles: true, button: 0, pointerId: 7, clientX: at.x, clientY: at.y }));
    viewport.dispatchEvent(new PointerEvent("pointermove", { bubbles: true, pointerId: 7, clientX: at.x - 150, clientY: at.y - 40 }));
    viewport.dispatchEvent(new PointerEvent("pointerup", { bubbles: true, pointerId: 7, clientX: at.x - 150, clientY: at.y - 40 }));
    result.panned_by = viewport.scrollLeft - before;
    buttons["Fit"].click();
    result.fit = Number(div.getAttribute("data-scale"));
    result.fit_svg_width = svg.getBoundingClientRect().width;
    result.viewport_width = viewport.clientWidth;
    return result;
  }

  // Words (and code spans) in table cells that the browser split across two lines.
  function brokenWords() {
    var broken = [];
    var checked = 0;
    document.querySelectorAll(".md-typeset table td, .md-typeset table th").forEach(function (cellEl) {
      var walker = document.createTreeWalker(cellEl, NodeFilter.SHOW_TEXT);
      var node;
      while ((node = walker.nextNode())) {
        var re = /\S+/g;
        var m;
        while ((m = re.exec(node.textContent))) {
          var range = document.createRange();
          range.setStart(node, m.index);
          range.setEnd(node, m.index + m[0].length);
          var tops = {};
          Array.prototype.forEach.call(range.getClientRects(), function (r) {
            if (r.width > 0) tops[Math.round(r.top)] = true;
          });
          checked++;
          if (Object.keys(tops).length > 1) broken.push({ word: m[0], code: !!node.parentElement.closest("code") });
        }
      }
    });
    return { checked: checked, broken: broken };
  }

  function measure() {
    var result = {
      window: window.innerWidth,
      page_width: document.documentElement.clientWidth,
      page_scroll_width: document.documentElement.scrollWidth,
      diagrams: Array.prototype.map.call(document.querySelectorAll(".schemac-mermaid"), diagram),
      table_words: brokenWords(),
      code_in_tables: document.querySelectorAll(".md-typeset table code").length,
    };
    result.interaction = interact();  // last: it changes the first diagram's zoom
    var pre = document.createElement("pre");
    pre.id = "schemac-measure";
    pre.textContent = JSON.stringify(result);
    document.body.appendChild(pre);
  }

  // For the screenshot (#screenshot): show the whole-schema diagram as it opens, measure nothing.
  // (Headless screenshots ignore scrolling, so what comes before the diagram is taken out.)
  function showDiagram() {
    var div = document.querySelector(".schemac-mermaid");
    if (!div) return;
    while (div.previousElementSibling && !/^H[12]$/.test(div.previousElementSibling.tagName)) div = div.previousElementSibling;
    var heading = div.previousElementSibling;
    while (heading && heading.previousElementSibling) heading.previousElementSibling.remove();
  }

  var tries = 0;
  (function wait() {
    var ready = document.documentElement.getAttribute("data-schemac-diagrams") === "ready";
    if (!ready && ++tries <= 1200) return setTimeout(wait, 25);  // up to 30 s of the page's (virtual) time
    if (location.hash === "#screenshot") showDiagram();
    else measure();
  })();
})();
