"""Optical character recognition of scanned pages with Tesseract (Debian's ``tesseract-ocr`` and its
``-dan``/``-eng`` models), called as a program: one page image in, its words' boxes and confidences out.

- :func:`ocr_pages` reads a batch of page images in parallel (one Tesseract process per core, each
  single-threaded), showing pages, rate and time left on a terminal, and keeps every result in a cache by
  the page's pixels, the language and Tesseract's version, so a rebuild or a resumed build never reads a
  page twice (``KLYNGE_OCR_CACHE``, default ``~/.cache/klynge/ocr``).
- :class:`OcrLine` is a line as the readers use it: text, position and height in points, so a scanned
  page goes through the same heading, paragraph and page logic as a PDF's text layer.
- The language is the collection's (``collection.toml``: ``language = "da"`` → Tesseract's ``dan``),
  set for a build with :func:`language`; ``KLYNGE_OCR_LANG`` overrides it (e.g. ``dan+eng``).
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from itertools import repeat
from pathlib import Path
from typing import Any

from indexer.errors import DocumentError

__all__ = ["DPI", "MAX_OCR_PAGES", "MAX_PIXELS", "OcrLine", "OcrPage", "available", "language", "ocr_pages",
           "page_limit"]

DPI = 300  # PDF pages are rendered at this resolution for OCR (Tesseract reads 300 dpi best)
MAX_PIXELS = 80_000_000  # a page image larger than this is refused: A4 at 600 dpi is 35 million pixels
MAX_OCR_PAGES = 1_000  # a scan with more pages to OCR is refused (hours of work): split it
OCR_BATCH = 4  # page images held at a time per core (a 300 dpi A4 page is ~9 MB in grey; all of a 500-page scan 4 GB)
_GRAIN = 1.0  # grey levels: benchmarks/ocr.py's clean twins measure 0.3–0.9 (200–300 dpi), its grainy ones ~1.9
_COLUMN_GAP = 2.5  # × a line's height: a wider gap between two words parts table cells or columns (word gaps ≤ 1.0)
_MIN_WORD_CONFIDENCE = 30.0  # Tesseract's words below this (of 100) are noise from specks and edges, unless words
_LANGS = {"da": "dan", "en": "eng"}  # a collection's language → Tesseract's model
_language: contextvars.ContextVar[str] = contextvars.ContextVar("klynge_ocr_language", default="da")


@dataclass(frozen=True)
class OcrLine:
    """One line read from a page: its text, the y of its baseline from the page's bottom and its x
    from the left (points, as a PDF's), its height (points; the size a heading is told by) and the
    mean confidence of its words (0–100), and its ink: the share of dark pixels in its box (bold type
    has more, whatever its size; how a bold heading set little larger than the text is told). ``cell``:
    the first line of a table cell, which opens a paragraph of its own."""

    text: str
    y: float
    x: float
    size: float
    confidence: float
    ink: float
    cell: bool = False


@dataclass(frozen=True)
class OcrPage:
    lines: tuple[OcrLine, ...]
    confidence: float | None  # mean word confidence of the page (0–100); None: no words found


@contextlib.contextmanager
def language(lang: str) -> Iterator[None]:
    """OCR in the collection language ``lang`` ("da", "en", …) inside the block."""
    token = _language.set(lang)
    try:
        yield
    finally:
        _language.reset(token)


def _tesseract_lang() -> str:
    return os.environ.get("KLYNGE_OCR_LANG") or _LANGS.get(_language.get(), "dan")


@functools.lru_cache(maxsize=1)
def _version() -> str:
    exe = shutil.which("tesseract")
    if exe is None:
        return ""
    out = subprocess.run([exe, "--version"], capture_output=True, text=True, timeout=30)
    return (out.stdout or out.stderr).splitlines()[0] if (out.stdout or out.stderr) else "tesseract"


@functools.lru_cache(maxsize=1)
def _installed_languages() -> frozenset[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        return frozenset()
    out = subprocess.run([exe, "--list-langs"], capture_output=True, text=True, timeout=30)
    return frozenset(line.strip() for line in out.stdout.splitlines()[1:] if line.strip())


def available() -> str | None:
    """None when OCR can run in the current language, else why not (for a message or a skipped test)."""
    if not _version():
        return "Tesseract is not installed (Debian: apt-get install tesseract-ocr tesseract-ocr-dan; `make ocr-deps`)"
    missing = [m for m in _tesseract_lang().split("+") if m not in _installed_languages()]
    if missing:
        return f"Tesseract has no '{'+'.join(missing)}' model (Debian: apt-get install tesseract-ocr-{missing[0]})"
    return None


def _cache_dir() -> Path:
    return Path(os.environ.get("KLYNGE_OCR_CACHE") or Path.home() / ".cache" / "klynge" / "ocr")


_CACHE_FORMAT = 6  # raised whenever how a page's words become lines changes: older results are read again


def _key(image: Any, lang: str) -> str:
    h = hashlib.sha256(f"{_CACHE_FORMAT}|{_version()}|{lang}|{image.mode}|{image.size}".encode())
    h.update(image.tobytes())
    return h.hexdigest()


def _cached(key: str) -> OcrPage | None:
    path = _cache_dir() / key[:2] / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return OcrPage(tuple(OcrLine(**line) for line in data["lines"]), data["confidence"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _store(key: str, page: OcrPage) -> None:
    """Written to a temporary file and renamed: a killed build never leaves half a result."""
    folder = _cache_dir() / key[:2]
    try:
        folder.mkdir(parents=True, exist_ok=True)
        data = {"lines": [asdict(line) for line in page.lines], "confidence": page.confidence}
        with tempfile.NamedTemporaryFile("w", dir=folder, suffix=".tmp", delete=False, encoding="utf-8") as f:
            json.dump(data, f, ensure_ascii=False)
        os.replace(f.name, folder / f"{key}.json")
    except OSError:
        pass  # an unwritable cache costs time on the next build, nothing else


def _nice() -> list[str]:
    """Tesseract at a lower priority (``KLYNGE_BUILD_NICE``, default 10, as a build's): a scan uploaded in
    the app is read on every core, and the questions of the same server must not wait for it."""
    try:
        step = int(os.environ.get("KLYNGE_BUILD_NICE", "10"))
    except ValueError:
        step = 10
    exe = shutil.which("nice")
    return [exe, "-n", str(step)] if exe and step > 0 else []


def _without_grain(image: Any) -> Any:
    """The page with its grain taken out by a 3×3 median filter when it has grain: its light pixels differ
    from their neighbourhood's median by more than ``_GRAIN`` grey levels on average (a copier's or a
    phone's noise and specks). A clean page stays as it is: the filter also thins strokes a little."""
    import numpy as np
    from PIL import ImageFilter

    grey = image.convert("L")
    w, h = grey.size  # measured on the middle of the page (a ninth of it): the filter costs a page's time
    sample = grey.crop((w // 3, h // 3, 2 * w // 3, 2 * h // 3))
    a, m = np.asarray(sample, dtype=np.int16), np.asarray(sample.filter(ImageFilter.MedianFilter(3)), dtype=np.int16)
    light = a > 200
    grainy = light.any() and float(np.abs(a - m)[light].mean()) > _GRAIN
    return grey.filter(ImageFilter.MedianFilter(3)) if grainy else grey


def _run(image: Any, lang: str, dpi: int, where: str) -> OcrPage:
    """Tesseract on one page image (TSV out: one row per word with its box and confidence), its grain
    taken out first."""
    image = _without_grain(image)
    with tempfile.TemporaryDirectory(prefix="klynge-ocr-") as tmp:
        png = Path(tmp) / "page.png"
        image.save(png, dpi=(dpi, dpi))
        env = {**os.environ, "OMP_THREAD_LIMIT": "1"}  # one process per core instead
        try:
            out = subprocess.run([*_nice(), "tesseract", str(png), "stdout", "-l", lang, "--dpi", str(dpi), "tsv"],
                                 capture_output=True, text=True, timeout=600, env=env)
        except subprocess.TimeoutExpired as exc:
            raise DocumentError(where, "OCR of one page took over 10 minutes; check the scan") from exc
    if out.returncode != 0:
        raise DocumentError(where, f"OCR failed ({out.stderr.strip().splitlines()[-1][:120] if out.stderr.strip() else 'tesseract'})")
    return _parse_tsv(out.stdout, image, dpi)


def _ink(pixels: Any, box: tuple[int, int, int, int]) -> float:
    left, top, right, bottom = box
    area = pixels[max(0, top):bottom, max(0, left):right]
    return round(float((area < 128).mean()), 4) if area.size else 0.0


_Word = tuple[str, int, int, int, int, float]  # text, left, top, width, height (pixels), confidence


def _skew(lines: list[list[_Word]]) -> float:
    """The page's tilt, as pixels down per pixel right: the median slope of the word bottoms of lines of
    four words or more (0 when there are none)."""
    import numpy as np

    slopes = []
    for words in lines:
        if len(words) >= 4:
            x = np.array([w[1] + w[3] / 2 for w in words])
            y = np.array([w[2] + w[4] for w in words], dtype=float)
            if np.ptp(x) > 0:
                slopes.append(float(np.polyfit(x, y, 1)[0]))
    return float(np.median(slopes)) if slopes else 0.0


def _baseline(words: list[_Word], skew: float) -> float:
    """The line's baseline where it would cross the page's left edge, in pixels from the top: comparable
    from line to line on a tilted page, whatever part of the width a line fills. A third of the way
    down the words' straightened bottoms: words with descenders (g, j, p) reach below it."""
    bottoms = sorted(w[2] + w[4] - skew * (w[1] + w[3] / 2) for w in words)
    return bottoms[len(bottoms) // 3]


def _height(words: list[_Word]) -> float:
    """The line's height: its tallest word's, or with three words or more the second tallest (a speck
    touching one word stretches that word's box); words of letters or digits only count when there are
    any (a mark read as ":" or "—" has a box of its own size)."""
    heights = sorted(w[4] for w in words if any(ch.isalnum() for ch in w[0])) or sorted(w[4] for w in words)
    return heights[-2] if len(heights) > 2 else heights[-1]


def _pieces(words: list[_Word]) -> list[list[_Word]]:
    """A Tesseract line cut where two words stand more than ``_COLUMN_GAP`` × its height apart: cells of a
    table (or columns) that Tesseract read as one line across the page."""
    limit = _COLUMN_GAP * _height(words)
    out = [[words[0]]]
    for prev, word in zip(words, words[1:], strict=False):
        if word[1] - (prev[1] + prev[3]) > limit:
            out.append([])
        out[-1].append(word)
    return out


_RULE = re.compile(r"[|¦]+")  # a table's rule as Tesseract reads it: no text, and its box spans the row
_GOES_ON = re.compile(r"(?:[-,]|\b\d{1,2}\.)$")  # a cell's line ending so goes on below: mid-word, after a comma, a list number


def _goes_on(last: list[_Word], piece: list[_Word]) -> bool:
    """Is ``piece`` the rest of the cell whose line ``last`` is? It opens in lower case, or ``last`` ends
    mid-word, after a comma or with the next item's number ("… strategier 2."). A row of its own ("Sted:
    Rådhuset" under "Dato: 12. marts") is not."""
    return piece[0][0][:1].islower() or bool(_GOES_ON.search(last[-1][0]))


def _cells(pieces: list[list[_Word]]) -> list[list[list[_Word]]]:
    """A block's pieces (in Tesseract's order) as table cells: a cell is a run of pieces each going on
    with the last (:func:`_goes_on`), below it (less than a line's height between them) and overlapping it
    across; cells in the order their first pieces come, so a table is read row by row, each cell whole."""
    chains: list[list[list[_Word]]] = []
    for piece in pieces:
        left, right = min(w[1] for w in piece), max(w[1] + w[3] for w in piece)
        top = min(w[2] for w in piece)
        for chain in reversed(chains):
            last = chain[-1]
            l_left, l_right = min(w[1] for w in last), max(w[1] + w[3] for w in last)
            below = 0 <= top - max(w[2] + w[4] for w in last) <= _height(piece)
            if below and min(right, l_right) > max(left, l_left) and _goes_on(last, piece):
                chain.append(piece)
                break
        else:
            chains.append([piece])
    return chains


def _reading_order(lines: dict[tuple[int, int, int], list[_Word]]) -> list[tuple[list[_Word], bool]]:
    """Tesseract's lines in its reading order (its blocks in turn: a page's columns one after the other),
    a block with lines holding table cells side by side read cell by cell (:func:`_cells`), each line with
    whether it opens a cell. A block whose cells are one line each (label and value rows) keeps its lines
    whole, row by row."""
    blocks: dict[int, list[list[_Word]]] = {}
    for (block, _par, _line), words in lines.items():
        blocks.setdefault(block, []).append(words)
    out: list[tuple[list[_Word], bool]] = []
    for rows in blocks.values():
        pieces = [piece for words in rows for piece in _pieces(words)]
        chains = _cells(pieces) if len(pieces) > len(rows) else []
        if all(len(chain) == 1 for chain in chains):
            out.extend((words, False) for words in rows)
            continue
        for chain in chains:
            out.extend((piece, i == 0) for i, piece in enumerate(chain))
    return out


def _parse_tsv(tsv: str, image: Any, dpi: int) -> OcrPage:
    """Words grouped into lines (Tesseract's block, paragraph and line numbers; table cells on one line
    apart), in Tesseract's reading order (:func:`_reading_order`), in points. A word
    Tesseract is unsure of is kept when it looks like a word ("og", "Forskningsministeriet" on a noisy
    page), dropped when it does not (specks read as "|", ":", "'"); a table's rules read as "|" are dropped."""
    import numpy as np

    from indexer.reading.clean import is_plausible_word

    pixels = np.asarray(image.convert("L"))
    height_px = image.size[1]
    pt = 72.0 / dpi
    lines: dict[tuple[int, int, int], list[_Word]] = {}
    for row in tsv.splitlines()[1:]:
        cols = row.split("\t")
        if len(cols) < 12 or cols[0] != "5" or not cols[11].strip():
            continue
        conf, word = float(cols[10]), cols[11].strip()  # Tesseract may give a word a leading space
        if (conf < _MIN_WORD_CONFIDENCE and not (len(word) > 1 and is_plausible_word(word))) or _RULE.fullmatch(word):
            continue
        left, top, width, h = (int(c) for c in cols[6:10])
        lines.setdefault((int(cols[2]), int(cols[3]), int(cols[4])), []).append((word, left, top, width, h, conf))
    out = []
    confs: list[float] = []
    skew = _skew(list(lines.values()))
    for words, cell in _reading_order(lines):
        # size, ink and baseline from the words' own boxes: a line's box grows with the page's skew (a 1°
        # tilt adds a third of a line's height across an A4 page) and takes in white around short lines
        confs.extend(w[5] for w in words)
        area = sum(w[3] * w[4] for w in words)
        ink = sum(_ink(pixels, (w[1], w[2], w[1] + w[3], w[2] + w[4])) * w[3] * w[4] for w in words) / max(1, area)
        out.append(OcrLine(" ".join(w[0] for w in words), round((height_px - _baseline(words, skew)) * pt, 1),
                           round(min(w[1] for w in words) * pt, 1), round(_height(words) * pt, 1),
                           round(sum(w[5] for w in words) / len(words), 1), round(ink, 4), cell))
    return OcrPage(tuple(out), round(sum(confs) / len(confs), 1) if confs else None)


def page_limit(n: int) -> str | None:
    """Why a file with ``n`` pages to OCR is refused (None: within ``MAX_OCR_PAGES``); the readers and the
    upload check ask before they render or store anything."""
    if n <= MAX_OCR_PAGES:
        return None
    return (f"{n:,} scanned pages to OCR, more than the {MAX_OCR_PAGES:,} klynge reads from one file (hours of "
            "work); split the scan into parts and add those")


def ocr_pages(images: Sequence[Any], where: str, dpi: int = DPI, numbers: Sequence[int] | None = None) -> list[OcrPage]:
    """Each page image of ``where`` (a file, for messages) read by Tesseract, from the cache where it was
    read before; in parallel, with a progress bar on a terminal. ``numbers``: the pages' numbers in the file, for
    messages (default 1, 2, …; a PDF's scanned pages are some of its pages). ``images`` may make each page when
    indexed (a PDF's pages are rendered so): they are taken a few at a time, so a long scan never holds more
    than a batch of page images. The caller has checked :func:`page_limit` before rendering anything."""
    problem = available()
    if problem is not None:
        raise DocumentError(where, f"scanned pages need OCR, but {problem}")
    lang = _tesseract_lang()
    workers = max(1, os.cpu_count() or 1)
    out: list[OcrPage] = []
    from tqdm import tqdm

    with ThreadPoolExecutor(max_workers=workers) as pool, \
            tqdm(total=len(images), desc=f"OCR {Path(where).name}", unit="page", disable=None, leave=False) as bar:
        for first in range(0, len(images), OCR_BATCH * workers):
            batch = range(first, min(first + OCR_BATCH * workers, len(images)))
            shown = [images[i] for i in batch]  # rendered now, dropped after this batch
            labels = [f"{where}, page {numbers[i] if numbers else i + 1}" for i in batch]
            for page in pool.map(_read_page, shown, repeat(lang), repeat(dpi), labels):
                out.append(page)
                bar.update(1)
    return out


def _read_page(image: Any, lang: str, dpi: int, label: str) -> OcrPage:
    """One page image read by Tesseract, or from the cache where it was read before (``label`` names it in
    messages)."""
    key = _key(image, lang)
    page = _cached(key)
    if page is None:
        page = _run(image, lang, dpi, label)
        _store(key, page)
    return page
