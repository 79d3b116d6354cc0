"""Danish legal structure: kapitel, §, stk. and nr. in acts, executive orders and law guidance.

An act's text has one paragraph (§) per block, ``"§ 9. … Stk. 2. … 1) … 2) …"``, optionally under
``Kapitel 3`` headings. :func:`structure` finds the provisions (one per stk.; a § without stk. is
one provision) and the numbered items inside them; :meth:`Structure.locator` names any span of the
text the way a memo cites it (``§ 9, stk. 5``, ``§ 9, stk. 2, nr. 3``, ``§§ 9–10``), and
:func:`act_citation` names the act itself (``Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af
29. februar 2024``). The splitter (``indexer.reading.split``) cuts long §§ at stk. boundaries with it, and the
citations (``qa.cite``) and § questions (``qa.legalref``) read it.

What counts as structure: a § only where a block starts with ``§ 9.`` (or ``§ 9 a.``); a stk. only
where a sentence starts with the capitalised ``Stk. 2.``; a nr. only where ``1)``, ``2)`` … follow each other.
Lower-case ``stk. 4`` and ``§ 1`` inside a sentence are references to other provisions, not structure.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Sequence
from dataclasses import dataclass

from indexer.reading.clean import MONTHS
from indexer.reading.document import Document

MIN_PARAGRAPHS = 2  # a text with fewer §-blocks is not a legal text (a single "§ 3." block is a quotation)

_PARA = re.compile(r"(?m)^§\s*(\d+)(?:\s?([a-zæøåA-ZÆØÅ]))?\.(?=\s)")
# "§§ 46 g-i. (Ophævet)", "§ 25-30. (Udelades)": repealed or omitted §§ in one block
_PARAS = re.compile(r"(?m)^§§?\s*(\d+[^.\n]{0,20}?-[^.\n]{1,20})\.(?=\s)")
# a § a consolidated act keeps only as a note that it is repealed or omitted: "§ 13. (Ophævet)",
# "§§ 312-320. (Ubenyttede)", "§ 32. (Udelades)"
_STUB = re.compile(r"^§§?\s*\d[^.\n]{0,30}\.\s*\([^()\n]{1,40}\)\.?\s*$")
_STK = re.compile(r"(?m)(?:^|(?<=[.:;)] ))Stk\.\s*(\d+)\.(?=\s)")
_NR = re.compile(r"(?m)(?:^|(?<=\s))(\d+)\)(?=\s)")
_CHAPTER = re.compile(r"(?m)^Kapitel\s+(\d+\s?[a-zæøå]?|[IVXLC]+)\b\.?")


def opens_provision(block: str) -> bool:
    """Does ``block`` start a § (``§ 9. …``, ``§§ 46 g-i. (Ophævet)``)? Such a block is the act's text, never
    a heading, however short it is."""
    return bool(_PARA.match(block) or _PARAS.match(block))


def is_stub(block: str) -> bool:
    """Is ``block`` a § that only notes it is repealed or omitted (``§ 13. (Ophævet)``)? It says nothing a
    question can be answered by: the splitter puts it before the next § as it would a heading, and it is no
    answer sentence."""
    return bool(_STUB.match(block.strip()))


def paragraph_key(number: str, letter: str = "") -> str:
    """``"9"``, ``"9 a"``, ``"5 A"``: how a § is named in a locator (the letter as the act writes it)."""
    return f"{int(number)} {letter}" if letter else str(int(number))


@dataclass(frozen=True)
class Item:
    """A numbered item (nr.) of a provision: ``2) …``."""

    number: int
    start: int
    end: int


@dataclass(frozen=True)
class Provision:
    """One stk. of a § (stk. 1 is the text before ``Stk. 2.``), with its numbered items."""

    paragraph: str  # "9", "9 a"
    stk: int
    start: int
    end: int
    last_stk: int  # the § has stk. 1..last_stk (1: no stk. at all)
    chapter: str = ""  # "3", "IV" or ""
    items: tuple[Item, ...] = ()


def _trim(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end


def _items(text: str, start: int, end: int) -> tuple[Item, ...]:
    # numbered items run 1, 2, 3 …; anything else ("i 2) pkt." in a reference) is not an item list
    out, expect = [], 1
    for m in _NR.finditer(text, start, end):
        if int(m.group(1)) == expect:
            out.append(m)
            expect += 1
    if not out:
        return ()
    return tuple(Item(int(m.group(1)), m.start(), _trim(text, m.start(), nxt.start() if nxt else end))
                 for m, nxt in zip(out, [*out[1:], None], strict=True))


@dataclass(frozen=True)
class Structure:
    """The provisions of one text, in order; empty for a text that is not a legal text."""

    provisions: tuple[Provision, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.provisions)

    def covering(self, start: int, end: int) -> list[Provision]:
        """The provisions that share at least one non-blank character with ``[start, end)``."""
        starts = [p.start for p in self.provisions]
        i = max(0, bisect.bisect_right(starts, start) - 1)
        out = []
        for p in self.provisions[i:]:
            if p.start >= end:
                break
            if p.end > start and min(p.end, end) > max(p.start, start):
                out.append(p)
        return out

    def locator(self, start: int, end: int) -> str:
        """``§ 9``, ``§ 9, stk. 5``, ``§ 9, stk. 2–3``, ``§ 9, stk. 2, nr. 3``, ``§§ 9–10``; ``""`` outside any §."""
        provs = self.covering(start, end)
        if not provs:
            return ""
        first, last = provs[0], provs[-1]
        if first.paragraph != last.paragraph:
            return f"§§ {first.paragraph}–{last.paragraph}"
        if first.last_stk == 1 and first.stk == 1:
            loc = f"§ {first.paragraph}"
        elif first.stk == 1 and last.stk == first.last_stk:
            return f"§ {first.paragraph}"  # the whole §
        elif first.stk == last.stk:
            loc = f"§ {first.paragraph}, stk. {first.stk}"
        else:
            return f"§ {first.paragraph}, stk. {first.stk}–{last.stk}"
        inside = [it for it in first.items if it.end > start and it.start < end]
        if len(inside) == 1 and inside[0].start <= start + 3:  # within one item: name it too
            loc += f", nr. {inside[0].number}"
        return loc

    def locator_of(self, spans: Sequence[tuple[int, int]]) -> str:
        """The locator of several pieces of the text (an answer's sentences, in order): ``§ 8, stk. 1 og 4`` for
        pieces in stk. 1 and stk. 4 of one §, not the range ``stk. 1–4`` that would cite stk. 2 and 3 too; else,
        as :meth:`locator`, of the stretch from the first piece to the last."""
        whole = self.locator(spans[0][0], spans[-1][1]) if spans else ""
        parts = list(dict.fromkeys(self.locator(a, b) for a, b in spans))
        found = [m for part in parts if (m := re.fullmatch(r"§ (.+?), stk\. (\d+)", part))]
        if len(parts) < 2 or len(found) < len(parts) or len({m.group(1) for m in found}) != 1:
            return whole
        numbers = [int(m.group(2)) for m in found]
        if numbers == list(range(numbers[0], numbers[0] + len(numbers))):
            return whole  # neighbours: the stretch names exactly them
        return f"§ {found[0].group(1)}, stk. {', '.join(map(str, numbers[:-1]))} og {numbers[-1]}"

    def find(self, paragraph: str, stk: int | None = None) -> tuple[int, int] | None:
        """The span of ``§ paragraph`` (or of its ``stk.``); None when the text has no such provision."""
        key = paragraph.lower()

        def hit(p: Provision) -> bool:
            return p.paragraph.lower() == key and (stk is None or p.stk == stk)

        # the first § of that number: amending acts' own "§ 5" (commencement) come after the act's §§
        i = next((i for i, p in enumerate(self.provisions) if hit(p)), None)
        if i is None:
            return None
        j = i
        while j + 1 < len(self.provisions) and hit(self.provisions[j + 1]) and self.provisions[j + 1].stk > \
                self.provisions[j].stk:
            j += 1
        return self.provisions[i].start, self.provisions[j].end


def structure(text: str) -> Structure:
    """The §/stk./nr. structure of ``text``; empty when it has fewer than MIN_PARAGRAPHS §-blocks."""
    singles = list(_PARA.finditer(text))
    if len(singles) < MIN_PARAGRAPHS:
        return Structure()
    paras = sorted([*singles, *_PARAS.finditer(text)], key=lambda m: m.start())
    chapters = [(m.start(), m.group(1).strip()) for m in _CHAPTER.finditer(text)]
    chapter_starts = [c for c, _ in chapters]
    out: list[Provision] = []
    for m, nxt in zip(paras, [*paras[1:], None], strict=True):
        end = nxt.start() if nxt else len(text)
        # a chapter heading between two §§ ends the first one
        ci = bisect.bisect_right(chapter_starts, m.start())
        if ci < len(chapters) and chapters[ci][0] < end:
            end = chapters[ci][0]
        end = _trim(text, m.start(), end)
        chapter = chapters[ci - 1][1] if ci > 0 else ""
        key = paragraph_key(m.group(1), m.group(2) or "") if m.re is _PARA else " ".join(m.group(1).split())
        cuts = [(1, m.start())]
        for s in _STK.finditer(text, m.start(), end):
            if int(s.group(1)) == cuts[-1][0] + 1:  # Stk. 2, 3, … in order; anything else is not structure
                cuts.append((int(s.group(1)), s.start()))
        last_stk = cuts[-1][0]
        for (n, a), nxt_cut in zip(cuts, [*cuts[1:], None], strict=True):
            b = _trim(text, a, nxt_cut[1] if nxt_cut else end)
            out.append(Provision(key, n, a, b, last_stk, chapter, _items(text, a, b)))
    return Structure(tuple(out))


_CACHE: dict[tuple[str, str, int], Structure] = {}
_CACHE_MAX = 4096


def structure_of(doc: Document) -> Structure:
    """:func:`structure` of a document's text, remembered per document version."""
    key = (doc.doc_id, doc.content_hash, len(doc.text))
    got = _CACHE.get(key)
    if got is None:
        if len(_CACHE) >= _CACHE_MAX:
            _CACHE.clear()
        got = _CACHE[key] = structure(doc.text)
    return got


# ---------------------------------------------------------------- naming an act

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_NUMBER = re.compile(r"(?:\d{4}\s*:\s*)?(?:nr\.?\s*)?(\d+)\s*$", re.IGNORECASE)


def danish_date(date: str) -> str:
    """``2024-02-29`` → ``29. februar 2024``; any other form is returned as it is."""
    m = _ISO.match(date.strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        return date.strip()
    return f"{int(m.group(3))}. {MONTHS[int(m.group(2)) - 1]} {m.group(1)}"


def act_number(value: str) -> str:
    """The number an act is cited by: ``2024:230``, ``nr. 230`` and ``230`` all give ``230``."""
    m = _NUMBER.search(str(value or "").strip())
    return m.group(1) if m else ""


@dataclass(frozen=True)
class ActName:
    """An act's name as cited and its instrument (``lov``, ``lovbekendtgørelse``, ``bekendtgørelse``,
    ``cirkulære``; ``""`` for a text that is no act)."""

    name: str
    instrument: str


def act_name(title: str) -> ActName:
    """``Bekendtgørelse af lov om erhvervsfremme`` → (``Lov om erhvervsfremme``, ``lovbekendtgørelse``);
    ``Lov om …`` → (title, ``lov``); ``Bekendtgørelse om …`` → (title, ``bekendtgørelse``); anything
    else → (title, ``""``)."""
    t = " ".join(title.split())
    m = re.match(r"(?i)bekendtgørelse af (.+)$", t)
    if m:
        rest = m.group(1)
        name = rest[0].upper() + rest[1:]
        # "lov om …" or "forvaltningsloven": the first word is an act's name
        return ActName(name, "lovbekendtgørelse" if re.search(r"(?i)lov(en)?\b", rest.split()[0]) else "bekendtgørelse")
    if re.match(r"(?i)lov\b", t):
        return ActName(t, "lov")
    if re.match(r"(?i)(bekendtgørelse|cirkulære) om\b", t):
        return ActName(t, t.split()[0].lower())
    return ActName(t, "")


def is_act(doc: Document) -> bool:
    """An act or executive order (cited by name, number and date), as opposed to a text about one."""
    return bool(doc.number) or (bool(act_name(doc.title).instrument) and bool(structure_of(doc)))


def act_citation(doc: Document) -> str:
    """``Lov om erhvervsfremme, jf. lovbekendtgørelse nr. 230 af 29. februar 2024``; without a number,
    the name alone; an act that is not consolidated: ``Lov om X (lov nr. 5 af 1. januar 2020)``."""
    cited = act_name(doc.title)
    name, instrument = cited.name, cited.instrument
    number = act_number(doc.number)
    if not number:
        return name
    when = f" af {danish_date(doc.date)}" if doc.date else ""
    ref = f"{instrument} nr. {number}{when}" if instrument else f"nr. {number}{when}"
    return f"{name}, jf. {ref}" if instrument == "lovbekendtgørelse" else f"{name} ({ref})"
