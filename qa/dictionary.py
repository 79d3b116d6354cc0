"""A general English → Danish dictionary for English questions over a collection without a glossary.

Debian's FreeDict dictionaries (``apt-get install dict-freedict-dan-eng dict-freedict-eng-dan``; GPL-3+ /
CC-BY-SA 3.0, read where they are installed, not copied into this project) in dictd format: a
``.index`` of tab-separated headword, base64 offset and length, and a ``.dict.dz`` (gzip-compatible)
whose entries are a headword line (with its pronunciation and part of speech) followed by lines of
comma-separated translations, with [hints] and (notes). The Danish–English one (~5,100 headwords) is
read backwards, the small English–Danish one (~400) forwards.

In front of them, the project's own list of Danish public-administration terms (``qa/data/public_en_da.tsv``,
``PUBLIC_TERMS``): the words an English question about Danish law or administration turns on ("municipal
council", "sickness benefit", "rural zone", "tenant") with the Danish term legislation uses. FreeDict has
few of them, or only loose senses ("council" none, "benefit" → fordel); an entry there replaces FreeDict's
senses of the same English word or phrase. A collection with a glossary of its own gets the terms under it
(its entries win), not FreeDict.

Under those terms, the project's list of everyday English words FreeDict lacks
(``qa/data/everyday_en_da.tsv``, ``EVERYDAY_WORDS``: "staff" → personale, "household" → husstand): the
frequent English words of ``wordfreq`` without a FreeDict or public-terms entry, each with the one to three
Danish words of its common sense, the sense official text uses first.

``english_danish()`` gives the mapping ``qa.translate.translate`` takes: the terms alone when FreeDict is
not installed. Directories searched: ``$KLYNGE_DICTD_DIR`` (when set), then ``/usr/share/dictd``.
"""

from __future__ import annotations

import contextlib
import functools
import gzip
import os
import re
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

from indexer.reading.collection import read_glossary

__all__ = ["DICTD_DIRS", "EVERYDAY_WORDS", "PUBLIC_TERMS", "english_danish", "public_terms", "read_dictd", "read_terms"]

DICTD_DIRS = ("/usr/share/dictd",)
PUBLIC_TERMS = Path(__file__).resolve().parent / "data" / "public_en_da.tsv"
EVERYDAY_WORDS = Path(__file__).resolve().parent / "data" / "everyday_en_da.tsv"
DANISH_ENGLISH = "freedict-dan-eng"
ENGLISH_DANISH = "freedict-eng-dan"
_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOTES = re.compile(r"\[[^\]]*\]|\([^)]*\)|<[^>]*>")
_ARTICLE = re.compile(r"^(?:to|a|an|the) ")
_ENGLISH = re.compile(r"[a-z][a-z' -]*")
_DANISH = re.compile(r"[a-zæøåé-]+")
MAX_WORDS = 3  # longer English translations are explanations, not terms a question uses


def _b64(s: str) -> int:
    n = 0
    for c in s:
        n = n * 64 + _B64.index(c)
    return n


def _clean(text: str) -> str:
    """Lower case, [hints], (notes) and <part of speech> left out, spaces collapsed."""
    return " ".join(_NOTES.sub(" ", text).lower().split())


def read_dictd(prefix: Path) -> Iterator[tuple[str, list[str]]]:
    """(headword, its translations) of the dictd dictionary ``prefix``.index / ``prefix``.dict.dz; entries
    that cannot be read are skipped."""
    data = gzip.decompress(prefix.with_name(prefix.name + ".dict.dz").read_bytes())
    with open(prefix.with_name(prefix.name + ".index"), encoding="utf-8", errors="replace") as f:
        for line in f:
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 3 or parts[0].startswith("00"):  # 00-database-* entries describe the file
                continue
            try:
                start, length = _b64(parts[1]), _b64(parts[2])
            except ValueError:
                continue
            lines = [x for x in data[start:start + length].decode("utf-8", "replace").split("\n") if x.strip()]
            translations = [_clean(t) for x in lines[1:] for t in re.split(r"[,;]", x)]
            yield parts[0], [t for t in translations if t]


