"""Citations and cross-references that read wherever a chapter opens.

The book cites with ``{cite}`` (sphinxcontrib-bibtex, ``references.bib``) and refers with
``{numref}``, ``{ref}`` and ``{doc}``.  Sphinx resolves them across the book; JupyterLab
with jupyterlab-myst (what a Binder or clone reader sees) knows no bibliography and no
label outside the notebook's own Markdown, and shows "Citation Not Found" or "Cross
Reference Not Found".  So the book writes, for every such role, what the built book
shows, into the Markdown in place of the role, and keeps the role in an HTML comment::

    <!--r:{cite}`mehta2014exact`-->\\[[Mehta and Schwab, 2014](https://arxiv.org/abs/1410.3831)\\]<!--/r-->
    <!--r:{numref}`fig-gaussian-flow`-->Fig. 4.1<!--/r-->
    <!--r:{ref}`chapter 7 <ch-learning-rg>`-->[chapter 7](07_learning_rg.ipynb)<!--/r-->

JupyterLab, GitHub and any Markdown viewer show the text (a citation's author–year with a
link to its DOI or arXiv page, a figure's number, a chapter's title linked to its
notebook); the comments are invisible.  The book's build puts the role back: this module
is also a Sphinx extension (``_config.yml``) whose ``source-read`` handler replaces every
marked span by its role before MyST parses the page, so the HTML book and its PDF keep
sphinxcontrib-bibtex's citations and Sphinx's numbered references, unchanged.

A ``{ref}`` to a label of the same notebook's Markdown (``(label)=``) stays a role:
jupyterlab-myst resolves it.  Every other ``{cite}``, ``{numref}``, ``{ref}`` and ``{doc}``
is marked.  As for computed numbers (:mod:`tools.gluetext`):

* ``python -m tools.claims --write`` marks every such role and refreshes every marked text
  (:func:`fill`);
* ``python -m tools.claims --check`` fails on a role left unmarked, an unknown key or
  label, and a marked text that differs from what this module computes (:func:`problems`);
* tests/browser/test_jupyterlab_refs.py checks that the marked texts are what the built
  HTML shows, and that JupyterLab shows no unresolved role.

The texts follow the book's configuration: sphinxcontrib-bibtex's ``author_year`` style
("[Lin et al., 2017]": one or two surnames, or the first and "et al."; several keys in the
order of the bibliography), figures numbered per chapter ("Fig. 4.1", ``numfig``), a
reference without its own text showing the section's title.
"""

from __future__ import annotations

import functools
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BIB = ROOT / "references.bib"
TOC = ROOT / "_toc.yml"
#: Put before a mark that would open a line (as tools.gluetext does; this module is also
#: loaded by Sphinx as a top-level module, so it imports nothing of ``tools``).
WORD_JOINER = "\u2060"

#: A role this module knows: ``{cite}`a,b```, ``{numref}`fig-x```, ``{ref}`text <label>```.
ROLE = re.compile(r"\{(?P<name>cite(?::[pt])?|numref|ref|doc)\}`(?P<body>[^`]+)`")
#: A marked role: ``<!--r:{role}`body`-->text<!--/r-->`` (no line break in the comment).
MARK = re.compile(r"<!--r:(?P<role>\{[a-z:]+\}`[^`\n]+`)-->(?P<text>.*?)<!--/r-->", re.S)
#: A mark or a role, the mark first so that the role inside a mark is not seen twice.
_EITHER = re.compile(f"{MARK.pattern}|{ROLE.pattern}", re.S)
#: A mark opening a line (or a list item or quote): Markdown would read an HTML block.
_LINE_START = re.compile(r"^([ \t]*(?:(?:[-*+]|\d+[.)])[ \t]+|>[ \t]*)*)(<!--r:)", re.M)
_LABEL = re.compile(r"^\((?P<label>[^)\s]+)\)=\s*$", re.M)
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<title>.+?)\s*#*\s*$")


@dataclass(frozen=True)
class Target:
    """A label of the book: the document (path from the root) and what a reference shows."""

    doc: str
    title: str  # the section's title, or the figure's number ("Fig. 4.1")
    figure: bool = False


def _markdown_cells(path: Path) -> list[str]:
    if path.suffix == ".ipynb":
        nb = json.loads(path.read_text(encoding="utf-8"))
        return [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in nb["cells"]
            if c["cell_type"] == "markdown"
        ]
    return [path.read_text(encoding="utf-8")]


def _toc_documents() -> list[tuple[str, int | None]]:
    """Every document of the table of contents (path without suffix) and its number."""
    import yaml

    toc = yaml.safe_load(TOC.read_text(encoding="utf-8"))
    docs: list[tuple[str, int | None]] = [(toc["root"], None)]
    for part in toc.get("parts", []):
        numbered = bool(part.get("numbered"))
        for i, chapter in enumerate(part.get("chapters", []), start=1):
            docs.append((chapter["file"], i if numbered else None))
    return docs


def _source(doc: str) -> Path:
    for suffix in (".ipynb", ".md"):
        if (ROOT / (doc + suffix)).exists():
            return ROOT / (doc + suffix)
    raise FileNotFoundError(f"{doc} of _toc.yml has no .ipynb or .md file")


