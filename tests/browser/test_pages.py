"""The built book as a reader meets it, in headless Chromium, offline.

Each page of the table of contents is opened once, at desktop width in the light theme,
then narrowed to a phone's width and switched to the dark theme as a reader would (the
theme's button), and every rule is checked at both (no rule here depends on how fast the
machine is: `make bench` measures speed):

* desktop (1400 x 900): the page loads over HTTP from 127.0.0.1 and fetches nothing else;
  on a chapter page the kernel-free widgets weigh little before any move, and each control
  moved shows the render of its state (test_static_widgets.static_widget_checks);
  no error in the console and no uncaught exception; where the source has maths, MathJax
  (served from the book) has typeset it with no TeX error in any formula (the lazy
  typesetter compiles every formula, and renders those near the view); every image
  loads; no code or output block scrolls sideways with every folded block open (text
  output wraps, code keeps lines of 88 characters, ``ruff format`` with
  chapters/ruff.toml); figures have two device pixels per CSS pixel; a screenshot of the
  first screen goes to ``_build/screenshots/``;
* both widths, every folded block open and every formula typeset: no display formula is
  cut off (one wider than its box scrolls inside it), and no word or number of a table,
  heading or caption is broken mid-character;
* phone (390 x 844), in dark mode: the page scrolls only vertically, element by element,
  with every folded block open; figures are sharp there too; the theme has made every
  region that scrolls reachable by keyboard; every kernel-free widget control is at least
  32 px tall and every widget picture's smallest text at least 9 CSS px
  (test_static_widgets.phone_checks);
* both: axe-core finds no violation of WCAG 2.1 A and AA (colour contrast, roles,
  names, ...) in the light (desktop) and the dark (phone) theme, every folded block open.

Link text never contains raw TeX: checked on the HTML files, without a browser.
"""

from __future__ import annotations

import re

import pytest

from cheaplib.plotting import MIN_TEXT_PX
from tools.reader_metrics import (
    BROKEN_WORDS,
    DESKTOP,
    FINISH_ANIMATIONS,
    OPEN_ALL,
    OVERFLOWING_ELEMENTS,
    OVERFLOWING_MATHS,
    PHONE,
    SIDEWAYS_BLOCKS,
    toc_pages,
)

from .conftest import ROOT, OfflinePage
from .test_static_widgets import phone_checks, static_widget_checks, widget_weight_recorder

PAGES = toc_pages()
CHAPTERS = [p for p in PAGES if p.startswith("chapters/")]

# Waits for MathJax's start-up typesetting, then lists the formulas whose compiled MathML
# holds an error (every formula is compiled, lazily typeset or not).
MATH_ERRORS = """async () => {
  if (!window.MathJax || !MathJax.startup || !MathJax.startup.promise) return null;
  await MathJax.startup.promise;
  const doc = MathJax.startup.document;
  const items = Array.from(doc.math);
  const bad = items.filter(m => m.root && /<merror/.test(MathJax.startup.toMML(m.root)))
    .map(m => m.math.slice(0, 60));
  return {count: items.length, bad: bad};
}"""

FIGURE_RATIOS = """() => Array.from(document.querySelectorAll('.bd-article .cell_output img'))
  .filter(i => i.clientWidth > 0 && !i.closest('.cheap-static'))
  .map(i => [i.naturalWidth / i.clientWidth, i.src.split('/').pop()])"""

