/* Deep & Cheap: a page's first frame comes first (issue 15).
   Loaded in <head> without `defer`, so it runs before the theme's deferred scripts.

   pydata-sphinx-theme marks scrollable code and output blocks as keyboard tab stops on the
   `load` event by reading every block's scroll size and writing its tabIndex in turn.  On
   a chapter (a few hundred blocks, sections laid out lazily by `content-visibility: auto`,
   see deep-and-cheap.css) this read/write loop forces one layout per block: 0.3-0.6 s of
   a 2-core machine's main thread, right when the page should show its first screen.  The
   theme's `load` listener is therefore not registered; the same tab stops are set after
   `load` in the browser's idle time, a batch of blocks per idle slice with all reads
   before all writes, and again when the window is resized.  window.__cheapTabStops records what happened, for
   the browser tests. */
(function () {
  "use strict";
  var SELECTOR = "pre, .cell_output > .output, .jp-RenderedHTMLCommon, "
    + ".pst-scrollable-table-container";
  var state = { themeListenersReplaced: 0, observed: 0, done: 0 };
  window.__cheapTabStops = state;

  var addEventListener = window.addEventListener;
  window.addEventListener = function (type, listener, options) {
    var script = document.currentScript;
    if (type === "load" && script && /pydata-sphinx-theme\.js/.test(script.src)) {
      state.themeListenersReplaced += 1;
      return undefined;
    }
    return addEventListener.call(this, type, listener, options);
  };

  function scrollable(el) {
    return el.scrollWidth > el.clientWidth || el.scrollHeight > el.clientHeight;
  }

  // Runs `work` on the items in idle time, a batch per slice (all reads of a batch before
  // its writes, so a batch costs one layout), and the page keeps its frames meanwhile.
  function inIdleTime(items, work) {
    var idle = window.requestIdleCallback || function (fn) {
      return setTimeout(function () { fn({ timeRemaining: function () { return 8; } }); }, 1);
    };
    var at = 0;
    function slice(deadline) {
      while (at < items.length && deadline.timeRemaining() > 2) {
        var batch = items.slice(at, at + 16);
        at += batch.length;
        work(batch);
      }
      if (at < items.length) { idle(slice); } else { state.done += 1; }
    }
    idle(slice);
  }

  function setTabStops(batch) {
    var marks = batch.map(scrollable);
    batch.forEach(function (el, i) { el.tabIndex = marks[i] ? 0 : -1; });
  }

  function lazyTabStops() {
    window.addEventListener = addEventListener;  // the theme has registered its listeners
    var blocks = Array.prototype.slice.call(document.querySelectorAll(SELECTOR));
    state.observed = blocks.length;
    var run = function () { inIdleTime(blocks, setTabStops); };
    if (document.readyState === "complete") { run(); } else {
      addEventListener.call(window, "load", run);
    }
    var timer = null;
    addEventListener.call(window, "resize", function () {
      clearTimeout(timer);
      timer = setTimeout(run, 300);
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", lazyTabStops);
  } else {
    lazyTabStops();
  }
})();
