"""English questions over Danish texts: a word-bag translation through a bilingual glossary.

The multilingual embedding model handles meaning across languages, but the lexical index only
matches Danish words. ``to_danish`` maps an English question's words and phrases (longest match
first) to Danish terms from ``data/glossary_en_da.tsv`` so the lexical index can take part.
Words without an entry are kept: names, acronyms and loanwords ("EU", "offshore") match as they are.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

GLOSSARY = Path(__file__).with_name("data") / "glossary_en_da.tsv"
_MAX_PHRASE = 3


@lru_cache(maxsize=4)
def load_glossary(path: str = str(GLOSSARY)) -> dict[str, tuple[str, ...]]:
    table: dict[str, tuple[str, ...]] = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        en, da = line.split("\t", 1)
        table[en.strip().lower()] = tuple(da.split())
    return table


def _variants(word: str) -> list[str]:
    out = [word]
    for suffix, repl in (("'s", ""), ("ies", "y"), ("es", ""), ("s", ""), ("ed", ""), ("ed", "e"), ("ing", ""),
                         ("ing", "e"), ("ly", "")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            out.append(word[: -len(suffix)] + repl)
    return out


def to_danish(question: str, glossary: dict[str, tuple[str, ...]] | None = None) -> str:
    """Danish terms for an English question (a bag of words, not a sentence)."""
    table = glossary if glossary is not None else load_glossary()
    tokens = re.findall(r"[a-z0-9æøå]+(?:-[a-z0-9æøå]+)*", question.lower())
    out: list[str] = []
    i = 0
    while i < len(tokens):
        for n in range(min(_MAX_PHRASE, len(tokens) - i), 0, -1):
            phrase_words = tokens[i:i + n]
            hits = None
            for cand in ([" ".join(phrase_words)] + [" ".join(phrase_words[:-1] + [v]) for v in _variants(phrase_words[-1])[1:]]):
                if cand in table:
                    hits = table[cand]
                    break
            if hits is not None:
                out.extend(hits)
                i += n
                break
        else:
            out.append(tokens[i])
            i += 1
    return " ".join(out)