# axe-core, every WCAG 2.1 A/AA rule, on the whole page, with two savings on its two
# colour rules, which alone lay out a grid of every element of the page (most of axe's
# time: a chapter has 10 000-15 000 highlighted code <span>s, the ledger 16 000 table
# elements):
# * colour-contrast: where axe can decide it from the text's ancestors, its verdict on a
#   text is a function of the text's colour, the background colours under it (its
#   ancestors' down to the first opaque one), font, size and weight, shadow, stroke and
#   opacity: the key below.  A key is checked once per test run (``seen``, kept by the
#   worker across pages and passes).  Only texts axe can fail count: some of the text
#   left without punctuation, two characters or more.  On a page, up to five texts of
#   each new key that are wholly in view, spread over the page, stand for it; the key
#   counts as checked only when axe passes one of them (a representative axe leaves out
#   or cannot decide - covered, disabled - proves nothing); otherwise every other text of
#   the key is checked in a second run.  A new key with no text in view has all its texts
#   checked.  Always checked: form fields (their text is their value), and a text whose
#   background is not its ancestors' (in a fixed, sticky or absolute box with no opaque
#   background of its own below it, under an image, filter or blend, or a colour that
#   is not plain rgb).  A key joins ``seen`` once its page passes.
# * link-in-text-block: a link that axe's own style test (commons.color.elementIsDistinct
#   against its block, as the rule's link-in-text-block-style check does) finds distinct
#   passes that rule whatever its colours, so it is left out of the colour comparison.
# axe-core 4.11's punctuation (commons.text getPunctuationRegExp), which it strips
# before deciding that a text has content to check.
AXE_PUNCTUATION = (
    r"/[\u2000-\u206F\u2E00-\u2E7F\\'!" + '"' + r"#$%&\xa3\xa2\xa5\xa7\u20ac()*+,"
    r"\-.\/:;<=>?@\[\]^_`{|}~\xb1]/g"
)
AXE_RUN = (
    """async (seen) => {
  """
    + FINISH_ANIMATIONS
    + """;  // a fade started since the blocks were opened
  const isBlock = e => { const d = getComputedStyle(e).display;
    return ['block', 'list-item', 'table', 'flex', 'grid', 'inline-block'].includes(d)
      || d.startsWith('table-'); };
  const textOf = e => Array.from(e.childNodes).filter(n => n.nodeType === 3)
    .map(n => n.data).join('');
  // What lies under an element's text, walking up from it (one step per element, each
  // built on its parent's): the background colours down to the first opaque one, the
  // opacity, and whether that is unknowable from the ancestors.
  const under = new Map();
  const below = e => {
    if (!e) return {bgs: [], opacity: 1, filtered: false, unknown: false};
    let u = under.get(e);
    if (u) return u;
    const ps = getComputedStyle(e), up = below(e.parentElement);
    const bg = ps.backgroundColor, painted = bg !== 'rgba(0, 0, 0, 0)';
    u = {opacity: parseFloat(ps.opacity) * up.opacity,
         filtered: up.filtered || ps.filter !== 'none' || ps.mixBlendMode !== 'normal'
                   || ps.backdropFilter !== 'none'};
    if (ps.backgroundImage !== 'none' || (painted && !bg.startsWith('rgb')))
      Object.assign(u, {bgs: [], unknown: true});
    else if (painted && bg.startsWith('rgb(')) Object.assign(u, {bgs: [bg], unknown: false});
    else if (['fixed', 'sticky', 'absolute'].includes(ps.position))
      Object.assign(u, {bgs: [], unknown: true});
    else Object.assign(u, {bgs: (painted ? [bg] : []).concat(up.bgs), unknown: up.unknown});
    under.set(e, u);
    return u;
  };
  const key = e => {
    const cs = getComputedStyle(e), u = below(e);
    if (u.filtered || u.unknown) return null;
    return [cs.color, u.bgs.join('/'), cs.fontFamily, cs.fontSize, cs.fontWeight,
            cs.fontStyle, cs.textShadow, cs.webkitTextFillColor, cs.webkitTextStrokeWidth,
            cs.webkitTextStrokeColor, u.opacity].join('|');
  };
  // Shown and on the page, every line of its text inside its own box and inside each
  // box that clips it (overflow hidden, as axe-core counts clipping).
  const inView = e => {
    if (getComputedStyle(e).visibility !== 'visible') return false;
    const range = document.createRange();
    let rects = [];
    for (const n of e.childNodes) if (n.nodeType === 3 && n.data.trim()) {
      range.selectNodeContents(n); rects.push(...range.getClientRects()); }
    rects = rects.filter(r => r.width >= 1 && r.height >= 1);
    const own = e.getBoundingClientRect();
    if (!rects.length || rects.some(r => r.right < 0 || r.bottom + window.scrollY < 0
        || r.left >= own.right || r.right <= own.left || r.top >= own.bottom
        || r.bottom <= own.top)) return false;
    for (let p = e.parentElement; p; p = p.parentElement) {
      const ps = getComputedStyle(p);
      if (ps.clip !== 'auto' || ps.clipPath !== 'none') return false;
      if (ps.overflow !== 'hidden') continue;
      const b = p.getBoundingClientRect();
      if (rects.some(r => r.left < b.left - 1 || r.right > b.right + 1
                       || r.top < b.top - 1 || r.bottom > b.bottom + 1)) return false;
    }
    return true;
  };
  const describe = n => n.element ? n.element.tagName.toLowerCase() + '.'
    + String(n.element.className).trim().replace(/\\s+/g, '.') + ' "'
    + (n.element.textContent || '').trim().slice(0, 30) + '"' : String(n.target);
  const report = vs => vs.map(v => v.id + ' (' + v.nodes.length + '): '
    + v.nodes.slice(0, 2).map(describe).join('; '));
  const options = {preload: false, elementRef: true, selectors: false, ancestry: false,
                   xpath: false};
  const mark = es => es.forEach(e => e.setAttribute('data-contrast-check', ''));
  const unmark = m => document.querySelectorAll('[' + m + ']')
    .forEach(e => e.removeAttribute(m));
  unmark('data-contrast-check');
  unmark('data-link-distinct');

  // A text axe-core can fail: some of it left without punctuation, and two characters
  // or more (one character, if poor, is "incomplete", never a violation).
  const punctuation = """
    + AXE_PUNCTUATION
    + """;
  const failable = text => { const t = text.trim().replace(/\\s+/g, ' ');
    return t.length > 1 && t.replace(punctuation, '').trim() !== ''; };
  const known = new Set(seen), inview = new Map(), rest = new Map(), always = [];
  const add = (m, k, e) => { if (!m.has(k)) m.set(k, []); m.get(k).push(e); };
  for (const e of document.body.querySelectorAll('*')) {
    if (e.matches('input, select, textarea')) { always.push(e); continue; }
    const text = textOf(e);
    if (!failable(text)) continue;
    const k = key(e);
    if (k === null) { always.push(e); continue; }
    if (known.has(k)) continue;
    add(inView(e) ? inview : rest, k, e);
  }
  const reps = new Map();  // up to five texts in view, spread over the page, per new key
  for (const [k, texts] of inview) {
    const n = Math.min(5, texts.length);
    const picked = new Set(Array.from({length: n}, (_, i) =>
      texts[Math.floor(i * (texts.length - 1) / Math.max(n - 1, 1))]));
    reps.set(k, Array.from(picked));
    texts.filter(e => !picked.has(e)).forEach(e => add(rest, k, e));
  }
  for (const [k, texts] of rest) if (!reps.has(k)) always.push(...texts);
  mark(always);
  reps.forEach(mark);
  for (const a of document.querySelectorAll('a[href], [role=link]')) {
    if (isBlock(a)) continue;
    let block = a.parentElement;
    while (block && !isBlock(block)) block = block.parentElement;
    if (block && axe.commons.color.elementIsDistinct(a, block))
      a.setAttribute('data-link-distinct', '');
  }
  axe.configure({rules: [
    {id: 'color-contrast', selector: '[data-contrast-check]'},
    {id: 'link-in-text-block', selector:
       'a[href]:not([data-link-distinct]), [role=link]:not([data-link-distinct])'}]});
  const tags = {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']};
  const result = await axe.run(document, {...options, runOnly: tags,
                                          resultTypes: ['violations', 'passes']});
  const passed = new Set(result.passes.filter(r => r.id === 'color-contrast')
    .flatMap(r => r.nodes.map(n => n.element)));
  const checked = [], unproven = [];
  for (const [k, r] of reps) (r.some(e => passed.has(e)) ? checked : unproven).push(k);
  const found = report(result.violations);
  if (unproven.length) {  // every other text of those keys, as an unsampled run would
    unmark('data-contrast-check');
    unproven.forEach(k => mark(rest.get(k) || []));
    const again = await axe.run(document, {...options, resultTypes: ['violations'],
      runOnly: {type: 'rule', values: ['color-contrast']}});
    found.push(...report(again.violations));
  }
  return {found: found, keys: checked};
}"""
)

