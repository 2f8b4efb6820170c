"""The whole book as one PDF: ``python -m tools.pdf`` (``make pdf``), from the repository root.

1. Builds the single-page HTML of the book (``jupyter-book build . --builder singlehtml``
   into ``_build/singlehtml``; ``--no-build`` reuses an existing one).
2. Reads the book's headings from that HTML (:func:`book_outline`): chapters, their
   sections and subsections, each with its anchor and a plain-text title (maths turned
   into readable text by :func:`tex_to_text`).
3. Opens the page in the project's headless Chromium (Playwright driving Debian's
   ``/usr/bin/chromium``, the flags of the browser tests, every non-local request refused:
   the book prints offline) and prepares it for paper: every ``<details>`` (solutions,
   folded code) opened, code and output lines wrapped, every image loaded, every formula
   typeset, a title page and a contents page put in front, each chapter starting on a new
   page and no other forced break (a block is kept whole only when it is short, a figure is
   at most about half a page), tables wrapping at spaces only (scaled down when they are
   then too wide), no shadows (Chromium prints a box shadow as a page-wide
   rasterised mask: the theme's admonitions and dropdowns once weighed 15 MB of them).
4. Prints twice: the first print tells on which page every heading landed (Chromium writes
   a named destination for every link target, and every heading is one), the contents page
   is given those numbers (its layout does not move: the number boxes have a fixed width),
   and the second print is the book. The pages are checked against the first print.
5. Writes the PDF outline (bookmarks) itself, one per chapter, section and subsection, with
   the plain-text titles, and the document's title, author and subject (an incremental
   update with pypdf), to ``_build/pdf/deep-and-cheap.pdf``; copies it to
   ``_build/html/deep-and-cheap.pdf`` when the HTML book is built, which is where the
   book's "book .pdf" button and the intro's link point.
"""

from __future__ import annotations

import argparse
import datetime as dt
import html
import io
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.localweb import OfflineRoute, launch, serve

ROOT = Path(__file__).resolve().parents[1]
SINGLEHTML = ROOT / "_build" / "singlehtml"
HTML = ROOT / "_build" / "html"
OUTPUT = ROOT / "_build" / "pdf" / "deep-and-cheap.pdf"
PDF_NAME = OUTPUT.name
TIMEOUT_MS = 600_000
#: Heading levels kept: 1 chapter, 2 section, 3 subsection (bookmarks); the contents page
#: lists levels up to :data:`CONTENTS_DEPTH`.
OUTLINE_DEPTH = 3
CONTENTS_DEPTH = 2
#: How many times the book may be printed before its contents' page numbers settle.
MAX_PRINTS = 3
MARGIN = {"top": "16mm", "bottom": "18mm", "left": "14mm", "right": "14mm"}
#: The printed column of an A4 page in CSS pixels (96 per inch): the page is laid out at
#: this width before printing, so what the script measures is what Chromium prints.
COLUMN_PX = round((210 - 14 - 14) / 25.4 * 96)
PAGE_PX = round((297 - 16 - 18) / 25.4 * 96)
#: A block (code, table, admonition, figure, solution) is kept whole on one page only up
#: to this height; a taller one breaks across pages.
KEEP_WHOLE_PX = round(0.35 * PAGE_PX)
#: A table wider than the column once its words are kept whole is scaled down to fit, not
#: below this factor.
SMALLEST_TABLE_ZOOM = 0.6
#: Untagged: Chromium's tag tree of this book is 130 000 uncompressed structure elements
#: (13 MB, half the file: one per code token, table cell and formula part), and its
#: outline (which needs tags) is replaced by :func:`write_outline` anyway.
TAGGED = False

