"use strict";
window.reportScriptStartMs = performance.now();
(function () {
  const figures = JSON.parse(document.getElementById("figures").textContent);
  const config = { displaylogo: false, responsive: true, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  Promise.all(
    Object.keys(figures).map(function (id) {
      const fig = figures[id];
      return Plotly.newPlot(id, fig.data, fig.layout, config);
    })
  ).then(function () {
    window.reportRenderMs = performance.now();
    document.body.dataset.ready = "charts";
  });

  // Quote search: every word must appear in the quote, speaker, outlet or place.
  const quotes = JSON.parse(document.getElementById("quotes").textContent);
  const input = document.getElementById("quote-search");
  const results = document.getElementById("quote-results");
  const counter = document.getElementById("quote-count");
  const SHOWN = 100;
  let haystack = null;
  let timer = null;

  function highlight(parent, text, words) {
    if (!words.length) { parent.appendChild(document.createTextNode(text)); return; }
    const lower = text.toLowerCase();
    let at = 0;
    while (at < text.length) {
      let next = -1, word = "";
      for (const w of words) {
        const i = lower.indexOf(w, at);
        if (i !== -1 && (next === -1 || i < next)) { next = i; word = w; }
      }
      if (next === -1) { parent.appendChild(document.createTextNode(text.slice(at))); break; }
      parent.appendChild(document.createTextNode(text.slice(at, next)));
      const mark = document.createElement("mark");
      mark.textContent = text.slice(next, next + word.length);
      parent.appendChild(mark);
      at = next + word.length;
    }
  }

  function show() {
    const words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    if (haystack === null) {
      haystack = quotes.map(function (q) { return (q[0] + " " + q[1] + " " + q[3] + " " + q[4]).toLowerCase(); });
    }
    const hits = [];
    for (let i = 0; i < quotes.length; i++) {
      if (words.every(function (w) { return haystack[i].indexOf(w) !== -1; })) hits.push(i);
    }
    counter.textContent = words.length
      ? hits.length.toLocaleString() + " matching quote(s)" + (hits.length > SHOWN ? ", first " + SHOWN + " shown" : "")
      : "The newest quotes; type to search.";
    results.replaceChildren();
    for (const i of hits.slice(0, SHOWN)) {
      const q = quotes[i];
      const div = document.createElement("div");
      div.className = "quote";
      const p = document.createElement("div");
      highlight(p, "“" + q[1] + "”", words);
      const meta = document.createElement("div");
      meta.className = "meta";
      highlight(meta, [q[0], q[2], q[3], q[4]].filter(Boolean).join(" · "), words);
      div.append(p, meta);
      results.appendChild(div);
    }
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(show, 120);
  });
  show();
})();
