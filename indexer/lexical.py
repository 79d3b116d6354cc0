"""Danish-aware lexical index: BM25 (bm25s) over character n-grams of words plus Snowball stems.

Danish writes compounds as one word ("klyngeorganisationer", "erhvervsfremmebestyrelse"), so a
query word only matches part of a document word; character 4-grams of each word catch that, and
the Danish Snowball stem (PyStemmer) keeps whole-word matches strong. Stopwords are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

NGRAM = 4

DANISH_STOPWORDS = frozenset("""
ad af alle alt anden andet andre at bare begge blev blive bliver da de dem den denne dens der deres
det dette dig din dine disse dit dog du efter eller en end ene eneste enhver er et fem fire flere fleste
for fordi forrige fra få før god han hans har havde have hej helt hende hendes her hos hun hvad hvem
hver hvilke hvilken hvis hvor hvordan hvorfor hvornår i ikke ind ingen intet ja jeg jer jeres jo kan
kom komme kommer kun kunne lad lav lidt lige lille man mand mange med meget men mens mere mig min mine
mit mod må ned nej ni nogen noget nogle nu ny nye nyt når nær næste næsten og også om op os otte over
på se seks selv ser ses sig sin sine sit skal skulle som stor store syv sådan ti til to tre ud under
var ved vi vil ville vor vores være været
""".split())

ENGLISH_STOPWORDS = frozenset("""
a about above after again against all am an and any are as at be because been before being below
between both but by can could did do does doing down during each few for from further had has have
having he her here hers him his how i if in into is it its itself just me more most my no nor not now
of off on once only or other our out over own same she should so some such than that the their them
then there these they this those through to too under until up very was we were what when where which
while who whom why will with would you your according many much
""".split())

STOPWORDS = DANISH_STOPWORDS | ENGLISH_STOPWORDS
_WORD = re.compile(r"[0-9a-zæøåäöüéèáàóòúùíìñç]+(?:[.,][0-9]+)*", re.IGNORECASE)


@lru_cache(maxsize=1)
def _stemmer():  # type: ignore[no-untyped-def]
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer("danish")


def words(text: str) -> list[str]:
    text = unicodedata.normalize("NFC", text).lower()
    return [w for w in _WORD.findall(text) if w not in STOPWORDS]


def tokenize(text: str) -> list[str]:
    """Stems ('s:klyng') and boundary-marked character n-grams ('#kly', 'klyn', ...) of each word."""
    out: list[str] = []
    ws = words(text)
    stems = _stemmer().stemWords(ws) if ws else []
    for w, s in zip(ws, stems, strict=True):
        out.append("s:" + s)
        if len(w) <= NGRAM:
            out.append("w:" + w)
            continue
        marked = f"#{w}#"
        out.extend(marked[i:i + NGRAM] for i in range(len(marked) - NGRAM + 1))
    return out


def tokenize_many(texts: Iterable[str]) -> list[list[str]]:
    return [tokenize(t) for t in texts]


class LexicalIndex:
    """A thin wrapper over ``bm25s.BM25`` with our tokenizer; persisted as bm25s's own files."""

    def __init__(self, retriever: object | None = None) -> None:
        self._r = retriever

    @classmethod
    def build(cls, texts: Sequence[str]) -> LexicalIndex:
        import bm25s

        r = bm25s.BM25(k1=1.2, b=0.75)
        corpus_tokens = tokenize_many(texts)
        # bm25s needs at least one token per document
        corpus_tokens = [t or ["<empty>"] for t in corpus_tokens]
        r.index(corpus_tokens, show_progress=False)
        return cls(r)

    def save(self, directory: Path) -> None:
        assert self._r is not None
        self._r.save(str(directory), show_progress=False)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, directory: Path) -> LexicalIndex:
        import bm25s

        return cls(bm25s.BM25.load(str(directory), mmap=False, show_progress=False, verbosity=0))

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for ``query`` (0 where nothing matches)."""
        assert self._r is not None
        tokens = [t for t in tokenize(query) if t in self._vocab]
        n = self.size
        if not tokens:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._r.get_scores(tokens), dtype=np.float32)  # type: ignore[attr-defined]

    @property
    def _vocab(self) -> dict[str, int]:
        return self._r.vocab_dict  # type: ignore[union-attr]

    @property
    def size(self) -> int:
        return int(self._r.scores["num_docs"])  # type: ignore[union-attr]
