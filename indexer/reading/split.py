"""Structure-aware passages: split on headings and paragraphs, merge short ones, split long ones
at sentence ends. Every passage is a slice ``document.text[start:end]`` of one document.

Legal texts (``indexer.reading.legal``): each § starts a passage of its own, a long § is cut at its stk.
boundaries (a stk. is cut at sentence ends only when it is itself too long), and each passage carries its
locator (``§ 9, stk. 2–3``)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from typing import Any

from indexer.reading.document import Document
from indexer.reading.legal import Structure, is_stub, structure_of

TARGET_WORDS = 150
MAX_WORDS = 220
MIN_WORDS = 60
STUB_LEVEL = 99  # a repealed §'s note (legal.is_stub) sits below every heading: it never closes a section

# Abbreviations after which a full stop does not end a sentence (Danish and English).
_ABBREV = {
    "bl.a", "fx", "f.eks", "dvs", "pt", "ca", "min", "mv", "m.v", "jf", "ml", "virks", "evt", "inkl",
    "ekskl", "nr", "stk", "kr", "mio", "mia", "mdr", "tlf", "ref", "hhv", "iflg", "vedr", "etc", "e.g",
    "i.e", "mr", "dr", "no", "vs", "st", "kap", "ang", "osv", "o.l", "m.fl", "u.å", "s", "pkt", "gl",
}
_SENT_END = re.compile(r"[.!?…]+[\"”’)]*\s+(?=[\"“(]?[A-ZÆØÅ0-9•–-])")


@dataclass(frozen=True)
class Passage:
    passage_id: str
    doc_id: str
    title: str
    page: int | None
    page_end: int | None
    section: str  # heading path, " > " joined
    start: int
    end: int
    text: str
    locator: str = ""  # in a legal text: "§ 9, stk. 2–3", "§§ 9–10"; else ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Passage:
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})

    def context_text(self) -> str:
        """What the embedder and the lexical index see: title, heading path, then the text. (Not the
        locator: § questions are looked up by structure, ``qa.legalref``, and vectors of passages whose
        text is unchanged stay valid.)"""
        head = " > ".join(x for x in (self.title, self.section) if x)
        return f"{head}\n{self.text}" if head else self.text


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """(start, end) of each sentence in ``text``; abbreviations and numbers like '2.000' do not end one."""
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENT_END.finditer(text):
        before = text[start:m.start() + 1]
        word_m = re.search(r"([\wæøåÆØÅ.]+)[.]$", before)
        if word_m and word_m.group(1).lower().rstrip(".") in _ABBREV:
            continue
        if re.search(r"\b\d{1,2}\.$", before) and m.group(0).strip() == "." and len(before) < 4:
            continue  # "1. " list numbers
        end = m.start() + len(m.group(0).rstrip())
        if text[start:end].strip():
            spans.append((offset + start, offset + end))
        start = m.end()
    if text[start:].strip():
        end = len(text.rstrip())
        spans.append((offset + start, offset + end))
    return spans


def _words(text: str) -> int:
    return len(text.split())


@dataclass(frozen=True)
class _Unit:
    """A heading, or a block of text no longer than MAX_WORDS (long blocks are cut at sentence ends)."""

    start: int
    end: int
    path: tuple[str, ...]  # heading path above it (a heading's own path ends with itself)
    level: int  # heading level; 0 for text
    is_heading: bool


def _pieces(doc: Document, span_start: int, span_end: int, kind: str, legal: Structure) -> list[tuple[int, int]]:
    """Where a long block may be cut: between table rows, between the stk. of a § (and at sentence
    ends inside a stk. that is itself too long), else at sentence ends."""
    text = doc.text[span_start:span_end]
    if kind == "table":
        return [(span_start + m.start(), span_start + m.end()) for m in re.finditer(r"[^\n]+", text)]
    provs = legal.covering(span_start, span_end) if legal else []
    if provs:
        out: list[tuple[int, int]] = []
        for p in provs:
            a, b = max(p.start, span_start), min(p.end, span_end)
            if _words(doc.text[a:b]) <= MAX_WORDS:
                out.append((a, b))
                continue
            # a long stk.: between its numbered items, and at sentence ends inside a long item
            cuts = [a, *(it.start for it in p.items if a < it.start < b), b]
            for x, y in zip(cuts, cuts[1:], strict=False):
                y = x + len(doc.text[x:y].rstrip())
                if _words(doc.text[x:y]) <= MAX_WORDS:
                    out.append((x, y))
                else:
                    out.extend(sentence_spans(doc.text[x:y], x) or [(x, y)])
        return out
    return sentence_spans(text, span_start) or [(span_start, span_end)]


def _units(doc: Document, legal: Structure) -> list[_Unit]:
    """The document as headings and text units; long blocks cut at stk. boundaries in legal texts,
    else at sentence ends (tables between rows)."""
    units: list[_Unit] = []
    stack: list[tuple[int, str]] = []
    # the document's opening heading is its title: not part of any section path
    title_span = doc.spans[0] if doc.spans and doc.spans[0].kind == "heading" else None
    for span in doc.spans:
        if span.kind == "heading":
            while stack and stack[-1][0] >= span.level:
                stack.pop()
            if span is not title_span:
                stack.append((span.level, doc.text[span.start:span.end]))
            path = tuple(t for _, t in stack) or (doc.text[span.start:span.end],)
            units.append(_Unit(span.start, span.end, path, span.level, True))
            continue
        path = tuple(t for _, t in stack)
        text = doc.text[span.start:span.end]
        if legal and is_stub(text):  # "§ 13. (Ophævet)" goes with the next § as a heading would, outside the path
            units.append(_Unit(span.start, span.end, path, STUB_LEVEL, True))
            continue
        if _words(text) <= MAX_WORDS:
            units.append(_Unit(span.start, span.end, path, 0, False))
            continue
        pieces = _pieces(doc, span.start, span.end, span.kind, legal)
        cur_s, cur_e, n = pieces[0][0], pieces[0][1], _words(doc.text[pieces[0][0]:pieces[0][1]])
        for s, e in pieces[1:]:
            w = _words(doc.text[s:e])
            if (n + w > TARGET_WORDS and n >= MIN_WORDS // 2):
                units.append(_Unit(cur_s, cur_e, path, 0, False))
                cur_s, n = s, 0
            cur_e, n = e, n + w
        units.append(_Unit(cur_s, cur_e, path, 0, False))
    return units


def split_document(doc: Document) -> list[Passage]:
    """Passages of roughly 100–200 words; headings go with the text that follows them."""
    legal = structure_of(doc)
    units = _units(doc, legal)
    groups: list[list[_Unit]] = []
    cur: list[_Unit] = []
    cur_words = 0
    section_words = 0  # words since the last heading in ``cur``
    # words left in each unit's section after it: a passage that reaches its target size does not
    # end just before a short closing paragraph of its section ("... within the five areas."), which
    # would otherwise start the next passage cut off from the text it refers to (orphan control)
    tail = _section_tails(doc, units)
    # in a legal text each § starts a passage of its own (short §§ are not joined): a passage's vector
    # and its citation are one provision's (laws-dev: R@5, MRR and the act at hit 1 up; docs/laws.md)
    starts = {p.start for p in legal.provisions if p.stk == 1} if legal else set()
    for ui, u in enumerate(units):
        w = _words(doc.text[u.start:u.end])
        is_heading = u.is_heading
        if cur and u.start in starts and any(not x.is_heading for x in cur):
            groups.append(cur)
            cur, cur_words = [], 0
        if cur:
            only_headings = all(x.is_heading for x in cur)
            if is_heading and not only_headings:
                # a new section: close, unless we hold a run of short sibling sections that
                # together still make a small passage ("A. ...", "B. ...", each a sentence)
                # ... and never glue the tail of one section (no heading of its own) to the next one
                continuation = not any(x.is_heading for x in cur) and cur_words >= MIN_WORDS // 2
                if (cur_words >= MIN_WORDS and section_words >= MIN_WORDS) or cur_words >= TARGET_WORDS \
                        or u.level < _min_level(cur) or continuation:
                    groups.append(cur)
                    cur, cur_words = [], 0
            elif not is_heading and not only_headings and cur_words + w > MAX_WORDS:
                groups.append(cur)
                cur, cur_words = [], 0
        cur.append(u)
        cur_words += w
        section_words = 0 if is_heading else section_words + w
        if cur_words >= TARGET_WORDS and not is_heading and not (
                tail[ui] <= MIN_WORDS and cur_words + tail[ui] <= MAX_WORDS):
            groups.append(cur)
            cur, cur_words = [], 0
    if cur:
        if groups and all(x.is_heading for x in cur):
            groups[-1].extend(cur)  # trailing heading with no text
        else:
            groups.append(cur)
    return [_passage(doc, g, legal) for g in groups]


def _section_tails(doc: Document, units: list[_Unit]) -> list[int]:
    """Words left in each unit's section after it (0 where a heading follows)."""
    tail = [0] * len(units)
    for i in range(len(units) - 2, -1, -1):
        nxt = units[i + 1]
        tail[i] = 0 if nxt.is_heading else _words(doc.text[nxt.start:nxt.end]) + tail[i + 1]
    return tail