def _plain(title: str) -> str:
    """A Markdown heading as Sphinx shows its text (maths keeps its TeX)."""
    return re.sub(r"[*_`]|\$", "", title).strip()


@functools.lru_cache(maxsize=1)
def targets() -> dict[str, Target]:
    """Every label of the book: section labels of the Markdown, figure names of notebooks."""
    found: dict[str, Target] = {}
    for doc, number in _toc_documents():
        path = _source(doc)
        rel = path.relative_to(ROOT).as_posix()
        for text in _markdown_cells(path):
            for m in _LABEL.finditer(text):
                rest = text[m.end() :].lstrip("\n").split("\n", 1)[0]
                heading = _HEADING.match(rest)
                found[m["label"]] = Target(rel, _plain(heading["title"]) if heading else "")
        if path.suffix == ".ipynb":
            nb = json.loads(path.read_text(encoding="utf-8"))
            figures = [
                c["metadata"]["mystnb"]["figure"]["name"]
                for c in nb["cells"]
                if ((c.get("metadata") or {}).get("mystnb") or {}).get("figure", {}).get("name")
            ]
            for i, name in enumerate(figures, start=1):
                num = f"{number}.{i}" if number is not None else str(i)
                found[name] = Target(rel, f"Fig. {num}", figure=True)
    return found


@dataclass(frozen=True)
class Work:
    """A bibliography entry as the book's citations show it."""

    key: str
    label: str  # "Mehta and Schwab, 2014"
    url: str | None
    order: tuple[str, ...]  # sphinxcontrib-bibtex's author_year_title sorting


@functools.lru_cache(maxsize=1)
def bibliography() -> dict[str, Work]:
    """Every entry of references.bib, by key."""
    from pybtex.database import parse_file

    db = parse_file(str(BIB))
    works: dict[str, Work] = {}
    for key, entry in db.entries.items():
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(p.prelast_names + p.last_names) for p in people]
        names = [re.sub(r"[{}]", "", n) for n in names]
        if len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        year = entry.fields.get("year", "")
        fields = {k.lower(): v for k, v in entry.fields.items()}
        if "doi" in fields:
            url: str | None = f"https://doi.org/{fields['doi']}"
        elif "eprint" in fields:
            url = f"https://arxiv.org/abs/{fields['eprint']}"
        else:
            url = fields.get("url")
        if url:  # a DOI may hold parentheses: keep the Markdown link plain
            url = url.replace("(", "%28").replace(")", "%29").replace(" ", "%20")
        title = re.sub(r"[{}]", "", fields.get("title", "")).lower()
        order = (" ".join(n.lower() for n in names), year, title)
        works[key] = Work(key, f"{who}, {year}", url, order)
    return works


def _split(body: str) -> tuple[str | None, str]:
    """``text <label>`` -> (text, label); ``label`` -> (None, label)."""
    body = " ".join(body.split())
    m = re.fullmatch(r"(?P<text>.*\S)\s*<(?P<label>[^<>]+)>", body)
    return (m["text"], m["label"]) if m else (None, body)


def _link(text: str, target_doc: str, here: str) -> str:
    rel = os.path.relpath(target_doc, PurePosixPath(here).parent.as_posix() or ".")
    return f"[{text}]({Path(rel).as_posix()})"


def fallback(role: str, here: str) -> str:
    """What the Markdown shows for ``role`` (``{name}`body```) in document ``here``.

    Raises
    ------
    KeyError
        If a citation key or a label is unknown.
    """
    m = ROLE.fullmatch(" ".join(role.split()))
    if not m:
        raise ValueError(f"not a citation or reference role: {role!r}")
    name, body = m["name"], m["body"]
    if name.startswith("cite"):
        works = bibliography()
        keys = [k.strip() for k in body.split(",") if k.strip()]
        unknown = [k for k in keys if k not in works]
        if unknown:
            raise KeyError(f"no entry {', '.join(unknown)} in references.bib")
        cited = sorted((works[k] for k in dict.fromkeys(keys)), key=lambda w: w.order)
        parts = [f"[{w.label}]({w.url})" if w.url else w.label for w in cited]
        return "\\[" + ", ".join(parts) + "\\]"
    text, label = _split(body)
    if name == "doc":
        doc = str(PurePosixPath(here).parent / label) if not label.startswith("/") else label
        doc = os.path.normpath(doc.lstrip("/"))
        path = _source(doc)
        title = text or _plain(_title_of(path))
        return _link(title, path.relative_to(ROOT).as_posix(), here)
    target = targets().get(label)
    if target is None:
        raise KeyError(f"no label {label!r} in the book")
    if name == "numref":
        number = target.title.removeprefix("Fig. ")
        shown = text.replace("%s", number).replace("{number}", number) if text else target.title
    else:
        shown = text or target.title
    return shown if target.doc == here else _link(shown, target.doc, here)


