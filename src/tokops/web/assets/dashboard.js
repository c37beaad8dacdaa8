// Draws every chart of the page with vega-embed (served by the dashboard, no CDN). Vega runs
// its expressions through its interpreter (ast: true), so the page needs no 'unsafe-eval'.
"use strict";
(function () {
  function draw() {
    var charts = document.querySelectorAll(".vega[data-spec]");
    charts.forEach(function (el) {
      var spec = JSON.parse(el.getAttribute("data-spec"));
      window.vegaEmbed(el, spec, {
        actions: false,
        renderer: "svg",
        ast: true, // vega-embed then evaluates expressions with Vega's interpreter
      }).then(function () {
        el.setAttribute("data-drawn", "true");
      }).catch(function (err) {
        el.setAttribute("data-error", String(err));
        console.error(err);
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
