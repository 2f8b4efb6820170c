"""The whole-book PDF (``make pdf``): complete, printable, navigable and light.

Reads ``_build/pdf/deep-and-cheap.pdf`` (its text with poppler's ``pdftotext``, its pages as
small grey pictures with ``pdftoppm``, its outline and images with pypdf) and checks it
against the single-page HTML it was printed from (``_build/singlehtml/intro.html``):

* a title page (the book's title and authors from ``_config.yml``, the subtitle of the
  front page, the build date);
* a contents page whose page numbers are the pages where the chapters and sections start
  (and the pages their bookmarks open);
* bookmarks: one per chapter and section heading, none repeated or doubled, maths as text,
  words separated as in the HTML;
* every chapter's title in the text, every exercise solution printed, no word of a table
  broken across lines;
* the images the book shows and no others (no rasterised shadow masks), under
  :data:`MAX_MB` MB;
* pages filled: at most :data:`MAX_UNDERFULL` of the pages less than half full, apart from
  the page before a chapter starts;
* the copy the HTML book links to (``_build/html/deep-and-cheap.pdf``) is the same file.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
import unicodedata
from functools import cache
from pathlib import Path

import numpy as np
import pytest
import yaml

# One worker reads the PDF (its pages and text are cached per process).
pytestmark = pytest.mark.xdist_group("pdf")

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "deep-and-cheap.pdf"
SINGLEHTML = ROOT / "_build" / "singlehtml" / "intro.html"
HTML_COPY = ROOT / "_build" / "html" / "deep-and-cheap.pdf"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
MIN_PAGES_PER_CHAPTER = 5
MAX_MB = 15
#: Share of pages allowed to be less than half full (the page before a chapter aside).
MAX_UNDERFULL = 0.05
#: The printed page's margins (tools/pdf.py): the fill of a page is measured between them.
TOP_MM, BOTTOM_MM, PAGE_MM = 16, 18, 297


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)  # ligatures: "ﬁ" -> "fi"
    text = re.sub(r"-\s*\n\s*", "", text)  # words hyphenated across lines
    return re.sub(r"\s+", " ", text).strip().lower()


def _letters(text: str) -> str:
    """Lower-case words of plain letters, one space apart (maths and punctuation gone)."""
    return " ".join(re.findall(r"[a-z]+", _norm(text)))


def _in_order(words: str, text: str) -> bool:
    """Whether the plain words of ``words`` appear in ``text`` in the same order."""
    have = iter(_letters(text).split())
    return all(any(w == h for h in have) for w in _letters(words).split())


def _find_near(words: list[str], text: list[str], slack: int) -> int:
    """Index in ``text`` where ``words`` start, in order with at most ``slack`` words between
    them (maths printed inside a heading); -1 when they are not there."""
    for start, word in enumerate(text):
        if word != words[0]:
            continue
        have = iter(text[start : start + len(words) + slack])
        if all(any(w == h for h in have) for w in words):
            return start
    return -1


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        pytest.fail(f"no {name}: run tools/ensure_system_tools.sh", pytrace=False)
    return path


@cache
def _reader():
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF.relative_to(ROOT)}: run `make pdf`", pytrace=False)
    from pypdf import PdfReader

    return PdfReader(PDF)


@cache
def _page_texts(layout: bool = False) -> tuple[str, ...]:
    """The text of each page (poppler's pdftotext: seconds, where pypdf takes minutes)."""
    _reader()  # fails clearly when there is no PDF
    cmd = [_tool("pdftotext"), "-enc", "UTF-8", *(["-layout"] if layout else []), str(PDF), "-"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True)
    return tuple(out.stdout.split("\f"))


@cache
def _text() -> str:
    return _norm(" ".join(_page_texts()))


@cache
def _soup():
    from bs4 import BeautifulSoup

    if not SINGLEHTML.exists():
        pytest.fail("no single-page HTML: run `make pdf`", pytrace=False)
    return BeautifulSoup(SINGLEHTML.read_text(encoding="utf-8"), "html.parser")


def _heading_text(head, maths: bool = True) -> str:
    """A heading's text without its permalink sign (and without its maths if not ``maths``)."""
    from bs4 import BeautifulSoup

    head = BeautifulSoup(str(head), "html.parser").find(head.name)
    for junk in head.select(".headerlink" if maths else ".headerlink, .math"):
        junk.decompose()
    return re.sub(r"\s+", " ", head.get_text(" ")).strip()


@cache
def _book_headings() -> tuple[tuple[int, object], ...]:
    """(level, heading tag) of every chapter (1) and section (2) heading of the HTML book.

    Chapters: the front page and the section after each ``span#document-…`` marker;
    sections: their child ``<section>`` elements.
    """
    soup = _soup()
    chapters = [soup.select_one("article section")]
    for marker in soup.select('span[id^="document-"]'):
        section = marker.find_next_sibling("section")
        if section is not None:
            chapters.append(section)
    out = []
    for chapter in chapters:
        out.append((1, chapter.find(re.compile(r"^h[1-6]$"))))
        for sub in chapter.find_all("section", recursive=False):
            head = sub.find(re.compile(r"^h[1-6]$"))
            if head is not None:
                out.append((2, head))
    return tuple(out)


def _chapter_titles() -> list[str]:
    titles = []
    for marker in _soup().select('span[id^="document-chapters/"]'):
        section = marker.find_next_sibling("section")
        head = section.find(["h1", "h2"]) if section else None
        if head:
            titles.append(_heading_text(head))
    return titles


@cache
def _bookmarks() -> tuple[tuple[tuple[str, ...], int], ...]:
    """Every bookmark as (path of titles from the top level, 1-based page)."""
    reader = _reader()
    out = []

    def walk(items, path: tuple[str, ...]) -> None:
        last: tuple[str, ...] = path
        for item in items:
            if isinstance(item, list):
                walk(item, last)
            else:
                last = (*path, item.title)
                out.append((last, reader.get_destination_page_number(item) + 1))

    walk(reader.outline, ())
    return tuple(out)


@cache
def _contents() -> tuple[tuple[str, int], ...]:
    """The contents page's entries, (title, page number), read from the laid-out text.

    The contents starts on the page after the title page and ends before the page its first
    entry points at.
    """
    pages = _page_texts(layout=True)
    entries: list[tuple[str, int]] = []
    line = re.compile(r"^\s*(\S.*?\S)\s{2,}(\d+)\s*$")
    for index in range(1, len(pages)):
        if entries and index + 1 >= entries[0][1]:
            break
        pending = ""  # a title that wrapped onto the next line
        for text in pages[index].splitlines():
            m = line.match(text)
            if m:
                entries.append(((pending + " " + m.group(1)).strip(), int(m.group(2))))
                pending = ""
            elif text.strip() and _norm(text) != "contents":
                pending = (pending + " " + text.strip()).strip()
    return tuple(entries)


def _images(obj, seen: set, masks: list) -> int:
    """Image XObjects under a resource dictionary, through nested forms, each counted once.

    Soft masks of the graphics states (how Chromium prints a shadow) are collected in
    ``masks``.
    """
    count = 0
    resources = obj.get("/Resources") or {}
    for ref in (resources.get("/ExtGState") or {}).values():
        state = ref.get_object()
        mask = state.get("/SMask")
        if mask is not None and mask != "/None":
            masks.append(mask)
    for ref in (resources.get("/XObject") or {}).values():
        key = getattr(ref, "idnum", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        x = ref.get_object()
        if x.get("/Subtype") == "/Image":
            count += 1
        elif x.get("/Subtype") == "/Form":
            count += _images(x, seen, masks)
    return count


def _plain_runs(element, words: int = 5) -> list[str]:
    """Runs of ``words`` consecutive plain words (no maths, no code, no glued numbers).

    Every such run of every paragraph: the text order pdftotext reads around tall inline
    maths can split one run, rarely all of them.
    """
    for junk in element.select(".math, code, pre, mjx-container, summary, .pasted-text"):
        junk.replace_with(" \u00a7 ")  # a break: the words around it are not adjacent
    runs = []
    for para in element.find_all(["p", "li"]):
        run: list[str] = []
        for t in para.get_text(" ", strip=True).split():
            if re.fullmatch(r"[A-Za-z][a-z]+[,;:]?", t):
                run.append(t.rstrip(",;:"))
                if len(run) == words:
                    runs.append(" ".join(run))
                    run = []
            else:
                run = []
    return runs


@cache
def _fill() -> tuple[float, ...]:
    """How far down each page its content reaches, as a share of the printed area's height.

    Each page is rendered small and grey (``pdftoppm``); the lowest row with ink between the
    top and bottom margins (the footer sits below) is where the page's content ends.
    """
    _reader()
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [_tool("pdftoppm"), "-r", "20", "-gray", str(PDF), f"{tmp}/p"]
        subprocess.run(cmd, check=True)
        fills = []
        for file in sorted(Path(tmp).glob("p-*.pgm"), key=lambda f: int(f.stem[2:])):
            magic, width, height, _, pixels = file.read_bytes().split(maxsplit=4)
            assert magic == b"P5"
            w, h = int(width), int(height)
            image = np.frombuffer(pixels[-w * h :], np.uint8).reshape(h, w)
            top = round(TOP_MM / PAGE_MM * h)
            bottom = round((PAGE_MM - BOTTOM_MM) / PAGE_MM * h)
            rows = np.flatnonzero((image[top:bottom] < 240).any(axis=1))
            fills.append(0.0 if rows.size == 0 else (rows[-1] + 1) / (bottom - top))
    return tuple(fills)


def test_the_pdf_has_pages_for_every_chapter():
    pages = len(_reader().pages)
    assert pages >= MIN_PAGES_PER_CHAPTER * len(CHAPTERS), f"only {pages} pages"


def test_the_title_page_names_the_book_its_authors_and_its_date():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    title_page = _page_texts()[0]
    text = _norm(title_page)
    assert _norm(config["title"]) in text, title_page
    assert _norm(config["author"]) in text, title_page
    h1 = _soup().select_one("article h1")
    subtitle = h1.find_next_sibling("p") if h1 else None
    assert subtitle is not None and subtitle.em is not None, "the front page has no subtitle"
    assert _letters(subtitle.get_text()) in _letters(title_page)
    assert re.search(r"\b20\d\d-\d\d-\d\d\b", title_page), f"no build date: {title_page!r}"
    assert "contents" not in text, "the title page is a page of its own"


def test_the_contents_give_the_pages_where_chapters_and_sections_start():
    entries = _contents()
    assert "contents" in _norm(_page_texts()[1]), "the contents follow the title page"
    pages = _page_texts()
    headings = _book_headings()
    assert len(entries) == len(headings), (len(entries), len(headings))
    for (title, page), (level, head) in zip(entries, headings, strict=True):
        expected = _heading_text(head, maths=False)
        assert _in_order(expected, title), (title, expected)
        assert 1 < page <= len(pages), (title, page)
        # The heading is printed on that page (its first words; maths aside), a chapter's
        # at the top of its page.
        words = _letters(expected).split()[:6]
        at = _find_near(words, _letters(pages[page - 1]).split(), 3 * len(head.select(".math")))
        assert at >= 0, f"{title!r}: not on page {page}"
        if level == 1:
            assert at < 40, f"{title!r}: not at the top of page {page}"
    chapters = {_letters(t): p for t, p in entries}
    for title in _chapter_titles():
        assert _letters(title) in chapters, f"chapter {title!r} not in the contents"


def test_bookmarks_one_per_heading_unrepeated_words_apart_no_tex():
    marks = _bookmarks()
    assert marks, "the PDF has no bookmarks"
    paths = [path for path, _ in marks]
    assert len(set(paths)) == len(paths), "a bookmark is repeated"
    titles = [path[-1] for path in paths]
    doubled = [t for t in titles if re.fullmatch(r"(.{3,}?)\s*\1", t)]
    assert not doubled, f"bookmarks whose text is printed twice: {doubled}"
    numbered_twice = [t for t in titles if re.match(r"^(\d+(\.\d+)*\.)\s+\1", t)]
    assert not numbered_twice, numbered_twice
    tex = [t for t in titles if re.search(r"[\\{}$]", t)]
    assert not tex, f"bookmarks with TeX in them: {tex}"
    # Words as in the HTML headings: a word glued to the next one is not a word there.
    vocabulary: set[str] = set()
    for head in _soup().find_all(re.compile(r"^h[1-6]$")):
        vocabulary.update(re.findall(r"[a-z]+", _norm(_heading_text(head, maths=False))))
    glued = [t for t in titles for w in re.findall(r"[a-z]{2,}", t.lower()) if w not in vocabulary]
    assert not glued, f"bookmarks with words run together: {glued[:10]}"
    # One bookmark per chapter and section heading, in the book's order.
    top = [(len(path), path[-1]) for path, _ in marks if len(path) <= 2]
    top = [(level, title) for level, title in top if title != "Contents"]
    headings = _book_headings()
    assert len(top) == len(headings), (len(top), len(headings))
    for (level, title), (want, head) in zip(top, headings, strict=True):
        assert level == want, (title, level, want)
        assert _in_order(_heading_text(head, maths=False), title), (title, head)
        formulas = head.select(".math")
        if formulas:  # maths became text: the title is longer than its words alone
            plain = _heading_text(head, maths=False)
            assert len(title.replace(" ", "")) >= len(plain.replace(" ", "")) + len(formulas), (
                f"maths lost from the bookmark {title!r}"
            )


def test_bookmarks_and_contents_agree():
    marks = [(_letters(path[-1]), page) for path, page in _bookmarks() if len(path) <= 2]
    assert marks[0] == ("contents", 2), marks[0]
    assert marks[1:] == [(_letters(t), p) for t, p in _contents()]


def test_every_chapter_is_in_the_text():
    titles = _chapter_titles()
    assert len(titles) == len(CHAPTERS), titles
    text = _text()
    missing = [t for t in titles if _norm(re.sub(r"^\d+\.\s*", "", t)) not in text]
    assert not missing, f"chapter titles missing from the PDF text: {missing}"


def test_folded_solutions_are_printed():
    solutions = [
        d
        for d in _soup().find_all("details")
        if d.find("summary") and "solution" in d.find("summary").get_text().lower()
    ]
    assert solutions, "the book has no folded solutions"

    def words(t: str) -> str:  # punctuation and spacing differ between HTML and PDF text
        return " ".join(re.sub(r"[^a-z0-9]+", " ", _norm(t)).split())

    text = words(_text())
    tokens = text.split()

    def printed(run: str) -> bool:
        # pdftotext may read the lines around tall inline maths out of order: a run counts
        # when its first three words are there and the rest within 50 words of them.
        if run in text:
            return True
        head = " " + " ".join(run.split()[:3]) + " "
        at = (" " + text + " ").find(head)
        if at < 0:
            return False
        index = text[:at].count(" ")
        near = set(tokens[max(0, index - 50) : index + 50])
        return all(w in near for w in run.split())

    checked, missing = 0, []
    for d in solutions:
        runs = [words(r) for r in _plain_runs(d)]
        if not runs:
            continue
        checked += 1
        if not any(printed(r) for r in runs):
            missing.append(runs[0])
    assert checked >= len(solutions) // 2, "too few solutions with plain text to look for"
    assert not missing, f"{len(missing)} of {checked} solutions not in the PDF: {missing[:5]}"


def test_tables_keep_their_words_whole():
    vocabulary = set(re.findall(r"[a-z]+", _norm(_soup().get_text(" "))))
    # Words set in maths are left out: pdftotext spaces a formula's letters as it likes.
    in_maths = {w for m in _soup().select(".math") for w in re.findall(r"[a-z]+", _norm(m.text))}
    cell_words = {
        w
        for cell in _soup().select("article td, article th")
        for w in re.findall(r"[a-z]{5,}", _norm(cell.get_text(" ")))
        if w not in in_maths
    }
    tokens = re.findall(r"[a-z]+", _text())
    # A word cut in a table cell reads as a fragment, and its rest comes a few words later
    # (pdftotext reads a table row by row across its cells).
    broken = {
        a + b
        for i, a in enumerate(tokens)
        if a not in vocabulary
        for b in tokens[i + 1 : i + 8]
        if a + b in cell_words
    }
    assert not broken, f"table words broken across lines in the PDF: {sorted(broken)[:10]}"


def test_the_images_are_the_books_and_nothing_else():
    shown = {img["src"] for img in _soup().select("article img") if img.get("src")}
    figures = {s for s in shown if "_images/" in s and not s.endswith(".svg")}
    assert figures, "the book shows no figures"
    seen: set = set()
    masks: list = []
    embedded = sum(_images(page, seen, masks) for page in _reader().pages)
    assert len(figures) <= embedded <= len(shown), (
        f"{embedded} images in the PDF, {len(figures)} figures, {len(shown)} images in the book"
    )
    assert not masks, f"{len(masks)} soft masks (rasterised shadows) in the PDF"


def test_the_pdf_is_light():
    size = PDF.stat().st_size / 1e6
    assert size < MAX_MB, f"{size:.1f} MB"


def test_pages_are_filled():
    fills = _fill()
    assert len(fills) == len(_reader().pages)
    starts = {page for path, page in _bookmarks() if len(path) == 1}
    allowed = {page - 1 for page in starts}  # the page before a chapter (or the contents)
    under = [i + 1 for i, f in enumerate(fills) if f < 0.5 and i + 1 not in allowed]
    assert len(under) <= MAX_UNDERFULL * len(fills), (
        f"{len(under)} of {len(fills)} pages less than half full: {under[:20]}"
    )


def test_the_html_book_links_to_the_same_pdf():
    assert HTML_COPY.exists(), "make pdf copies the PDF into _build/html (the book's link)"
    assert HTML_COPY.read_bytes() == PDF.read_bytes()
    intro = (ROOT / "_build" / "html" / "intro.html").read_text(encoding="utf-8")
    assert 'href="deep-and-cheap.pdf"' in intro
