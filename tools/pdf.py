"""The whole book as one PDF: ``python -m tools.pdf`` (``make pdf``), from the repository root.

1. Builds the single-page HTML of the book (``jupyter-book build . --builder singlehtml``
   into ``_build/singlehtml``; ``--no-build`` reuses an existing one).
2. Opens it in the project's headless Chromium (Playwright driving Debian's
   ``/usr/bin/chromium``, the flags of the browser tests, every non-local request refused:
   the book prints offline).
3. Prepares it for paper: every ``<details>`` (exercise solutions, folded check and figure
   code) and dropdown opened, code and output lines wrapped instead of clipped, every
   image loaded, every formula typeset (MathJax's lazy typesetting is told to finish), a
   table of contents of the chapters and their sections inserted after the title, each
   chapter starting on a new page.
4. Prints it to ``_build/pdf/deep-and-cheap.pdf`` (A4, page numbers, PDF bookmarks from
   the headings) and copies it to ``_build/html/deep-and-cheap.pdf`` when the HTML book is
   built, which is where the book's "book .pdf" button and the intro's link point.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tools.localweb import OfflineRoute, launch, serve

ROOT = Path(__file__).resolve().parents[1]
SINGLEHTML = ROOT / "_build" / "singlehtml"
HTML = ROOT / "_build" / "html"
OUTPUT = ROOT / "_build" / "pdf" / "deep-and-cheap.pdf"
PDF_NAME = OUTPUT.name
TIMEOUT_MS = 300_000

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: white !important; }
/* Chromium prints a box shadow as a rasterised mask image: hundreds of them, most of the
   file's weight, and nothing a reader sees on paper. */
*, *::before, *::after { box-shadow: none !important; text-shadow: none !important;
  filter: none !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .header-article, .bd-footer,
.bd-footer-article, .bd-footer-content, .prev-next-area, .headerlink, #pst-back-to-top,
.pst-async-banner-revealer, .bd-header-announcement, .search-button-field, .toggle-button,
.dc-widget-controls, .copybtn, .sd-summary-chevron-right, .sd-summary-chevron-down,
.skip-link, #jb-print-docs-body { display: none !important; }
.bd-container, .bd-container__inner, .bd-page-width, .bd-main, .bd-content,
.bd-article-container, .bd-article { max-width: 100% !important; width: 100% !important;
  margin: 0 !important; padding: 0 !important; }
pre, pre span, .highlight pre, .cell_output pre { white-space: pre-wrap !important;
  overflow-wrap: anywhere !important; overflow: visible !important; max-height: none !important; }
div.highlight, .cell_output, .output, div.math, mjx-container[display="true"],
.pst-scrollable-table-container { overflow: visible !important; max-height: none !important; }
mjx-container[display="true"] { max-width: 100%; }
img { max-width: 100% !important; height: auto !important; break-inside: avoid; }
figure, .cell_output img { break-inside: avoid; }
h1, h2, h3, h4 { break-after: avoid; }
details > summary { list-style: none; font-weight: 600; }
details > summary::-webkit-details-marker { display: none; }
.dc-book-chapter { break-before: page; }
#dc-pdf-contents { break-after: page; font-size: 11pt; }
#dc-pdf-contents ol { padding-left: 1.4em; }
#dc-pdf-contents li { margin: 0.15em 0; }
#dc-pdf-contents a { color: inherit; text-decoration: none; }
#dc-pdf-contents .dc-sub { font-size: 10pt; color: #444; }
"""