def _title_of(path: Path) -> str:
    for text in _markdown_cells(path):
        for line in text.split("\n"):
            m = _HEADING.match(line)
            if m and len(m["hashes"]) == 1:
                return m["title"]
    return path.stem


def _local_labels(cells: list[str]) -> set[str]:
    return {m["label"] for text in cells for m in _LABEL.finditer(text)}


def needs_mark(role: str, local: set[str]) -> bool:
    """Whether jupyterlab-myst cannot resolve ``role`` (local: the notebook's own labels)."""
    m = ROLE.fullmatch(" ".join(role.split()))
    if not m:
        return False
    return m["name"] != "ref" or _split(m["body"])[1] not in local


def keep_inline(text: str) -> str:
    """Keep every mark inside its paragraph: a mark never opens a line.

    A line that opened with ``<!--`` would be read as an HTML block (the rest of the line
    left unrendered), so an invisible word joiner (U+2060) goes first; :func:`restore`
    removes it again.
    """
    return _LINE_START.sub(lambda m: m[1] + WORD_JOINER + m[2], text)


def mark(text: str, here: str, local: set[str]) -> str:
    """``text`` with every role marked and every marked text recomputed."""

    def one(m: re.Match[str]) -> str:
        role = m["role"] if m["role"] else m[0]
        if not m["role"] and not needs_mark(role, local):
            return m[0]
        role = " ".join(role.split())
        return f"<!--r:{role}-->{fallback(role, here)}<!--/r-->"

    return keep_inline(_EITHER.sub(one, text))


def restore(text: str) -> str:
    """``text`` with every marked span replaced by its role (what Sphinx reads)."""
    text = re.sub(WORD_JOINER + r"(?=<!--r:)", "", text)
    return MARK.sub(lambda m: m["role"], text)


def _cells(nb: Any) -> list[Any]:
    return [c for c in nb["cells"] if c["cell_type"] == "markdown"]


def _src(cell: Any) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def fill(nb: Any, here: str) -> int:
    """Mark every role jupyterlab-myst cannot resolve; return the cells changed.

    ``here`` is the notebook's path from the book's root (``chapters/04_x.ipynb``).
    """
    local = _local_labels([_src(c) for c in _cells(nb)])
    changed = 0
    for cell in _cells(nb):
        old = _src(cell)
        new = mark(old, here, local)
        if new != old:
            cell["source"] = new
            changed += 1
    return changed


def problems(nb: Any, here: str) -> list[str]:
    """Roles left unmarked, unknown keys or labels, and stale marked texts."""
    local = _local_labels([_src(c) for c in _cells(nb)])
    found: list[str] = []
    for cell in _cells(nb):
        text = _src(cell)
        where = f"{Path(here).name} cell {cell.get('id')}"
        if _LINE_START.search(text):
            found.append(f"{where}: a marked reference opens a line (read as HTML)")
        for m in _EITHER.finditer(text):
            if not m["role"]:
                if needs_mark(m[0], local):
                    found.append(f"{where}: {m[0]!r} does not resolve in JupyterLab: run --write")
                continue
            try:
                want = fallback(m["role"], here)
            except (KeyError, ValueError, FileNotFoundError) as exc:
                found.append(f"{where}: {m['role']}: {exc}")
                continue
            if m["text"] != want:
                found.append(f"{where}: {m['role']} reads {m['text']!r}, expected {want!r}")
    return found


def unresolvable(markdown: str, local: set[str]) -> list[str]:
    """Roles of ``markdown`` (marks removed) that jupyterlab-myst cannot resolve."""
    bare = MARK.sub("", markdown)
    return [m[0] for m in ROLE.finditer(bare) if needs_mark(m[0], local)]


def shown(text: str) -> str:
    """The visible text of a marked text (links and escapes removed, spaces single)."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", text).replace("\\[", "[").replace("\\]", "]")
    return " ".join(text.split())


# --- the Sphinx extension -------------------------------------------------------------


def _source_read(app: Any, docname: str, content: list[str]) -> None:
    text = content[0]
    if "<!--r:" not in text:
        return
    if app.env.doc2path(docname).endswith(".ipynb"):
        nb = json.loads(text)
        for cell in _cells(nb):
            cell["source"] = restore(_src(cell))
        content[0] = json.dumps(nb, ensure_ascii=False)
    else:
        content[0] = restore(text)


def setup(app: Any) -> dict[str, Any]:
    """Sphinx: read every marked citation or reference as its role (see the docstring)."""
    app.connect("source-read", _source_read)
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str] | None = None) -> int:
    """``python -m tools.xrefs [--write] [NB ...]``: check (or fill) the marked roles."""
    import nbformat

    args = sys.argv[1:] if argv is None else argv
    write = "--write" in args
    paths = [Path(a).resolve() for a in args if a != "--write"] or sorted(
        (ROOT / "chapters").glob("[0-9][0-9]_*.ipynb")
    )
    bad: list[str] = []
    for path in paths:
        here = path.relative_to(ROOT).as_posix()
        nb = nbformat.read(path, as_version=4)
        if write and fill(nb, here):
            nbformat.write(nb, path)
        bad += problems(nb, here)
    for line in bad:
        print(line)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