PRINT_CSS = """
@page { size: A4; margin: 16mm 14mm 18mm 14mm; }
html, body { background: white !important; }
/* No shadows: Chromium prints a box shadow as a rasterised soft mask as wide as the box and
   as tall as its part on the page.  The theme sets its admonition and dropdown shadows with
   !important on class selectors, which a plain `*` rule does not beat: the variables go
   too, and the id in :is() gives the rule an id's specificity. */
:root { --pst-color-shadow: transparent !important; --sd-color-shadow: transparent !important;
  --bs-box-shadow: none !important; --bs-box-shadow-sm: none !important;
  --bs-box-shadow-lg: none !important; --bs-box-shadow-inset: none !important; }
:is(*, #dc-pdf-none), :is(*, #dc-pdf-none)::before, :is(*, #dc-pdf-none)::after {
  box-shadow: none !important; text-shadow: none !important; filter: none !important;
  backdrop-filter: none !important; }
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
/* A figure never takes more than about half a page: one that does not fit below the text
   moves to the next page and leaves a gap at most that tall. */
img { max-width: 100% !important; height: auto !important; max-height: 125mm !important;
  object-fit: contain; break-inside: avoid; }
figure, .cell_output img { break-inside: avoid; }
h1, h2, h3, h4, h5 { break-after: avoid; }
details > summary { list-style: none; font-weight: 600; }
details > summary::-webkit-details-marker { display: none; }
.dc-book-chapter { break-before: page; }
/* The theme hides a page's first h1 in print (its header shows the title): the book's
   front page keeps its heading, the title page above shows the subtitle. */
.bd-main .bd-content .bd-article h1:first-of-type { display: block !important; }
.dc-pdf-subtitle-shown { display: none !important; }

#dc-pdf-title { break-after: page; height: 240mm; display: flex; flex-direction: column;
  justify-content: center; text-align: center; }
#dc-pdf-title .dc-title { font-size: 34pt; font-weight: 700; margin: 0 0 0.4em; }
#dc-pdf-title .dc-subtitle { font-size: 15pt; font-style: italic; margin: 0 auto 2.5em;
  max-width: 140mm; }
#dc-pdf-title .dc-authors { font-size: 13pt; margin: 0 0 0.6em; }
#dc-pdf-title .dc-edition { font-size: 10pt; color: #444; margin: 0; }
#dc-pdf-contents { break-after: page; font-size: 10.5pt; }
#dc-pdf-contents h2 { margin-top: 0; }
#dc-pdf-contents ol { list-style: none; padding-left: 0; margin: 0; }
#dc-pdf-contents li { break-inside: avoid; }
#dc-pdf-contents a { color: inherit !important; text-decoration: none !important;
  display: flex; align-items: baseline; }
#dc-pdf-contents .dc-toc-1 { font-weight: 600; margin-top: 0.55em; }
#dc-pdf-contents .dc-toc-2 { padding-left: 2.2em; font-size: 9.5pt; color: #333;
  margin-top: 0.1em; }
#dc-pdf-contents .dc-toc-text { flex: 0 1 auto; }
#dc-pdf-contents .dc-toc-leader { flex: 1 1 1em; margin: 0 0.4em; min-width: 1em;
  border-bottom: 1px dotted #888; }
#dc-pdf-contents .dc-toc-page { flex: none; width: 2.4em; text-align: right;
  font-variant-numeric: tabular-nums; font-weight: 400; }
"""

# Runs in the page: opens everything folded (solutions, folded code, dropdowns).
OPEN_JS = """() => {
  document.querySelectorAll('details').forEach(d => { d.open = true; });
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; });
}"""

# Runs in the page after typesetting: marks chapter starts, puts the title page and the
# contents (built in Python) in front of the book.
PREPARE_JS = """(front) => {
  const article = document.querySelector('article.bd-article') || document.body;
  let chapters = 0;
  document.querySelectorAll('span[id^="document-"]').forEach(marker => {
    let section = marker.nextElementSibling;
    while (section && section.tagName !== 'SECTION') section = section.nextElementSibling;
    if (section) { section.classList.add('dc-book-chapter'); chapters += 1; }
  });
  const h1 = article.querySelector('h1');
  const sub = h1 && h1.nextElementSibling;
  if (sub && sub.tagName === 'P' && sub.children.length === 1
      && sub.firstElementChild.tagName === 'EM'
      && sub.textContent.trim() === sub.firstElementChild.textContent.trim()) {
    sub.classList.add('dc-pdf-subtitle-shown');
  }
  const box = document.createElement('div');
  box.id = 'dc-pdf-front';
  box.innerHTML = front;
  article.prepend(box);
  return chapters;
}"""

