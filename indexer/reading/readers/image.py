"""Scanned pages as image files (``.png``, ``.jpg``, ``.tif``/``.tiff``, a TIFF of many pages): every
page read by OCR (``indexer.reading.ocr``) into lines, then into blocks as a PDF's lines are
(``pdf.blocks_from_lines``). Refused with a reason: an image too large to be a page (a decompression
bomb), a corrupt or truncated file, more pages than klynge OCRs from one file."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from indexer.errors import DocumentError
from indexer.reading import ocr
from indexer.reading.readers.base import FileText
from indexer.reading.readers.pdf import blocks_from_lines, ocr_lines

NAMES = {".png": (".png",), ".jpg": (".jpg", ".jpeg"), ".tif": (".tif", ".tiff")}  # each kind and its file names
SUFFIXES = tuple(suffix for names in NAMES.values() for suffix in names)
_DEFAULT_DPI = 300  # an image that does not say its resolution is taken as a 300 dpi scan


def read(path: Path) -> FileText:
    images, dpi = _pages(path)
    lines = []
    for number, page in enumerate(ocr.ocr_pages(images, str(path), dpi=dpi), start=1):
        lines.extend(ocr_lines(number, page))
    if not lines:
        raise DocumentError(str(path), "no text found by OCR (a photo, or a blank page?)")
    return FileText(blocks_from_lines(lines, len(images)), len(images))


def _pages(path: Path) -> tuple[list[Any], int]:
    """The image's pages as greyscale images, and its resolution; refused when it is not a usable scan."""
    from PIL import Image, UnidentifiedImageError

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as img:
                return _frames(path, img)
    except DocumentError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise DocumentError(str(path), "image is too large to open safely (a decompression bomb?); scan at 300 dpi") from exc
    except UnidentifiedImageError as exc:
        raise DocumentError(str(path), "not an image klynge can read (corrupt, or not the format its name says)") from exc
    except (OSError, ValueError, SyntaxError, EOFError) as exc:
        raise DocumentError(str(path), f"damaged or truncated image ({str(exc)[:80]}); scan it again") from exc


def _frames(path: Path, img: Any) -> tuple[list[Any], int]:
    from PIL import ImageSequence

    info_dpi = img.info.get("dpi")
    dpi = int(round(float(info_dpi[0]))) if info_dpi and 70 <= float(info_dpi[0]) <= 1200 else _DEFAULT_DPI
    too_many = ocr.page_limit(getattr(img, "n_frames", 1))
    if too_many:
        raise DocumentError(str(path), too_many)
    pages = []
    for frame in ImageSequence.Iterator(img):
        w, h = frame.size
        if w * h > ocr.MAX_PIXELS:
            raise DocumentError(str(path), f"image of {w:,} × {h:,} pixels is too large for a scanned page "
                                           f"(at most {ocr.MAX_PIXELS // 1_000_000} million pixels); scan at 300 dpi")
        pages.append(frame.convert("L"))
    if not pages:
        raise DocumentError(str(path), "image has no pages")
    return pages, dpi