# The icons the reader sees (header buttons, theme switch) and whether Font Awesome's web
# font drew them: the theme's icon script is replaced by a comment (_reader/reader.py).
ICONS = """async () => {
  await document.fonts.ready;
  const shown = Array.from(document.querySelectorAll('i.fa-solid, i.fas'))
    .filter(i => i.getClientRects().length > 0);
  const blank = shown.filter(i => {
    const c = getComputedStyle(i, '::before').content;
    return !c || c === 'none' || c === 'normal' || i.getBoundingClientRect().width < 4;
  }).map(i => i.className);
  const loaded = Array.from(document.fonts)
    .filter(f => /Font Awesome/.test(f.family) && f.status === 'loaded').length;
  return {shown: shown.length, blank: blank, loaded: loaded};
}"""

LOAD_ALL_IMAGES = """async () => {
  const imgs = Array.from(document.images);
  imgs.forEach(i => { i.loading = 'eager'; });
  await Promise.all(imgs.map(i => i.decode().catch(() => null)));
  return imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.src);
}"""


def _source(page_name: str):
    for suffix in (".md", ".ipynb"):
        path = ROOT / (page_name + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(page_name)


def _open(p: OfflinePage, url: str):
    response = p.page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"HTTP {response and response.status}"
    return p.page


def _assert_fits(page, page_name: str, width: int) -> None:
    cut = page.evaluate(OVERFLOWING_MATHS)
    assert not cut, f"{page_name} at {width} px: display maths cut off: {cut}"
    broken = page.evaluate(BROKEN_WORDS)
    assert not broken, f"{page_name} at {width} px: words broken mid-character: {broken}"


def _axe(page, axe_source: str, seen: set[str]) -> list[str]:
    """AXE_RUN on the page as it is: the violations found; ``seen`` gains the colour
    keys it checked when there are none."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(content=axe_source)
    result = page.evaluate(AXE_RUN, sorted(seen))
    if not result["found"]:
        seen.update(result["keys"])
    return result["found"]


def _assert_accessible(page, page_name: str, mode: str, axe_source: str, seen) -> None:
    found = _axe(page, axe_source, seen)
    assert not found, f"axe-core on {page_name} ({mode}): {found}"


def _assert_sharp(page_name: str, ratios: list, width: int) -> None:
    assert ratios, f"{page_name} shows no figure"
    blurry = [(round(r, 2), src[:16]) for r, src in ratios if r < 1.9]
    assert not blurry, (
        f"figures of {page_name} with fewer than 2 pixels per CSS pixel at {width} px "
        f"(re-execute the notebook: cheaplib.plotting figures are 2x): {blurry}"
    )


def test_toc_lists_the_chapters():
    on_disk = sorted(f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
    assert sorted(CHAPTERS) == on_disk


def _to_phone_in_dark_mode(page) -> None:
    """The loaded page as a phone shows it, in the dark theme, as a reader gets there.

    The window narrows to the phone's width; the browser reports a dark colour scheme and
    the theme's switch button is pressed (from light, one press gives dark). Then the
    page settles: the colour transitions end, and the theme's resize handler has marked
    every region that now scrolls as reachable by keyboard (tabindex 0), as it does on a
    page opened at that width.
    """
    page.set_viewport_size({"width": PHONE[0], "height": PHONE[1]})
    page.emulate_media(color_scheme="dark")
    page.evaluate("document.querySelector('.theme-switch-button').click()")
    page.wait_for_function(
        """(sel) => document.documentElement.dataset.theme === 'dark'
          && Array.from(document.querySelectorAll(sel)).every(e =>
               (e.scrollWidth > e.clientWidth || e.scrollHeight > e.clientHeight)
               === (e.tabIndex === 0))""",
        arg=SCROLLERS,
        timeout=30_000,
    )
    page.evaluate(FINISH_ANIMATIONS)


# What the theme (pydata-sphinx-theme) makes focusable when it scrolls, on load and resize.
SCROLLERS = (
    "pre, .nboutput > .output_area, .cell_output > .output, .jp-RenderedHTMLCommon, "
    ".pst-scrollable-table-container"
)


@pytest.mark.browser
@pytest.mark.parametrize("page_name", PAGES)
def test_page_at_desktop_width_then_phone_width_in_dark_mode(
    page_name, book_server, browser, axe_source, built_book, contrast_seen
):
    p = OfflinePage(browser, viewport=DESKTOP)
    widget_files, record = widget_weight_recorder()
    p.page.on("response", record)
    errors: list[str] = []
    p.page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    p.page.on("pageerror", lambda e: errors.append(f"uncaught: {e}"))
    p.page.on(
        "response",
        lambda r: errors.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None,
    )
    try:
        # desktop, light
        page = _open(p, f"{book_server}/{page_name}.html")
        if page_name in CHAPTERS:  # the kernel-free widgets: their weight, then every move
            static_widget_checks(page, page_name, book_server, built_book, widget_files)
        maths = page.evaluate(MATH_ERRORS)
        if "$" in _source(page_name).read_text(encoding="utf-8"):
            assert maths is not None, f"{page_name} has maths but loads no MathJax"
            assert maths["count"] > 0, f"{page_name}: MathJax found no formula"
            assert not maths["bad"], f"{page_name}: TeX errors in {maths['bad'][:5]}"
            assert page.locator("mjx-container").count() > 0, "no formula typeset"
        assert "$$" not in page.inner_text("article"), "raw $$ left on the page"
        broken = page.evaluate(LOAD_ALL_IMAGES)
        assert not broken, f"images that did not load: {broken}"
        icons = page.evaluate(ICONS)
        assert icons["shown"] > 0 and not icons["blank"] and icons["loaded"] > 0, (
            f"{page_name}: header icons not drawn by Font Awesome's web font: {icons}"
        )
        shots = ROOT / "_build" / "screenshots"
        shots.mkdir(parents=True, exist_ok=True)
        page.evaluate("window.scrollTo(0, 0)")
        page.screenshot(path=str(shots / (page_name.replace("/", "_") + ".png")))
        if page_name in CHAPTERS:
            _assert_sharp(page_name, page.evaluate(FIGURE_RATIOS), DESKTOP[0])
        page.evaluate(OPEN_ALL)
        _assert_fits(page, page_name, DESKTOP[0])
        wide = page.evaluate(SIDEWAYS_BLOCKS)
        assert not wide, (
            f"{len(wide)} code/output blocks of {page_name} scroll sideways at {DESKTOP[0]} "
            f"px (run `ruff format` on the notebook: 88 columns): {wide[:6]}"
        )
        _assert_accessible(page, page_name, "light", axe_source, contrast_seen)

        # phone, dark: the same page narrowed and switched
        _to_phone_in_dark_mode(page)
        assert page.evaluate("document.documentElement.dataset.theme") == "dark"
        if page_name in CHAPTERS:
            _assert_sharp(page_name, page.evaluate(FIGURE_RATIOS), PHONE[0])
        width = page.evaluate("() => document.documentElement.scrollWidth")
        # Element by element too: a section laid out lazily (content-visibility) clips
        # what sticks out of it instead of widening the page.
        culprits = page.evaluate(OVERFLOWING_ELEMENTS)
        assert width <= PHONE[0] and not culprits, (
            f"{page_name} is {width} px wide at {PHONE[0]} px: {culprits}"
        )
        _assert_fits(page, page_name, PHONE[0])
        if page_name in CHAPTERS:  # the kernel-free widgets, as a thumb and eyes meet them
            short, measured = phone_checks(page, page_name)
            assert not short, f"controls under 32 px tall at {PHONE[0]} px: {short}"
            small = {k: v for k, v in measured.items() if v < MIN_TEXT_PX}
            assert not small, f"widget text under {MIN_TEXT_PX} px at {PHONE[0]} px: {small}"
            print(f"{page_name}: smallest widget text at {PHONE[0]} px (CSS px): {measured}")
        _assert_accessible(page, page_name, "dark", axe_source, contrast_seen)
        assert not errors, f"console errors on {page_name}: {errors}"
        assert not p.blocked, f"the page tried to fetch: {p.blocked}"
    finally:
        p.close()


def _axe_on(page, axe_source: str, body: str, seen: set[str], style: str = "") -> list[str]:
    page.set_content(
        '<html lang="en"><head><title>t</title><style>.highlight{background:#f8f8f8}'
        ".n{color:#222}.o{color:#333}.mf{color:#c8c8c8}" + style + "</style></head><body>"
        f"<main>{body}</main></body></html>"
    )
    return _axe(page, axe_source, seen)


@pytest.mark.browser
@pytest.mark.parametrize("where", ["code", "table", "prose"])
def test_axe_sees_one_sampled_element_of_low_contrast(offline_page, axe_source, where):
    """The sampling of AXE_RUN still finds the one element class of poor contrast."""
    if where == "code":
        cells = "".join(
            f'<span class="n">name{i}</span> <span class="o">=</span> ' for i in range(300)
        )
        body = f'<div class="highlight"><pre>{cells}<span class="mf">0.5</span></pre></div>'
    elif where == "table":
        rows = "".join(
            f"<tr><td><p>{i}</p></td><td><code>x{i}</code></td></tr>" for i in range(300)
        )
        body = f'<table><tbody>{rows}<tr><td><p class="mf">0.5</p></td></tr></tbody></table>'
    else:
        body = "".join(f"<p>Paragraph {i} <em>of</em> prose.</p>" for i in range(300))
        body += '<p>The last one <span class="mf">is pale</span>.</p>'
    found = _axe_on(offline_page.page, axe_source, body, set())
    assert any(f.startswith("color-contrast (1)") for f in found), found


@pytest.mark.browser
def test_a_colour_key_is_checked_once_per_run_and_a_new_one_on_any_page(offline_page, axe_source):
    """Keys checked on one page are left out on the next; a key new there is checked."""
    page, seen = offline_page.page, set()
    prose = "".join(f'<p>Text {i} <span class="n">name</span></p>' for i in range(50))
    assert _axe_on(page, axe_source, prose, seen) == []
    assert len(seen) == 2, seen  # the paragraphs' key and the spans'
    first = set(seen)
    found = _axe_on(page, axe_source, prose + '<p><span class="mf">pale</span></p>', seen)
    assert any(f.startswith("color-contrast (1)") for f in found), found
    assert seen == first  # a page that fails adds nothing


@pytest.mark.browser
def test_text_not_in_view_or_without_its_own_background_is_still_checked(offline_page, axe_source):
    """A new key whose texts are all clipped is checked on every text of it, and a text in
    a fixed box with no background of its own is checked though its key was seen."""
    page, seen = offline_page.page, set()
    clipped = (
        '<div style="width:200px;overflow:auto"><pre style="width:max-content">'
        + "x" * 80
        + ' <span class="mf">pale, out of view</span></pre></div>'
    )
    found = _axe_on(page, axe_source, clipped, seen)
    assert any(f.startswith("color-contrast") for f in found), found

    assert _axe_on(page, axe_source, '<p class="n">dark text on white</p>', seen) == []
    over_dark = (
        '<div style="position:absolute;top:0;left:0;width:300px;height:40px;'
        'background:#111"></div>'
        '<p class="n" style="position:fixed;top:0;left:0;margin:0">dark text on black</p>'
    )
    found = _axe_on(page, axe_source, over_dark, seen)
    assert any(f.startswith("color-contrast") for f in found), found


# Texts a sampled run could pass over: each holds one text of poor contrast (#b0b0b0 on
# white) that axe-core's full, unsampled run reports (the reference, checked here too).
TRAPS = {
    "one-letter first text": '<pre><span class="z">x</span> = <span class="z">name</span></pre>',
    "punctuation first": '<p><span class="z">(</span> and <span class="z">words</span></p>',
    "text field": '<p>Name <input value="hello there" class="z" style="border:1px solid"></p>',
    "select": '<p>Pick <select class="z"><option>first option</option></select></p>',
    "first text covered": '<div style="position:relative"><p><span class="z">covered text'
    '</span></p><div style="position:absolute;top:0;left:0;width:40px;height:10px;'
    'background:#fff"></div></div><p><span class="z">other text</span></p>',
    "label of a disabled control": '<p><span id="lab" class="z">label text</span> <button '
    'disabled aria-labelledby="lab">b</button></p><p><span class="z">plain text</span></p>',
    "translucent colour() background": '<div style="background:#fff"><p class="tint"><span '
    'class="w">first</span></p></div><div style="background:#777"><p class="tint"><span '
    'class="w">second</span></p></div>',
}
FULL_COLOUR_RUN = """async () => {
  axe.reset();  // the sampled run's configuration gone
  const result = await axe.run(document, {resultTypes: ['violations'],
                                          runOnly: {type: 'rule', values: ['color-contrast']}});
  return result.violations.map(v => v.id);
}"""


@pytest.mark.browser
@pytest.mark.parametrize("trap", sorted(TRAPS))
def test_the_sampled_run_reports_what_a_full_run_does(offline_page, axe_source, trap):
    """Whatever text stands first for a key, a text of poor contrast is still reported."""
    page = offline_page.page
    style = ".z{color:#b0b0b0;background:#fff}.w{color:#595959}" + (
        ".tint{background:color(srgb 1 1 1 / 0.3)}"
    )
    body = "".join(f"<p>Filler paragraph {i}.</p>" for i in range(3)) + TRAPS[trap]
    found = _axe_on(page, axe_source, body, set(), style)
    assert page.evaluate(FULL_COLOUR_RUN) == ["color-contrast"], "the trap is no trap"
    assert any(f.startswith("color-contrast") for f in found), found


@pytest.mark.browser
def test_links_axe_finds_distinct_are_left_out_of_the_link_colour_rule(offline_page, axe_source):
    """An underlined link passes link-in-text-block by its style; a link told apart only
    by a colour too close to its text's is still found."""
    page = offline_page.page
    para = "<p>Some words, then <a href='#x' style='color:#333;{}'>a link</a>, then more.</p>"
    style = "p{color:#222} a{text-decoration:none}"
    assert _axe_on(page, axe_source, para.format("text-decoration:underline"), set(), style) == []
    found = _axe_on(page, axe_source, para.format(""), set(), style)
    assert any(f.startswith("link-in-text-block") for f in found), found


@pytest.mark.browser
def test_the_dark_pass_sees_colours_only_the_dark_theme_has(offline_page, axe_source):
    """After the switch, axe reads the dark theme's colours (old marks and fades gone)."""
    page, seen = offline_page.page, set()
    page.set_content(
        '<html lang="en" data-theme="light"><head><title>t</title><style>'
        "p { color: #111; background: #fff; transition: color 30s, background 30s }"
        "html[data-theme=dark] p { color: #333; background: #000 }</style></head><body>"
        "<button class='theme-switch-button' onclick=\"document.documentElement"
        ".dataset.theme = 'dark'\">mode</button><main><p>text</p>"
        "<pre>x = 1</pre></main></body></html>"
    )
    assert _axe(page, axe_source, seen) == []
    _to_phone_in_dark_mode(page)
    found = _axe(page, axe_source, seen)
    assert any(f.startswith("color-contrast") for f in found), found


@pytest.mark.browser
def test_opening_folded_blocks_ends_their_fade_in(offline_page):
    """OPEN_ALL leaves no block half-faded, whatever the machine's speed (axe reads colours)."""
    page = offline_page.page
    page.set_content(
        "<html><head><style>@keyframes fade { from { opacity: 0 } to { opacity: 1 } }"
        "details[open] .inner { animation: fade 60s }</style></head><body>"
        '<details><summary>code</summary><div class="inner">x = 1</div></details>'
        "</body></html>"
    )
    page.evaluate(OPEN_ALL)
    opacity = page.evaluate("getComputedStyle(document.querySelector('.inner')).opacity")
    assert opacity == "1", opacity


def test_no_icon_script(built_book):
    """The theme's 1.5 MB Font Awesome script is replaced by a comment (icons are a font)."""
    script = built_book / "_static" / "scripts" / "fontawesome.js"
    assert script.exists(), "the pages load _static/scripts/fontawesome.js: it must exist"
    size = script.stat().st_size
    assert size < 2_000, f"fontawesome.js is {size} bytes: the theme's script is back"


# --- link text, on the HTML files --------------------------------------------------------

RAW_TEX = re.compile(r"\\[A-Za-z]+|\$|\\[(\[]")


def _link_texts(path) -> list[str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    article = soup.find("article") or soup
    texts = []
    for a in article.find_all("a"):
        for math in a.select(".math"):  # maths MathJax typesets: fine inside a link
            math.decompose()
        text = a.get_text(" ", strip=True)
        if text:
            texts.append(text)
    return texts


@pytest.mark.parametrize("page_name", PAGES)
def test_link_text_has_no_raw_tex(page_name, built_book):
    path = built_book / f"{page_name}.html"
    bad = [t for t in _link_texts(path) if RAW_TEX.search(t)]
    assert not bad, (
        f"links of {page_name} whose text shows raw TeX (give {{ref}} explicit text, "
        f"e.g. {{ref}}`the bias <sec-label>`): {bad}"
    )


def test_the_punctuation_is_axe_cores_own(axe_source):
    """A text left out as punctuation only is one axe-core itself would not check."""
    assert AXE_PUNCTUATION in axe_source
