"""Text cleaning: markup, footnote marks, web chrome, letterheads, line-end hyphenation.

Every function here takes and returns plain strings; the readers in ``indexer/reading/readers/`` decide
what a block is. Rules are written for the debris of Danish public documents: web-page chrome in saved
articles, letterheads of ministries' letters, footnote marks and hyphenation in PDF reports.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

# Lines that are page chrome of a web page or a print, never content.
_CHROME = re.compile(
    r"""^(?:
        [×✕✖]|log\ ?ind|log\ ?ud|menu|søg|print|del(?:\ artikel)?|dot_animation|læs\ også:?|
        \d{1,2}\.\d{1,2}\.\d{2,4}|            # print date 23.6.2024
        \d{1,2}:\d{2}(?::\d{2})?|             # print time 14:19
        .*\bklik\ her\.?|                     # "Støt ... - klik her."
        foto:\ .*|
        cookies?.*|accepter.*cookies.*
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

MONTHS = ("januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december")  # Danish, as dates are written ("29. februar 2024")

# Letterhead: contact lines of an authority's letter paper.
_LETTERHEAD = re.compile(
    r"^(?:(?:telefon|telefax|tlf|fax|e-?post|e-?mail|netsted|cvr-?nr|ean-?nr|ref)\b\.?|www\.\S+|"
    rf"\d{{1,2}}\.\s?(?:{'|'.join(MONTHS)})\s\d{{4}}$).*$",
    re.IGNORECASE,
)
_POSTAL = re.compile(r"^[A-ZÆØÅ][\wæøåÆØÅ.\- ]{1,40}\s\d{1,3}[A-Za-z]?\s*,?\s*\d{4}\s+[A-ZÆØÅ][\wæøå ]+$")
_POSTCODE_ONLY = re.compile(r"^\d{4}\s+[A-ZÆØÅ][\wæøåÆØÅ]+(?:\s[A-ZÆØÅ]{1,2})?$")

_MD_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_MD_LINK = re.compile(r"\[([^\]]+)\]\((?:[^()]|\([^)]*\))*\)")
_MD_EMPH = re.compile(r"(\*\*|__)(.+?)\1|(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])")
_MD_HR = re.compile(r"^\s{0,3}(?:[-*_]\s*){3,}$")
_SUP = re.compile(r"<sup>\s*[\w*†‡]{1,3}\s*</sup>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]{1,400}>")
_SUPERSCRIPT_MARK = re.compile(r"(?<=[\w.,;:)”\"])[¹²³⁴⁵⁶⁷⁸⁹⁰]+")
_LIST_ITEM_RUN = re.compile(r"(?<=[\wæøå)])(\d{1,2}\.)\s*(?=[A-ZÆØÅ])")
BULLET_GLYPHS = "-*•\x7f▪◦·"  # what opens a list item in running text (a PDF's text layer: readers/pdf.py)
_BULLET = re.compile(rf"^\s*(?:[{re.escape(BULLET_GLYPHS)}]|\d{{1,2}}[.)])\s+")
_GLYPH = re.compile(rf"^\s*[{re.escape(BULLET_GLYPHS)}]\s+")
_WS = re.compile(r"[ \t\u00a0\u2000-\u200b\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufeff\ufffe]")

# Danish and English conjunctions that follow a suspended compound ("vækst- og udvikling",
# "klynge- og netværksindsatsen"): the hyphen there is not a line-end hyphenation to undo. The one
# list used by line joining, quote and relevance matching, and the lexical index.
CONJUNCTIONS = frozenset({"og", "eller", "samt", "and", "or", "&", "og/eller"})


_MOJIBAKE = re.compile(r"Ã[\x80-\xbf¦¸¥†˜…‰]|â€|Â[\xa0-\xbf]")
_ODD_CHAR = re.compile(r"[\ufffd\ue000-\uf8ff\x00-\x08\x0e-\x1f]")
_TOKEN = re.compile(r"\S+")
_PLAUSIBLE_WORD = re.compile(r"[(\"'“„«]*(?=[^\W\d_]*[aeiouyæøåéèáàöüäAEIOUYÆØÅÉ])[^\W\d_]{1,24}(?:-[^\W\d_]{1,24})*[)\"'”»:;,.!?]*")


def is_plausible_word(token: str) -> bool:
    """Letters with a vowel (a hyphenated compound, surrounding punctuation allowed): a word, not debris."""
    return bool(_PLAUSIBLE_WORD.fullmatch(token))


def looks_garbled(text: str) -> bool:
    """Is this a page's text layer that is not text: mojibake (UTF-8 read as Latin-1: "klyngeindsatsÃ¦"),
    replacement and private-use characters (a font without a character map), or mostly tokens that are
    no word (a copier's poor OCR: "Kl!ynge 5tr@t3gi")? Such a page is read by OCR instead."""
    if not text.strip():
        return True
    if len(_MOJIBAKE.findall(text)) >= 3 or len(_ODD_CHAR.findall(text)) > max(3, len(text) // 20):
        return True
    tokens = [t for t in _TOKEN.findall(text) if not t.isdigit() and not re.fullmatch(r"[\W_]+", t)]
    if len(tokens) < 20:
        return False  # too little to judge: a short page (a title, a signature) is kept as it is
    plausible = sum(1 for t in tokens if is_plausible_word(t))
    return plausible < 0.5 * len(tokens)


def normalize_unicode(text: str) -> str:
    """NFC, no control characters, non-breaking and odd spaces as plain spaces."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", text)
    return text.replace("\u00ad", "")  # soft hyphen


def collapse_ws(text: str) -> str:
    return _WS.sub(" ", text).strip()


def is_chrome(line: str) -> bool:
    s = collapse_ws(line)
    return bool(s) and (_CHROME.match(s) is not None)


def is_letterhead(line: str) -> bool:
    s = collapse_ws(line)
    return bool(s) and bool(_LETTERHEAD.match(s) or _POSTAL.match(s) or _POSTCODE_ONLY.match(s))


def is_postal(line: str) -> bool:
    s = collapse_ws(line)
    return bool(_POSTAL.match(s) or _POSTCODE_ONLY.match(s))


# A table that a text export wrote out with its cells' formatting ("… 0,44 Right 1 1 border-top: 1pt solid
# #000000; border-left: …; grid-V: 0pt none #000000; …"; 19 of the 316 acts of ../shared/bench/laws): the
# border declarations, the column widths and each cell's alignment and spans are not text.
_CELL_BORDER = re.compile(r"\b[A-Za-z][A-Za-z-]*:\s*\d+(?:\.\d+)?pt\s+(?:none|solid|dashed|dotted|double)\s+#[0-9A-Fa-f]{6};\s*")
_COLUMN_WIDTHS = re.compile(r"(?:\b\d+\s+){0,3}(?:\d+(?:\.\d+)?cm,?\s*){0,4}(?:(?:left|right|center)\s+)?"
                            r"column-width:(?:\s*\d+(?:\.\d+)?pt)+;\s*", re.IGNORECASE)
_CELL_ALIGN = re.compile(r"(?<=\S)\s+(?:Left|Center|Right|Justify)(?:\s+\d+\s+\d+)?(?:\s+(?:top|middle|bottom))?(?=\s|$)")


def strip_table_markup(text: str) -> str:
    """A text with its cells' formatting written out (border declarations such as ``border-top: 1pt solid
    #000000;``), without it: the cells kept with " |" after each. An alignment word after a cell ("Center",
    "Right 1 1") is taken for formatting only in a text with such declarations; any other text is returned
    as it is."""
    if not _CELL_BORDER.search(text):
        return text
    return _CELL_ALIGN.sub(" |", _COLUMN_WIDTHS.sub("", _CELL_BORDER.sub("", text)))


def strip_inline_markup(text: str) -> str:
    """Markdown emphasis and links, HTML tags and entities, footnote marks."""
    text = _SUP.sub("", text)
    text = re.sub(r"</li>\s*<li[^>]*>", "; ", text, flags=re.IGNORECASE)
    text = re.sub(r"<br\s*/?>", " ", text, flags=re.IGNORECASE)
    text = _TAG.sub(" ", text)
    text = html.unescape(text)
    text = _MD_LINK.sub(r"\1", text)
    for _ in range(2):  # nested **_x_**
        text = _MD_EMPH.sub(lambda m: m.group(2) or m.group(3) or "", text)
    text = text.replace("**", "")
    text = _SUPERSCRIPT_MARK.sub("", text)
    return collapse_ws(text)


def split_run_on_list(cell: str) -> str:
    """'...videnbroer2. Styrket...' (a list flattened into one table cell) -> '...videnbroer; 2. Styrket...'."""
    cell = _LIST_ITEM_RUN.sub(r"; \1 ", cell)
    return re.sub(r"\s*;\s*;\s*", "; ", cell)


def markdown_heading(line: str) -> tuple[int, str] | None:
    m = _MD_HEADING.match(line)
    if not m:
        return None
    return len(m.group(1)), strip_inline_markup(m.group(2))


def is_hr(line: str) -> bool:
    return bool(_MD_HR.match(line))


def bullet_of(line: str) -> bool:
    return bool(_BULLET.match(line))


def strip_bullet(line: str) -> str:
    """Drop a pure bullet glyph; keep list numbers ('1. ...'), which carry meaning."""
    return _GLYPH.sub("", line)


_WORD = re.compile(r"[\wæøåÆØÅ]+(?:-[\wæøåÆØÅ]+)*")


def vocabulary(lines: Iterable[str]) -> set[str]:
    """Lower-cased words seen in running text, not counting words broken at a line end."""
    vocab: set[str] = set()
    for line in lines:
        s = line.rstrip()
        words = _WORD.findall(s[:-1] if s.endswith("-") else s)
        if s.endswith("-") and words:
            words = words[:-1]
        vocab.update(w.lower() for w in words)
    return vocab


def join_lines(lines: list[str], vocab: set[str] | frozenset[str] = frozenset()) -> str:
    """Join the lines of one paragraph, undoing line-end hyphenation.

    "er-" + "hvervsliv" -> "erhvervsliv"; "vækst-" + "og ..." -> "vækst- og ..." (suspended
    compound); "EU-" + "ansøgninger" -> "EU-ansøgninger"; a capitalised name keeps its hyphen
    ("Esbjerg-området") unless the joined word occurs elsewhere in the document.
    """
    out = ""
    for raw in lines:
        line = collapse_ws(raw)
        if not line:
            continue
        if not out:
            out = line
            continue
        if out.endswith("-") and len(out) >= 2 and out[-2].isalnum():
            out = _join_hyphen(out, line, vocab)
        else:
            out = out + " " + line
    return out


def _join_hyphen(left: str, right: str, vocab: set[str] | frozenset[str]) -> str:
    prefix_m = re.search(r"([\wæøåÆØÅ/]+)-$", left)
    prefix = prefix_m.group(1) if prefix_m else ""
    next_word_m = re.match(r"[\wæøåÆØÅ&/]+", right)
    next_word = next_word_m.group(0) if next_word_m else ""
    keep = left + right  # hyphen kept, no space
    join = left[:-1] + right  # hyphen dropped
    if not next_word or not prefix:
        return keep
    if next_word.lower() in CONJUNCTIONS:
        return left + " " + right
    if next_word[0].isupper() or next_word[0].isdigit():
        return keep
    joined = (prefix + next_word).lower()
    hyphened = f"{prefix}-{next_word}".lower()
    if joined in vocab:
        return join
    if hyphened in vocab:
        return keep
    if prefix[-1].isdigit() or (prefix.isupper() and len(prefix) >= 2):
        return keep
    if prefix[0].isupper() and _looks_like_name(prefix, vocab):
        return keep
    return join


def _looks_like_name(prefix: str, vocab: set[str] | frozenset[str]) -> bool:
    """A capitalised fragment that is a word of its own elsewhere is a name: 'Esbjerg-området'."""
    return prefix.lower() in vocab


_QUOTES = frozenset("\"“”„«»‘’‚'`´\u00ad")
_DASHES = frozenset("‐‑‒–—−")
_NEXT_WORD = re.compile(r"[\w&/]+")


@dataclass(frozen=True)
class Folded:
    """A text in its matching form (:func:`fold_for_match`) and, for each of its characters, its offset in
    the original."""

    text: str
    offsets: list[int]


def fold_for_match(text: str) -> Folded:
    """The matching form of ``text`` and, for each of its characters, the offset in ``text``.

    Lower case; quotes (and soft hyphens) dropped; dashes unified to "-"; runs of whitespace as one
    space; line-end hyphenation joined ("er-\nhvervsliv" -> "erhvervsliv") unless a conjunction follows
    (a suspended compound: "vækst- og"). Quote lookup maps matches back to the document through the
    offsets; relevance in evaluation compares :func:`normalize_for_match` forms.
    """
    out: list[str] = []
    pos: list[int] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "-" and i + 1 < n and text[i + 1] in " \n" and i > 0 and text[i - 1].isalpha():
            j = i + 1
            while j < n and text[j] in " \n":
                j += 1
            m = _NEXT_WORD.match(text, j)
            word = m.group(0).lower() if m else ""
            if word[:1].isalpha() and word not in CONJUNCTIONS:
                i = j  # "er-\nhvervsliv" -> "erhvervsliv"
                continue
        if ch in _QUOTES:
            i += 1
            continue
        if ch in _DASHES:
            ch = "-"
        if ch.isspace():
            if out and out[-1] == " ":
                i += 1
                continue
            ch = " "
        out.append(ch.lower())
        pos.append(i)
        i += 1
    return Folded("".join(out), pos)


def normalize_for_match(text: str) -> str:
    """Case, whitespace, quotes, markup and hyphenation folded: the relevance-matching form."""
    return fold_for_match(strip_inline_markup(normalize_unicode(text))).text.strip()