def _find(name: str, dirs: tuple[str, ...]) -> Path | None:
    for d in dirs:
        p = Path(d) / name
        if p.with_name(name + ".index").is_file() and p.with_name(name + ".dict.dz").is_file():
            return p
    return None


def english_danish(dirs: tuple[str, ...] | None = None,
                   terms: Path | tuple[Path, ...] | None = (EVERYDAY_WORDS, PUBLIC_TERMS),
                   ) -> dict[str, tuple[str, ...]]:
    """English word or phrase → Danish words: the FreeDict dictionaries found in ``dirs`` (default:
    ``$KLYNGE_DICTD_DIR``, then ``DICTD_DIRS``), an entry of ``terms`` (glossary files, a later one's entry
    replacing an earlier one's; None: none) replacing theirs. Empty when none can be read. Read once per
    set of directories and terms."""
    if dirs is None:
        env = os.environ.get("KLYNGE_DICTD_DIR")
        dirs = ((env,) if env else ()) + DICTD_DIRS
    files = () if terms is None else (terms,) if isinstance(terms, Path) else tuple(terms)
    return _load(tuple(dirs), files)


@functools.lru_cache(maxsize=4)
def _load(dirs: tuple[str, ...], terms: tuple[Path, ...]) -> dict[str, tuple[str, ...]]:
    out = _freedict(dirs)
    for path in terms:
        out |= read_terms(path)  # a later list's entry replaces an earlier one's
    return out


@functools.lru_cache(maxsize=4)
def public_terms(path: Path = PUBLIC_TERMS) -> dict[str, tuple[str, ...]]:
    """The terms of ``path`` alone (English word or phrase → Danish words), read once; empty when it cannot
    be read (FreeDict still serves then)."""
    return read_terms(path)


def read_terms(path: Path) -> dict[str, tuple[str, ...]]:
    """A term list the package ships in ``qa/data`` (a glossary file: ``words<TAB>terms``); empty when it
    cannot be read, which only a broken install gives."""
    with contextlib.suppress(OSError, UnicodeDecodeError):
        return read_glossary(path)
    return {}


def _freedict(dirs: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    out: defaultdict[str, set[str]] = defaultdict(set)
    for name, pairs in ((DANISH_ENGLISH, _danish_english), (ENGLISH_DANISH, _english_danish)):
        path = _find(name, dirs)
        if path is None:
            continue
        try:
            found = list(pairs(path))
        except (OSError, EOFError, gzip.BadGzipFile) as exc:  # one damaged dictionary: the other still serves
            sys.stderr.write(f"klynge: {path} cannot be read ({type(exc).__name__}: {exc}); English questions go "
                             "without it: reinstall it (make dictionary-deps, or apt-get install --reinstall "
                             "dict-freedict-*)\n")
            continue
        for en, da in found:
            out[en].add(da)
    return {k: tuple(sorted(v)) for k, v in out.items()}


def _danish_english(path: Path) -> Iterator[tuple[str, str]]:
    """(English word, Danish sense) pairs from the Danish–English dictionary, read backwards."""
    for head, translations in read_dictd(path):
        da = head.lower()
        if not _DANISH.fullmatch(da):
            continue
        for t in translations:
            t = _ARTICLE.sub("", t)
            if _ENGLISH.fullmatch(t) and len(t.split()) <= MAX_WORDS:
                yield t, da


def _english_danish(path: Path) -> Iterator[tuple[str, str]]:
    """(English word, Danish sense) pairs from the English–Danish dictionary."""
    for head, translations in read_dictd(path):
        en = _clean(head)
        for t in translations:
            if _DANISH.fullmatch(t) and _ENGLISH.fullmatch(en):
                yield en, t