def _passage(doc: Document, group: list[_Unit], legal: Structure | None) -> Passage:
    """One passage of ``doc`` from a group of consecutive units: its text, pages, section and citation."""
    start, end = group[0].start, group[-1].end
    content = [x for x in group if not x.is_heading] or group
    text = doc.text[start:end]
    pid = hashlib.sha1(f"{doc.doc_id}\0{start}\0{text}".encode()).hexdigest()[:12]
    return Passage(f"{doc.doc_id}#{pid}", doc.doc_id, doc.title, doc.page_at(start), doc.page_at(max(start, end - 1)),
                   " > ".join(content[0].path), start, end, text,
                   legal.locator(content[0].start, end) if legal else "")


def _min_level(group: list[_Unit]) -> int:
    levels = [x.level for x in group if x.is_heading]
    return min(levels) if levels else len(group[0].path) or 99


def sentence_windows(passages: list[Passage], size: int = 2) -> Iterator[tuple[int, str]]:
    """(passage number, text) for every window of ``size`` consecutive sentences, headed by the section.

    A passage's last window reaches into the first sentence of the next passage of the same document,
    so a statement cut by a passage boundary ("... the five areas:" | "A. ...") is still seen whole.
    """
    for i, p in enumerate(passages):
        spans = sentence_spans(p.text)
        head = p.section.split(" > ")[-1] if p.section else ""
        nxt = passages[i + 1] if i + 1 < len(passages) and passages[i + 1].doc_id == p.doc_id else None
        for j in range(len(spans)):
            a, b = spans[j][0], spans[min(j + size - 1, len(spans) - 1)][1]
            text = p.text[a:b]
            if j + size - 1 >= len(spans) and nxt is not None:
                first = sentence_spans(nxt.text)[:1]
                if first:
                    text = f"{text} {nxt.text[first[0][0]:first[0][1]]}"
            yield (i, f"{head}\n{text}" if head else text)
