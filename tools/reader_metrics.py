"""What a reader of the built book meets, measured in headless Chromium.

For every page of the table of contents: the time from the start of navigation until the
formulas of the first screen are typeset (MathJax, lazily, in the reader's browser), the
page's width on a 390 px phone, and the number of code and output blocks that scroll
sideways at 1400 px (every folded block open).  The browser tests (tests/browser/
test_pages.py) check the width and blocks with the same page scripts, never a time;
``make bench`` reports the numbers against their goals; ``python -m tools.reader_metrics [HTML]``
prints them for a built book (default ``_build/html``).
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

import yaml

from tools.localweb import OfflineRoute, launch, serve

ROOT = Path(__file__).resolve().parents[1]
PHONE = (390, 844)
DESKTOP = (1400, 900)
TYPESET_BUDGET_S = 1.5

# Opens every folded block and ends the fade-in that opening starts (myst-nb's
# "collapsed-fade-in", opacity 0 -> 1): a check that reads colours during the fade (axe's
# contrast rule) would otherwise depend on how fast the machine is.
# Ends every running animation and transition (an endless one cannot end: left as is).
FINISH_ANIMATIONS = "document.getAnimations().forEach(a => { try { a.finish(); } catch (e) {} })"
OPEN_ALL = f"""() => {{
  document.querySelectorAll('details').forEach(d => {{ d.open = true; }});
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  {FINISH_ANIMATIONS};
}}"""

# Elements that stick out of the viewport on the right (the cause of a page overflow).
OVERFLOWING_ELEMENTS = """() => {
  const w = document.documentElement.clientWidth;
  const out = [];
  for (const e of document.querySelectorAll('.bd-article *')) {
    const r = e.getBoundingClientRect();
    if (r.width > 0 && r.right > w + 1) {
      let inner = false;  // inside a box that scrolls by itself: allowed
      for (let p = e.parentElement; p; p = p.parentElement) {
        const s = getComputedStyle(p);
        if ((s.overflowX === 'auto' || s.overflowX === 'scroll' || s.overflowX === 'hidden')
            && p.getBoundingClientRect().right <= w + 1) { inner = true; break; }
      }
      if (!inner) out.push(e.tagName.toLowerCase() + '.' + e.className + ' right=' +
                           Math.round(r.right) + ': ' + (e.textContent || '').slice(0, 60));
    }
  }
  return out.slice(0, 8);
}"""

# Code and output blocks whose content is wider than the block (a sideways scrollbar).
SIDEWAYS_BLOCKS = """() => {
  const sel = '.bd-article div.highlight pre, .bd-article .cell_output pre, '
            + '.bd-article .cell_output .output, .bd-article div.highlight';
  return Array.from(document.querySelectorAll(sel))
    .filter(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => {
      const longest = (e.textContent || '').split('\\n')
        .reduce((a, b) => (b.length > a.length ? b : a), '');
      return e.scrollWidth + '/' + e.clientWidth + ' px, ' + longest.length + ' chars: '
             + longest.trim().slice(0, 70);
    });
}"""

# Display formulas a reader cannot see whole: wider than their box without being able to
# scroll, or clipped by an ancestor.  Typesets every formula first (MathJax's lazy
# typesetter renders only those near the view).  Resolves with a list of descriptions.
OVERFLOWING_MATHS = """async () => {
  if (!window.MathJax || !MathJax.startup) return [];
  await MathJax.startup.promise;
  const doc = MathJax.startup.document;
  if (doc.lazyTypesetAll) await doc.lazyTypesetAll();
  const out = [];
  for (const c of document.querySelectorAll('.bd-article mjx-container[display="true"]')) {
    const r = c.getBoundingClientRect();
    if (r.width === 0) continue;  // folded
    const s = getComputedStyle(c);
    const wide = c.scrollWidth > c.clientWidth + 1;
    const scrolls = s.overflowX === 'auto' || s.overflowX === 'scroll';
    let clipped = false;
    for (let p = c.parentElement; p && !clipped; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.overflowX !== 'visible') {
        const pr = p.getBoundingClientRect();
        const canScroll = (ps.overflowX === 'auto' || ps.overflowX === 'scroll');
        clipped = r.right > pr.right + 1 && !canScroll;
        break;
      }
    }
    if ((wide && !scrolls) || clipped) {
      out.push(Math.round(c.scrollWidth) + '/' + Math.round(c.clientWidth) + ' px: '
               + (c.closest('.math') || c).textContent.slice(0, 50));
    }
  }
  return out.slice(0, 8);
}"""

# Words and numbers broken mid-character in tables, headings and captions: a word of at
# most 30 characters whose glyphs land on two lines (longer tokens, such as addresses and
# identifiers, may break; a compound word, or "n-1", may break after its hyphen or dash,
# a number such as -1.3e-10 nowhere).  Resolves with the first few, with their element.
BROKEN_WORDS = r"""() => {
  const sel = '.bd-article td, .bd-article th, .bd-article h1, .bd-article h2, '
            + '.bd-article h3, .bd-article figcaption, .cheap-static-summary';
  const out = [];
  const range = document.createRange();
  for (const el of document.querySelectorAll(sel)) {
    if (el.getBoundingClientRect().width === 0) continue;
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    for (let t = walker.nextNode(); t; t = walker.nextNode()) {
      if (t.parentElement.closest('code, mjx-container, .math, pre')) continue;
      const re = /(?<![^\s(\[])[+±−-]?\d[\d.,]*(?:e[+−-]?\d+)?%?|[^\s\-–—\/]+/g;
      let m;
      while ((m = re.exec(t.data)) && out.length < 8) {
        if (m[0].length < 2 || m[0].length > 30) continue;
        range.setStart(t, m.index);
        range.setEnd(t, m.index + m[0].length);
        const tops = new Set(Array.from(range.getClientRects())
          .filter(q => q.width > 0).map(q => Math.round(q.top)));
        if (tops.size > 1) out.push(el.tagName.toLowerCase() + ': ' + m[0]);
      }
    }
  }
  return out;
}"""

# When the maths of the first screen is ready, recorded in the page: an init script
# (added before navigation with ``add_init_script``) checks in every animation frame
# whether (a) the document is parsed, (b) every formula on the first screen is typeset
# (holds an ``mjx-container``; no ``mjx-lazy`` placeholder left) and (c) every font
# the page asked for has loaded.  The first frame that passes is the first in which a
# reader sees the first screen's formulas finished: its time, in milliseconds from the
# start of navigation, resolves ``window.__mathsReady``.
MATHS_READY_PROBE = r"""(() => {
  const onScreen = e => {
    const r = e.getBoundingClientRect();
    return r.width + r.height > 0 && r.bottom > 0 && r.top < innerHeight
      && r.right > 0 && r.left < innerWidth;
  };
  const raw = e => !e.querySelector('mjx-container') && /\\\(|\\\[|\$/.test(e.textContent);
  window.__mathsReady = new Promise(resolve => {
    const frame = () => {
      if (document.readyState !== 'loading') {
        const pending = Array.from(document.querySelectorAll('mjx-lazy')).some(onScreen)
          || Array.from(document.querySelectorAll('.math')).some(e => raw(e) && onScreen(e));
        if (!pending && document.fonts.status === 'loaded') {
          resolve(performance.now());
          return;
        }
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
})();"""

# Read the probe's time: null for a page without maths, -1 if not ready within 30 s.
TYPESET_TIME = """async () => {
  if (!document.querySelector('.math')) return null;
  const late = new Promise(r => setTimeout(() => r(-1), 30000));
  return await Promise.race([window.__mathsReady, late]);
}"""


def toc_pages() -> list[str]:
    """Every page of ``_toc.yml``, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    pages = [toc["root"]]
    for part in toc.get("parts", []):
        pages += [entry["file"] for entry in part.get("chapters", [])]
    return pages


def measure(html: Path, pages: list[str] | None = None, repeat: int = 3) -> list[dict]:
    """Typeset time (median and best of ``repeat`` loads), phone width, sideways blocks."""
    from playwright.sync_api import sync_playwright

    pages = pages or toc_pages()
    results = []
    with serve(html) as base:
        with sync_playwright() as pw:
            browser = launch(pw)
            try:
                for name in pages:
                    row: dict = {"page": name}

                    def load(viewport, _name=name):
                        ctx = browser.new_context(
                            viewport={"width": viewport[0], "height": viewport[1]}
                        )
                        ctx.route("**/*", OfflineRoute())
                        ctx.add_init_script(MATHS_READY_PROBE)
                        page = ctx.new_page()
                        page.goto(f"{base}/{_name}.html", wait_until="load")
                        return ctx, page

                    times = []
                    for i in range(repeat):
                        ctx, page = load(DESKTOP)
                        ms = page.evaluate(TYPESET_TIME)
                        if ms is not None:  # -1: a formula never typeset
                            times.append(ms / 1000 if ms >= 0 else float("inf"))
                        if i == 0:
                            page.evaluate(OPEN_ALL)
                            row["blocks"] = len(page.evaluate(SIDEWAYS_BLOCKS))
                        ctx.close()
                        if ms is None:  # a page without maths: one load is enough
                            break
                    row["typeset"] = statistics.median(times) if times else None
                    row["typeset_best"] = min(times) if times else None
                    ctx, page = load(PHONE)
                    page.evaluate(OPEN_ALL)
                    page.wait_for_timeout(200)
                    row["phone_width"] = page.evaluate("document.documentElement.scrollWidth")
                    ctx.close()
                    results.append(row)
                    print(f"  {name}: {row}", file=sys.stderr, flush=True)
            finally:
                browser.close()
    return results


# Time from a change of a static control to the frame that shows the new state's picture,
# decoded: resolves with milliseconds, or -1 when it never shows within 10 s.  The change
# is what a key press does: the first control moves one position on and fires ``input``
# (``change`` for a select).
# The player sets data-state once the new state's picture has loaded into the figure.
STATIC_SWAP = """(el) => {
  const img = el.querySelector('img.cheap-static-figure');
  const old = el.getAttribute('data-state');
  const done = () => el.getAttribute('data-state') !== old && img.complete
    && img.naturalWidth > 0;
  const c = el.querySelector('[data-control]');
  const t0 = performance.now();
  const shown = new Promise(resolve => {
    const frame = () => {
      if (done()) { resolve(performance.now() - t0); return; }
      if (performance.now() - t0 > 10000) { resolve(-1); return; }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  });
  if (c.tagName === 'SELECT') {
    c.selectedIndex += 1;
    c.dispatchEvent(new Event('change'));
  } else {
    c.value = String(parseInt(c.value, 10) + 1);
    c.dispatchEvent(new Event('input'));
  }
  return shown;
}"""


def measure_static_swaps(html: Path, steps: int = 8) -> list[dict]:
    """Per chapter, the static widget's swap time (ms) over ``steps`` moves of its first control."""
    from playwright.sync_api import sync_playwright

    chapters = [p for p in toc_pages() if p.startswith("chapters/")]
    results = []
    with serve(html) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            for name in chapters:
                ctx = browser.new_context(viewport={"width": DESKTOP[0], "height": DESKTOP[1]})
                ctx.route("**/*", OfflineRoute())
                page = ctx.new_page()
                page.goto(f"{base}/{name}.html", wait_until="load")
                root = page.locator(".cheap-static").first
                root.scroll_into_view_if_needed()
                handle = root.element_handle()
                page.wait_for_function("el => el.hasAttribute('data-state')", arg=handle)
                times = []
                for _ in range(steps):
                    values = root.evaluate(
                        "el => Array.from(el.querySelectorAll('[data-control]'), e => e.value)"
                    )
                    top = root.evaluate(
                        "el => { const c = el.querySelector('[data-control]');"
                        " return c.tagName === 'SELECT' ? c.options.length - 1 : +c.max; }"
                    )
                    if int(values[0]) >= top:
                        break
                    ms = page.evaluate(STATIC_SWAP, handle)
                    if ms >= 0:
                        times.append(ms)
                ctx.close()
                results.append({"page": name, "times": times})
        finally:
            browser.close()
    return results


HEADER = [
    "page",
    "maths typeset (median)",
    "best",
    f"target < {TYPESET_BUDGET_S} s",
    "width at 390 px",
    "blocks scrolling at 1400 px",
]


def rows(results: list[dict]) -> list[list[str]]:
    """Table rows for ``make bench``."""
    out = []
    for r in results:
        t, best = r["typeset"], r["typeset_best"]
        out.append(
            [
                r["page"],
                "no maths" if t is None else f"{t:.2f} s",
                "" if best is None else f"{best:.2f} s",
                "" if best is None else ("met" if best < TYPESET_BUDGET_S else "**missed**"),
                f"{r['phone_width']} px" + ("" if r["phone_width"] <= PHONE[0] else " **wide**"),
                str(r["blocks"]),
            ]
        )
    return out


def main(argv: list[str] | None = None) -> int:
    """Print the table for a built book."""
    args = sys.argv[1:] if argv is None else argv
    html = Path(args[0]) if args else ROOT / "_build" / "html"
    results = measure(html)
    print("| " + " | ".join(HEADER) + " |")
    print("|" + " --- |" * len(HEADER))
    for r in rows(results):
        print("| " + " | ".join(r) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
