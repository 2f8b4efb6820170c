"""The whole-book PDF (``make pdf``): complete, with its solutions, figures and contents.

Reads ``_build/pdf/deep-and-cheap.pdf`` (its text with poppler's ``pdftotext``, its outline
and images with pypdf) and checks it against the single-page
HTML it was printed from (``_build/singlehtml/intro.html``):

* enough pages for the book (at least :data:`MIN_PAGES_PER_CHAPTER` per chapter);
* every chapter's title in its text and in its bookmarks (the PDF outline);
* the text of every exercise solution, folded in the HTML book (``<details>``), printed;
* as many embedded images as the book shows figures;
* the copy the HTML book links to (``_build/html/deep-and-cheap.pdf``) is the same file.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PDF = ROOT / "_build" / "pdf" / "deep-and-cheap.pdf"
SINGLEHTML = ROOT / "_build" / "singlehtml" / "intro.html"
HTML_COPY = ROOT / "_build" / "html" / "deep-and-cheap.pdf"
CHAPTERS = sorted((ROOT / "chapters").glob("[0-9][0-9]_*.ipynb"))
MIN_PAGES_PER_CHAPTER = 5


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)  # ligatures: "ﬁ" -> "fi"
    text = re.sub(r"-\s*\n\s*", "", text)  # words hyphenated across lines
    return re.sub(r"\s+", " ", text).strip().lower()


@cache
def _reader():
    if not PDF.exists():
        pytest.fail(f"no PDF at {PDF.relative_to(ROOT)}: run `make pdf`", pytrace=False)
    from pypdf import PdfReader

    return PdfReader(PDF)


@cache
def _page_texts() -> list[str]:
    """The text of each page (poppler's pdftotext: seconds, where pypdf takes minutes)."""
    import shutil
    import subprocess

    if not shutil.which("pdftotext"):
        pytest.fail("no pdftotext: run tools/ensure_system_tools.sh", pytrace=False)
    _reader()  # fails clearly when there is no PDF
    out = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(PDF), "-"], capture_output=True, text=True, check=True
    )
    return out.stdout.split("\f")


@cache
def _text() -> str:
    return _norm(" ".join(_page_texts()))


def _images(obj, seen: set) -> int:
    """Image XObjects under a resource dictionary, through nested forms, each counted once."""
    count = 0
    xobjects = (obj.get("/Resources") or {}).get("/XObject") or {}
    for ref in xobjects.values():
        key = getattr(ref, "idnum", None) or id(ref)
        if key in seen:
            continue
        seen.add(key)
        x = ref.get_object()
        if x.get("/Subtype") == "/Image":
            count += 1
        elif x.get("/Subtype") == "/Form":
            count += _images(x, seen)
    return count


@cache
def _soup():
    from bs4 import BeautifulSoup

    if not SINGLEHTML.exists():
        pytest.fail("no single-page HTML: run `make pdf`", pytrace=False)
    return BeautifulSoup(SINGLEHTML.read_text(encoding="utf-8"), "html.parser")


def _chapter_titles() -> list[str]:
    titles = []
    for marker in _soup().select('span[id^="document-chapters/"]'):
        section = marker.find_next_sibling("section")
        head = section.find(["h1", "h2"]) if section else None
        if head:
            for link in head.select(".headerlink"):
                link.decompose()
            titles.append(head.get_text(" ", strip=True))
    return titles


def _plain_runs(element, words: int = 6) -> list[str]:
    """Runs of ``words`` consecutive plain words (no maths, no code, no glued numbers)."""
    for junk in element.select(".math, code, pre, mjx-container, summary, .pasted-text"):
        junk.replace_with(" \u00a7 ")  # a break: the words around it are not adjacent
    runs = []
    for para in element.find_all(["p", "li"]):
        tokens = para.get_text(" ", strip=True).split()
        plain = [t for t in tokens if re.fullmatch(r"[A-Za-z][a-z]+[,;:]?", t)]
        run: list[str] = []
        for t in tokens:
            if t in plain:
                run.append(t.rstrip(",;:"))
                if len(run) == words:
                    runs.append(" ".join(run))
                    break
            else:
                run = []
    return runs


def test_the_pdf_has_pages_for_every_chapter():
    pages = len(_reader().pages)
    assert pages >= MIN_PAGES_PER_CHAPTER * len(CHAPTERS), f"only {pages} pages"


def test_every_chapter_is_in_the_text_and_the_bookmarks():
    titles = _chapter_titles()
    assert len(titles) == len(CHAPTERS), titles
    text = _text()
    missing = [t for t in titles if _norm(re.sub(r"^\d+\.\s*", "", t)) not in text]
    assert not missing, f"chapter titles missing from the PDF text: {missing}"

    def flat(outline) -> list[str]:
        out = []
        for item in outline:
            out += flat(item) if isinstance(item, list) else [_norm(item.title)]
        return out

    bookmarks = " | ".join(flat(_reader().outline))
    absent = [t for t in titles if _norm(re.sub(r"^\d+\.\s*", "", t))[:30] not in bookmarks]
    assert not absent, f"chapters without a PDF bookmark: {absent}"


def test_the_contents_list_the_chapters_first():
    first = _norm(" ".join(_page_texts()[:3]))
    assert "contents" in first
    for title in _chapter_titles():
        assert _norm(re.sub(r"^\d+\.\s*", "", title))[:25] in first, title


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
    checked, missing = 0, []
    for d in solutions:
        runs = _plain_runs(d)
        if not runs:
            continue
        checked += 1
        if not any(words(r) in text for r in runs):
            missing.append(runs[0])
    assert checked >= len(solutions) // 2, "too few solutions with plain text to look for"
    assert not missing, f"{len(missing)} of {checked} solutions not in the PDF: {missing[:5]}"


def test_every_figure_is_embedded():
    figures = {
        img["src"]
        for img in _soup().select("article img")
        if "_images/" in img.get("src", "") and not img["src"].endswith(".svg")
    }
    assert figures, "the book shows no figures"
    seen: set = set()
    embedded = sum(_images(page, seen) for page in _reader().pages)
    assert embedded >= len(figures), f"{embedded} images in the PDF, {len(figures)} figures"


def test_the_html_book_links_to_the_same_pdf():
    assert HTML_COPY.exists(), "make pdf copies the PDF into _build/html (the book's link)"
    assert HTML_COPY.read_bytes() == PDF.read_bytes()
    intro = (ROOT / "_build" / "html" / "intro.html").read_text(encoding="utf-8")
    assert 'href="deep-and-cheap.pdf"' in intro
