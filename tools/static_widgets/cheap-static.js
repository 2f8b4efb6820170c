/* Kernel-free widgets of the Deep & Cheap book (built by tools/widget_states.py).
 * Each .cheap-static element carries its widget's manifest (controls and their position
 * labels); one range slider or select per control swaps the picture among the states
 * rendered at build time (_widgets/<name>/<i>-<j>-....png), whose summaries states.js
 * registers in window.cheapStaticStates.  Every combination of the controls' positions
 * was rendered (the full grid), so moving one control never moves another.  A control
 * with one static position ("fixed") is shown as text: it moves in the live widget.
 */
(function () {
  "use strict";

  /* A number such as 3.99e-04 or -0.48 stays on one line: browsers may break after its
     hyphen ("3.99e-" / "04") on a narrow screen.  Each number of the summary's text is
     wrapped in a span that does not wrap; the text itself is unchanged. */
  var NUMBER = /[+\-\u2212]?\d[\d.,]*(?:e[+\-\u2212]?\d+)?%?/g;
  function keepNumbersWhole(el) {
    var walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    var texts = [];
    for (var t = walker.nextNode(); t; t = walker.nextNode()) { texts.push(t); }
    texts.forEach(function (t) {
      var data = t.data, last = 0, m, frag = null;
      NUMBER.lastIndex = 0;
      while ((m = NUMBER.exec(data))) {
        if (!/[\-\u2212]/.test(m[0])) { continue; } /* only numbers with a hyphen break */
        frag = frag || document.createDocumentFragment();
        frag.appendChild(document.createTextNode(data.slice(last, m.index)));
        var span = document.createElement("span");
        span.className = "cheap-static-number";
        span.textContent = m[0];
        frag.appendChild(span);
        last = m.index + m[0].length;
      }
      if (frag) {
        frag.appendChild(document.createTextNode(data.slice(last)));
        t.parentNode.replaceChild(frag, t);
      }
    });
  }

  function setup(root) {
    var m = JSON.parse(root.getAttribute("data-manifest"));
    var base = root.getAttribute("data-base");
    var img = root.querySelector("img.cheap-static-figure");
    var summary = root.querySelector(".cheap-static-summary");
    var box = root.querySelector(".cheap-static-controls");
    var idx = m.controls.map(function (c) { return c.default; });
    var inputs = [];
    var fixed = [];
    var states = null;

    function key() { return idx.join("-"); }

    /* The states come as a script (states.js), not as JSON to fetch: a page opened
       from disk (file://) may load scripts but not fetch files. */
    function loadStates() {
      if (!states) {
        states = new Promise(function (resolve, reject) {
          var name = root.getAttribute("data-widget");
          var all = window.cheapStaticStates || {};
          if (all[name]) { resolve(all[name].states); return; }
          var script = document.createElement("script");
          script.src = base + "states.js";
          script.onload = function () {
            var loaded = (window.cheapStaticStates || {})[name];
            if (loaded) { resolve(loaded.states); } else { reject(new Error(name)); }
          };
          script.onerror = function () { reject(new Error(script.src)); };
          document.head.appendChild(script);
        });
        states.catch(function () {
          summary.textContent = "The pictures of this widget could not be loaded.";
          states = null;
        });
      }
      return states;
    }

    function show() {
      var k = key();
      loadStates().then(function (all) {
        if (k !== key()) { return; } /* a later position won */
        var st = all[k];
        if (!st) { return; } /* the build renders every state: never happens */
        var src = base + st.file;
        if (img.getAttribute("src") !== src) {
          var next = new Image();
          next.onload = function () {
            if (k !== key()) { return; }
            img.src = src;
            root.setAttribute("data-state", k);
          };
          next.src = src;
        } else {
          root.setAttribute("data-state", k);
        }
        summary.innerHTML = st.summary;
        keepNumbersWhole(summary);
      }, function () { /* said in the summary by loadStates */ });
    }

    function readout(i) {
      var out = inputs[i].out;
      if (out) { out.textContent = m.controls[i].labels[idx[i]]; }
    }

    function moved(i, value) { /* the other controls keep their positions */
      idx[i] = value;
      readout(i);
      show();
    }

    m.controls.forEach(function (c, i) {
      var row = document.createElement(c.kind === "fixed" ? "div" : "label");
      row.className = "cheap-static-control";
      var name = document.createElement("span");
      name.className = "cheap-static-label";
      name.textContent = c.label;
      row.appendChild(name);
      var el, out = null;
      if (c.kind === "fixed") {
        el = document.createElement("span");
        el.className = "cheap-static-value cheap-static-fixed";
        el.textContent = c.labels[0];
        el.title = "fixed in the book's pictures; it moves in the live widget";
        row.appendChild(el);
        box.appendChild(row);
        inputs.push({ el: el, out: null });
        fixed.push(c.label);
        return;
      }
      if (c.kind === "select") {
        el = document.createElement("select");
        c.labels.forEach(function (label, j) {
          var o = document.createElement("option");
          o.value = String(j);
          o.textContent = label;
          el.appendChild(o);
        });
      } else {
        el = document.createElement("input");
        el.type = "range";
        el.min = "0";
        el.max = String(c.labels.length - 1);
        el.step = "1";
        out = document.createElement("output");
        out.className = "cheap-static-value";
      }
      el.value = String(c.default);
      el.setAttribute("data-control", c.name);
      el.addEventListener("input", function () { moved(i, parseInt(el.value, 10)); });
      el.addEventListener("change", function () { moved(i, parseInt(el.value, 10)); });
      row.appendChild(el);
      if (out) { row.appendChild(out); }
      box.appendChild(row);
      inputs.push({ el: el, out: out });
      readout(i);
    });
    var note = document.createElement("div");
    note.className = "cheap-static-note";
    note.textContent = "Pictures rendered when the book was built" + (fixed.length
      ? "; " + fixed.join(" and ") + " fixed here (they move in the live widget)."
      : ".");
    box.appendChild(note);

    function first() { show(); }
    if ("IntersectionObserver" in window) {
      var seen = new IntersectionObserver(function (entries) {
        if (entries.some(function (e) { return e.isIntersecting; })) {
          seen.disconnect();
          first();
        }
      }, { rootMargin: "400px" });
      seen.observe(root);
    } else {
      first();
    }
    root.classList.add("cheap-static-ready");
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll(".cheap-static"), setup);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
