// Renders ```mermaid blocks with the Mermaid copy this site serves (js/mermaid.min.js).
// The blocks are plain code blocks, not class="mermaid", so Material's own integration,
// which would fetch Mermaid from a CDN, never starts.
(function () {
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
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict", er: { useMaxWidth: true } });
    window.mermaid.run({ nodes: nodes }).then(markPhi);
  }

  // Colour the ER diagram's attribute rows whose comment says PHI.
  function markPhi() {
    document.querySelectorAll(".schemac-mermaid svg").forEach(function (svg) {
      svg.querySelectorAll("text, span, p").forEach(function (el) {
        if (/^PHI\b/.test(el.textContent.trim())) el.style.fill = el.style.color = "#b71c1c";
      });
    });
  }

  if (window.document$) {
    window.document$.subscribe(render);  // Material's instant navigation
  } else {
    document.addEventListener("DOMContentLoaded", render);
  }
})();