# Gives each heading of the outline its unique id and links to it from a hidden list (a
# heading is a named destination of the PDF only when some link points at it); returns the
# headings whose text differs from what Python read.
ANCHORS_JS = """(targets) => {
  const sections = document.querySelectorAll('section');
  const hidden = document.createElement('div');
  hidden.id = 'dc-pdf-anchors';
  hidden.style.display = 'none';
  const wrong = [];
  for (const [index, anchor, key] of targets) {
    const section = sections[index];
    const head = section && section.querySelector('h1, h2, h3, h4, h5, h6');
    if (!head) { wrong.push(anchor); continue; }
    const c = head.cloneNode(true);
    c.querySelectorAll('.headerlink, mjx-container, .math').forEach(x => x.remove());
    if (c.textContent.replace(/[^A-Za-z]/g, '').slice(0, 40) !== key) wrong.push(anchor);
    head.id = anchor;
    const a = document.createElement('a');
    a.href = '#' + anchor;
    hidden.appendChild(a);
  }
  document.body.appendChild(hidden);
  return wrong;
}"""

# Writes the page numbers into the contents; returns how many were written.
NUMBERS_JS = """(pages) => {
  let n = 0;
  document.querySelectorAll('#dc-pdf-contents [data-dc-page]').forEach(e => {
    const p = pages[e.getAttribute('data-dc-page')];
    if (p !== undefined) { e.textContent = String(p); n += 1; }
  });
  return n;
}"""

TYPESET_JS = """async () => {
  if (!window.MathJax || !MathJax.startup) return 0;
  await MathJax.startup.promise;
  const doc = MathJax.startup.document;
  if (doc && typeof doc.lazyTypesetAll === 'function') await doc.lazyTypesetAll();
  else if (MathJax.typesetPromise) await MathJax.typesetPromise();
  return document.querySelectorAll('mjx-container').length;
}"""

# Tables keep their words whole on paper: the reader's stylesheet lets a cell break a word
# anywhere (a phone scrolls a wide table instead), which at the printed width split
# "chapt|er" and "Hamilto|nians".  Each table's cells wrap at spaces only; a table then wider
# than the column is scaled down to fit (CSS zoom, not below `smallest`); one that would
# need more keeps breaking words.  Returns (tables scaled, tables left breaking words).
FIT_TABLES_JS = """(smallest) => {
  let scaled = 0, breaking = 0;
  document.querySelectorAll('article table').forEach(table => {
    const cells = table.querySelectorAll('td, th');
    const set = (wrap) => cells.forEach(c => {
      c.style.setProperty('overflow-wrap', wrap, 'important');
      c.style.setProperty('word-break', 'normal', 'important');
    });
    set('normal');
    const box = table.parentElement.getBoundingClientRect().width;
    const width = table.getBoundingClientRect().width;
    if (width <= box + 0.5 || box <= 0) return;
    const zoom = box / width;
    if (zoom >= smallest) { table.style.zoom = String(zoom); scaled += 1; }
    else { set('anywhere'); breaking += 1; }
  });
  return [scaled, breaking];
}"""