# Runs in the page: opens everything folded (solutions, folded code, dropdowns).
OPEN_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; });
}"""

# Runs in the page after typesetting: marks chapter starts, inserts the contents.
PREPARE_JS = """() => {
  const article = document.querySelector('article.bd-article') || document.body;
  const entries = [];
  document.querySelectorAll('span[id^="document-"]').forEach(marker => {
    let section = marker.nextElementSibling;
    while (section && section.tagName !== 'SECTION') section = section.nextElementSibling;
    if (!section) return;
    section.classList.add('dc-book-chapter');
    const head = section.querySelector('h1, h2');
    if (!head) return;
    const subs = [];
    section.querySelectorAll(':scope > section').forEach(sub => {
      const h = sub.querySelector('h2, h3');
      if (h && sub.id) subs.push([sub.id, h]);
    });
    entries.push([section.id, head, subs]);
  });
  // A heading's content (typeset maths included), without its permalink sign.
  const label = h => {
    const c = h.cloneNode(true);
    c.querySelectorAll('.headerlink').forEach(x => x.remove());
    const span = document.createElement('span');
    span.append(...c.childNodes);
    return span;
  };
  const box = document.createElement('nav');
  box.id = 'dc-pdf-contents';
  const title = document.createElement('h2');
  title.textContent = 'Contents';
  box.appendChild(title);
  const list = document.createElement('ol');
  list.style.listStyle = 'none';
  for (const [id, text, subs] of entries) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = '#' + id; a.appendChild(label(text));
    li.appendChild(a);
    if (subs.length) {
      const ul = document.createElement('ol');
      ul.style.listStyle = 'none';
      for (const [sid, stext] of subs) {
        const sli = document.createElement('li');
        sli.className = 'dc-sub';
        const sa = document.createElement('a');
        sa.href = '#' + sid; sa.appendChild(label(stext));
        sli.appendChild(sa); ul.appendChild(sli);
      }
      li.appendChild(ul);
    }
    list.appendChild(li);
  }
  box.appendChild(list);
  const first = article.querySelector('h1');
  const after = first && first.nextElementSibling;
  if (after && after.tagName === 'P') after.after(box);
  else if (first) first.after(box);
  else article.prepend(box);
  return entries.length;
}"""

TYPESET_JS = """async () => {
  if (!window.MathJax || !MathJax.startup) return 0;
  await MathJax.startup.promise;
  const doc = MathJax.startup.document;
  if (doc && typeof doc.lazyTypesetAll === 'function') await doc.lazyTypesetAll();
  else if (MathJax.typesetPromise) await MathJax.typesetPromise();
  return document.querySelectorAll('mjx-container').length;
}"""

IMAGES_JS = """async () => {
  const imgs = Array.from(document.images);
  await Promise.all(imgs.map(i => i.complete ? null : i.decode().catch(() => null)));
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
}"""

FOOTER = (
    '<div style="font-size:8px;width:100%;text-align:center;color:#555;">'
    'Deep &amp; Cheap — <span class="pageNumber"></span> / <span class="totalPages"></span>'
    "</div>"
)


def build_singlehtml() -> Path:
    """Build the single-page HTML of the book into ``_build/singlehtml``."""
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(ROOT), "--builder", "singlehtml"]
    print("pdf: " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return SINGLEHTML


def print_pdf(html_dir: Path, output: Path) -> dict[str, int]:
    """Print ``html_dir/intro.html`` (the single-page book) to ``output``."""
    from playwright.sync_api import sync_playwright

    page_file = html_dir / "intro.html"
    if not page_file.exists():
        raise SystemExit(f"pdf: no single-page HTML at {page_file}; build it first")
    route = OfflineRoute()
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": 1000, "height": 1400})
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            url = f"{base}/intro.html"
            page.goto(url, wait_until="load", timeout=TIMEOUT_MS)
            page.add_style_tag(content=PRINT_CSS)
            page.evaluate(OPEN_JS)
            broken = page.evaluate(IMAGES_JS)
            if broken:
                raise SystemExit(f"pdf: images that did not load: {broken[:5]}")
            formulas = page.evaluate(TYPESET_JS)
            chapters = page.evaluate(PREPARE_JS)
            page.emulate_media(media="print")
            page.wait_for_timeout(500)
            output.parent.mkdir(parents=True, exist_ok=True)
            page.pdf(
                path=str(output),
                format="A4",
                print_background=True,
                display_header_footer=True,
                header_template="<div></div>",
                footer_template=FOOTER,
                margin={"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"},
                outline=True,
                tagged=True,
            )
            images = page.evaluate("document.images.length")
        finally:
            browser.close()
    if route.blocked:
        raise SystemExit(f"pdf: the page tried to fetch from the internet: {route.blocked[:5]}")
    return {"chapters": chapters, "formulas": formulas, "images": images}


def main(argv: list[str] | None = None) -> int:
    """Build the single-page HTML, print it to PDF, copy it next to the HTML book."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--no-build", action="store_true", help="reuse _build/singlehtml")
    parser.add_argument("--html", type=Path, default=None, help="single-page HTML folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    html_dir = args.html or (SINGLEHTML if args.no_build else build_singlehtml())
    info = print_pdf(html_dir, args.output)
    if HTML.is_dir() and args.output.resolve() == OUTPUT.resolve():
        shutil.copy2(args.output, HTML / PDF_NAME)
    from pypdf import PdfReader

    pages = len(PdfReader(args.output).pages)
    size = args.output.stat().st_size / 2**20
    print(
        f"pdf: {args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output}"
        f" — {pages} pages, {size:.1f} MiB, {info['chapters']} chapters, "
        f"{info['formulas']} formulas, {info['images']} images, "
        f"{time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