# Keeps a block whole on a page only when it is short: the theme keeps every code block,
# admonition and table whole (break-inside: avoid), so a block taller than the space left
# moved to the next page and left the rest of this one empty (a page-long block could not
# be placed at all and left a blank page).  A block up to `limit` CSS pixels tall still
# moves whole; a taller one breaks across pages.  Measured in the print layout (the page
# is laid out at the printed width).
BREAKS_JS = """(limit) => {
  const blocks = document.querySelectorAll(
    'div.highlight, div.literal-block-wrapper, div[class*="highlight-"], .admonition, ' +
    'table, figure, details, .claim-card, .claim-verdict, div.math, .cell_output, ' +
    'mjx-container[display="true"], .sd-card, .sd-dropdown');
  let whole = 0, split = 0;
  blocks.forEach(e => {
    const h = e.getBoundingClientRect().height;
    if (h <= limit) { e.style.setProperty('break-inside', 'avoid', 'important'); whole += 1; }
    else { e.style.setProperty('break-inside', 'auto', 'important'); split += 1; }
  });
  return [whole, split];
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

# --- maths as text ---------------------------------------------------------------------

_SYMBOLS = {
    # Greek
    "alpha": "α", "beta": "β", "gamma": "γ", "delta": "δ", "epsilon": "ϵ",
    "varepsilon": "ε", "zeta": "ζ", "eta": "η", "theta": "θ", "vartheta": "ϑ",
    "iota": "ι", "kappa": "κ", "lambda": "λ", "mu": "μ", "nu": "ν", "xi": "ξ",
    "pi": "π", "rho": "ρ", "varrho": "ϱ", "sigma": "σ", "tau": "τ", "upsilon": "υ",
    "phi": "ϕ", "varphi": "φ", "chi": "χ", "psi": "ψ", "omega": "ω", "Gamma": "Γ",
    "Delta": "Δ", "Theta": "Θ", "Lambda": "Λ", "Xi": "Ξ", "Pi": "Π", "Sigma": "Σ",
    "Upsilon": "Υ", "Phi": "Φ", "Psi": "Ψ", "Omega": "Ω",
    # relations, operators, arrows, dots
    "neq": "≠", "ne": "≠", "le": "≤", "leq": "≤", "ge": "≥", "geq": "≥", "ll": "≪",
    "gg": "≫", "approx": "≈", "sim": "∼", "simeq": "≃", "equiv": "≡", "propto": "∝",
    "times": "×", "cdot": "·", "pm": "±", "mp": "∓", "circ": "∘", "otimes": "⊗",
    "to": "→", "rightarrow": "→", "leftarrow": "←", "leftrightarrow": "↔",
    "Rightarrow": "⇒", "Leftrightarrow": "⇔", "mapsto": "↦", "infty": "∞",
    "partial": "∂", "nabla": "∇", "sum": "∑", "prod": "∏", "int": "∫", "ell": "ℓ",
    "in": "∈", "notin": "∉", "subset": "⊂", "subseteq": "⊆", "cup": "∪", "cap": "∩",
    "emptyset": "∅", "forall": "∀", "exists": "∃", "ldots": "…", "dots": "…",
    "cdots": "⋯", "langle": "⟨", "rangle": "⟩", "mid": "|", "vert": "|", "Vert": "‖",
    "lVert": "‖", "rVert": "‖", "lvert": "|", "rvert": "|", "star": "⋆", "ast": "∗",
    "dagger": "†", "prime": "′", "hbar": "ℏ", "top": "⊤", "perp": "⊥",
    # named functions print as their name
    "log": "log", "ln": "ln", "exp": "exp", "sin": "sin", "cos": "cos", "tanh": "tanh",
    "max": "max", "min": "min", "det": "det", "tr": "tr", "Tr": "Tr", "lim": "lim",
    # spacing
    ",": " ", ";": " ", ":": " ", " ": " ", "quad": " ", "qquad": " ", "!": "",
    # escaped characters
    "{": "{", "}": "}", "%": "%", "#": "#", "&": "&", "_": "_", "$": "$",
}  # fmt: skip
_DROP = {"left", "right", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr",
         "displaystyle", "textstyle", "limits", "nolimits"}  # fmt: skip
_GROUPS = {"mathrm", "mathbf", "mathit", "mathsf", "mathtt", "mathcal", "mathbb",
           "mathfrak", "boldsymbol", "bm", "operatorname", "hat", "bar", "tilde", "vec",
           "dot", "ddot", "overline", "widehat", "widetilde", "underline"}  # fmt: skip
_TEXT = {"text", "textrm", "textit", "textbf", "mbox"}
_SUP = dict(zip("0123456789+-−=()niT", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁻⁼⁽⁾ⁿⁱᵀ", strict=True))
_SUB = dict(
    zip("0123456789+-−=()aeoxhklmnpstijruv", "₀₁₂₃₄₅₆₇₈₉₊₋₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜᵢⱼᵣᵤᵥ", strict=True)
)
_TOKEN = re.compile(r"\\([A-Za-z]+|.)|([{}^_])|(\s+)|(.)", re.S)


def _tokens(tex: str) -> list[tuple[str, str]]:
    out = []
    for m in _TOKEN.finditer(tex):
        if m.group(1) is not None:
            out.append(("cmd", m.group(1)))
        elif m.group(2) is not None:
            out.append((m.group(2), m.group(2)))
        elif m.group(3) is not None:
            out.append(("space", " "))
        else:
            out.append(("char", m.group(4)))
    return out


def _script(text: str, table: dict[str, str], mark: str) -> str:
    text = text.strip()
    if text and all(c in table for c in text):
        return "".join(table[c] for c in text)
    return mark + (text if len(text) == 1 else f"({text})")


def tex_to_text(tex: str) -> str:
    """TeX of an inline formula as plain readable text (Unicode), for bookmarks and contents.

    Greek letters and common operators become their Unicode characters, ``\\frac{a}{b}``
    becomes ``a/b``, font and accent commands keep their argument, super- and subscripts
    become Unicode ones where every character has one (``v^n`` → ``vⁿ``) and ``^x``/``_x``
    otherwise; spacing commands become spaces. No backslash or brace is left.

    Parameters
    ----------
    tex : str
        The TeX source, with or without its ``\\( \\)`` or ``$`` delimiters.

    Returns
    -------
    str
        The formula as text, whitespace collapsed.
    """
    tex = tex.strip()
    for left, right in (("\\(", "\\)"), ("\\[", "\\]"), ("$$", "$$"), ("$", "$")):
        if tex.startswith(left) and tex.endswith(right) and len(tex) >= len(left + right):
            tex = tex[len(left) : len(tex) - len(right)]
            break
    tokens = _tokens(tex)
    pos = 0
    text_mode = 0  # inside \\text{...}: spaces count, as in TeX

    def atom() -> str:
        nonlocal pos, text_mode
        if pos >= len(tokens):
            return ""
        kind, value = tokens[pos]
        pos += 1
        if kind == "{":
            return group()
        if kind == "cmd":
            if value in _DROP:
                return ""
            if value in _TEXT:
                text_mode += 1
                try:
                    return atom()
                finally:
                    text_mode -= 1
            if value in _GROUPS:
                return atom()
            if value in ("frac", "dfrac", "tfrac"):
                num, den = atom(), atom()
                return f"{_wrap(num)}/{_wrap(den)}"
            if value == "sqrt":
                return "√" + _wrap(atom())
            return _SYMBOLS.get(value, value)
        if kind == "}":
            return ""
        if kind == "space":
            return " " if text_mode else ""
        if kind in ("^", "_"):
            arg = atom()
            return _script(arg, _SUP if kind == "^" else _SUB, kind)
        return {"'": "′", "-": "−", "~": " "}.get(value, value)

    def group() -> str:
        nonlocal pos
        parts = []
        while pos < len(tokens) and tokens[pos][0] != "}":
            parts.append(atom())
        pos += 1  # the closing brace
        return "".join(parts)

    parts = []
    while pos < len(tokens):
        parts.append(atom())
    text = "".join(parts).replace("′′", "″")
    text = re.sub(r"\s*([=≠≤≥≈<>→↔≪≫∝∼≡])\s*", r" \1 ", text)  # relations
    text = re.sub(r"(?<=[\w)′″])\s*([−+±×])\s*(?=[\w(√])", r" \1 ", text)  # binary operators
    text = re.sub(r",(?=\S)", ", ", text)
    return re.sub(r"\s+", " ", text).strip()


def _wrap(text: str) -> str:
    """An argument of a fraction or root: bracketed unless it is one symbol or one word."""
    return text if len(text) <= 1 or text.isalnum() else f"({text})"


# --- the book's headings ----------------------------------------------------------------


@dataclass(frozen=True)
class Heading:
    """One heading of the book.

    ``level`` is 1 for a chapter, 2 for a section, 3 for a subsection; ``anchor`` is the
    unique id the PDF gives its heading element (the single-page HTML repeats section ids:
    every chapter has an ``#exercises``); ``section`` is the index of its ``<section>``
    among all of the page's, in document order; ``key`` is its letters without maths, to
    check that the browser found the same heading.
    """

    level: int
    anchor: str
    title: str
    section: int
    key: str


def heading_text(head: Any) -> str:
    """Plain text of a heading element (a BeautifulSoup tag): maths as text, no permalink."""
    head = _copy(head)
    for link in head.select(".headerlink"):
        link.decompose()
    for math in head.select(".math"):
        math.replace_with(" " + tex_to_text(math.get_text()) + " ")
    text = head.get_text(" ")
    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"\s+([,.;:)’”])", r"\1", text)
    text = re.sub(r"([(‘“])\s+", r"\1", text)
    return re.sub(r"(\S)-\s+(?=\S)", r"\1-", text)  # "Large- T" from a split heading


def heading_key(head: Any) -> str:
    """The letters of a heading's text without maths and permalink (as the browser sees it)."""
    head = _copy(head)
    for junk in head.select(".headerlink, .math"):
        junk.decompose()
    return re.sub(r"[^A-Za-z]", "", head.get_text())[:40]


def _copy(tag: Any) -> Any:
    from bs4 import BeautifulSoup

    return BeautifulSoup(str(tag), "html.parser").find(tag.name)


def book_outline(page: Path, depth: int = OUTLINE_DEPTH) -> list[Heading]:
    """The headings of the single-page book, in order, down to ``depth``.

    Chapters are the front page (its first ``<section>``) and every document of the table of
    contents (the ``<section>`` after each ``span#document-…`` marker); sections and
    subsections are their nested ``<section>`` elements with a heading.

    Parameters
    ----------
    page : Path
        ``_build/singlehtml/intro.html``.
    depth : int
        The deepest level kept (1 chapters, 2 sections, 3 subsections).

    Returns
    -------
    list of Heading
        Every heading down to ``depth``, in reading order, each with a unique anchor.
    """
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    index = {id(s): i for i, s in enumerate(soup.find_all("section"))}
    taken = {str(t["id"]) for t in soup.find_all(id=True)}
    article = soup.select_one("article.bd-article") or soup.body
    chapters = []
    first = article.find("section") if article else None
    if first is not None:
        chapters.append(first)
    for marker in soup.select('span[id^="document-"]'):
        section = marker.find_next_sibling("section")
        if section is not None and section not in chapters:
            chapters.append(section)
    out: list[Heading] = []

    def visit(section: Any, level: int) -> None:
        head = section.find(re.compile(r"^h[1-6]$"))
        if head is None:
            return
        base = "pdf-" + str(section.get("id") or f"section-{index[id(section)]}")
        anchor, n = base, 1
        while anchor in taken:
            n += 1
            anchor = f"{base}-{n}"
        taken.add(anchor)
        title, key = heading_text(head), heading_key(head)
        out.append(Heading(level, anchor, title, index[id(section)], key))
        if level < depth:
            for child in section.find_all("section", recursive=False):
                visit(child, level + 1)

    for chapter in chapters:
        visit(chapter, 1)
    return out


# --- front matter -----------------------------------------------------------------------


def book_metadata(page: Path) -> dict[str, str]:
    """Title, subtitle, authors and edition line of the title page.

    Title and authors come from ``_config.yml``; the subtitle is the front page's first
    paragraph when it is a single emphasised line (the intro's "An executable companion
    to …"); the edition line is the build date (``SOURCE_DATE_EPOCH`` when set) and the
    commit the book was built from.
    """
    import yaml
    from bs4 import BeautifulSoup

    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    subtitle = ""
    h1 = soup.select_one("article h1")
    para = h1.find_next_sibling() if h1 else None
    if para is not None and para.name == "p":
        only = [c for c in para.children if str(c).strip()]
        if len(only) == 1 and getattr(only[0], "name", None) == "em":
            subtitle = re.sub(r"\s+", " ", para.get_text()).strip()
    stamp = os.environ.get("SOURCE_DATE_EPOCH")
    when = dt.datetime.fromtimestamp(int(stamp), dt.UTC) if stamp else dt.datetime.now(dt.UTC)
    edition = f"Built {when:%Y-%m-%d}"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        edition += f" from commit {commit}"
    except (OSError, subprocess.CalledProcessError):
        pass
    return {
        "title": str(config.get("title", "")),
        "subtitle": subtitle,
        "authors": str(config.get("author", "")),
        "edition": edition,
    }


def front_matter(meta: dict[str, str], headings: list[Heading]) -> str:
    """HTML of the title page and of the contents (page numbers as fixed-width ``000``)."""
    e = html.escape
    title = (
        '<section id="dc-pdf-title">'
        f'<p class="dc-title">{e(meta["title"])}</p>'
        + (f'<p class="dc-subtitle">{e(meta["subtitle"])}</p>' if meta["subtitle"] else "")
        + f'<p class="dc-authors">{e(meta["authors"])}</p>'
        f'<p class="dc-edition">{e(meta["edition"])}</p></section>'
    )
    items = []
    for h in headings:
        if h.level > CONTENTS_DEPTH:
            continue
        items.append(
            f'<li class="dc-toc-{h.level}"><a href="#{e(h.anchor)}">'
            f'<span class="dc-toc-text">{e(h.title)}</span><span class="dc-toc-leader"></span>'
            f'<span class="dc-toc-page" data-dc-page="{e(h.anchor)}">000</span></a></li>'
        )
    contents = (
        '<nav id="dc-pdf-contents" aria-label="Contents"><h2>Contents</h2><ol>'
        + "".join(items)
        + "</ol></nav>"
    )
    return title + contents


# --- printing ---------------------------------------------------------------------------


def anchor_pages(pdf: bytes, anchors: list[str]) -> dict[str, tuple[int, float]]:
    """Page (1-based) and height on it of each anchor, from the PDF's named destinations."""
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    dests = reader.named_destinations
    out = {}
    for anchor in anchors:
        dest = dests.get("/" + anchor) or dests.get(anchor)
        number = None if dest is None else reader.get_destination_page_number(dest)
        if dest is not None and number is not None:
            out[anchor] = (number + 1, float(dest.get("/Top") or 0))
    return out


def _print(page: Any) -> bytes:
    return page.pdf(
        format="A4",
        print_background=True,
        display_header_footer=True,
        header_template="<div></div>",
        footer_template=FOOTER,
        margin=MARGIN,
        outline=False,
        tagged=TAGGED,
    )


def print_pdf(html_dir: Path, output: Path) -> dict[str, Any]:
    """Print ``html_dir/intro.html`` (the single-page book) to ``output``."""
    from playwright.sync_api import sync_playwright

    page_file = html_dir / "intro.html"
    if not page_file.exists():
        raise SystemExit(f"pdf: no single-page HTML at {page_file}; build it first")
    headings = book_outline(page_file)
    if not headings:
        raise SystemExit(f"pdf: no headings found in {page_file}")
    anchors = [h.anchor for h in headings]
    meta = book_metadata(page_file)
    route = OfflineRoute()
    prints = 0
    with serve(html_dir) as base, sync_playwright() as pw:
        browser = launch(pw)
        try:
            context = browser.new_context(viewport={"width": COLUMN_PX, "height": PAGE_PX})
            context.route("**/*", route)
            page = context.new_page()
            page.set_default_timeout(TIMEOUT_MS)
            page.goto(f"{base}/intro.html", wait_until="load", timeout=TIMEOUT_MS)
            page.add_style_tag(content=PRINT_CSS)
            page.evaluate(OPEN_JS)
            broken = page.evaluate(IMAGES_JS)
            if broken:
                raise SystemExit(f"pdf: images that did not load: {broken[:5]}")
            formulas = page.evaluate(TYPESET_JS)
            targets = [[h.section, h.anchor, h.key] for h in headings]
            wrong = page.evaluate(ANCHORS_JS, targets)
            if wrong:
                raise SystemExit(f"pdf: headings the browser reads differently: {wrong[:5]}")
            chapters = page.evaluate(PREPARE_JS, front_matter(meta, headings))
            page.emulate_media(media="print")
            page.wait_for_timeout(500)
            scaled, breaking = page.evaluate(FIT_TABLES_JS, SMALLEST_TABLE_ZOOM)
            whole, split = page.evaluate(BREAKS_JS, KEEP_WHOLE_PX)
            pages: dict[str, tuple[int, float]] = {}
            data = b""
            for prints in range(1, MAX_PRINTS + 1):
                data = _print(page)
                found = anchor_pages(data, anchors)
                missing = [a for a in anchors if a not in found]
                if missing:
                    raise SystemExit(f"pdf: headings without a destination: {missing[:5]}")
                if prints > 1 and found == pages:
                    break
                pages = found
                page.evaluate(NUMBERS_JS, {a: p for a, (p, _) in pages.items()})
            else:
                raise SystemExit(f"pdf: the contents' page numbers moved in {MAX_PRINTS} prints")
            images = page.evaluate("document.images.length")
        finally:
            browser.close()
    if route.blocked:
        raise SystemExit(f"pdf: the page tried to fetch from the internet: {route.blocked[:5]}")
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_bytes(data)
    write_outline(output, headings, pages, meta)
    return {
        "chapters": chapters,
        "formulas": formulas,
        "images": images,
        "bookmarks": len(headings),
        "prints": prints,
        "whole": whole,
        "tables": (scaled, breaking),
        "split": split,
    }


def write_outline(
    path: Path,
    headings: list[Heading],
    pages: dict[str, tuple[int, float]],
    meta: dict[str, str],
) -> None:
    """Add the bookmarks and the document information to the PDF (an incremental update)."""
    from pypdf import PdfWriter
    from pypdf.generic import Fit, NameObject

    writer = PdfWriter(str(path), incremental=True)
    root = writer.root_object
    if "/Outlines" in root:
        del root[NameObject("/Outlines")]
    parents: list[Any] = []
    # The contents page follows the title page.
    writer.add_outline_item(title="Contents", page_number=1)
    for h in headings:
        page, top = pages[h.anchor]
        level = min(h.level, len(parents) + 1)  # a subsection right under a chapter moves up
        parent = parents[level - 2] if level > 1 else None
        item = writer.add_outline_item(
            title=h.title, page_number=page - 1, parent=parent, fit=Fit.xyz(top=top)
        )
        parents[level - 1 :] = [item]
    writer.add_metadata(
        {
            "/Title": meta["title"],
            "/Author": meta["authors"],
            "/Subject": meta["subtitle"],
        }
    )
    root[NameObject("/PageMode")] = NameObject("/UseOutlines")
    with path.open("wb") as out:
        writer.write(out)


def main(argv: list[str] | None = None) -> int:
    """Build the single-page HTML, print it to PDF, copy it next to the HTML book."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
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
    shown = args.output.relative_to(ROOT) if args.output.is_relative_to(ROOT) else args.output
    print(
        f"pdf: {shown} — {pages} pages, {size:.1f} MiB, {info['chapters']} chapters, "
        f"{info['bookmarks']} bookmarks, {info['formulas']} formulas, {info['images']} images, "
        f"{info['split']} long blocks free to break, {info['tables'][0]} tables scaled to fit "
        f"({info['tables'][1]} too wide), {info['prints']} prints, "
        f"{time.perf_counter() - t0:.0f} s",
        file=sys.stderr,
    )
    return 0


def build_singlehtml() -> Path:
    """Build the single-page HTML of the book into ``_build/singlehtml``."""
    jb = Path(sys.executable).parent / "jupyter-book"
    cmd = [str(jb), "build", str(ROOT), "--builder", "singlehtml"]
    print("pdf: " + " ".join(cmd), file=sys.stderr, flush=True)
    subprocess.run(cmd, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return SINGLEHTML


if __name__ == "__main__":
    sys.exit(main())
