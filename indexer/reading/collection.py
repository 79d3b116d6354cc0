"""What a collection says about itself: ``collection.toml`` beside the documents (all optional).

    title = "Klyngepolitik"                    # the app's title ("Søg i dokumenterne" when absent)
    language = "da"                            # the documents' language (default Danish)
    examples = ["Hvem støtter spirende klynger?"]  # example questions in the app (else derived)
    glossary = "glossary_en_da.tsv"            # optional English -> Danish terms for English questions
    questions = "../eval/dev_questions.jsonl"  # optional question set offered in the app's evaluation tab

The build copies it into the index (``collection.json``), so the app and the searcher read it from the
index alone. A glossary is optional domain help for the lexical side of English questions; English
retrieval works without one (docs/ranking.md).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.errors import DocumentError

COLLECTION_FILE = "collection.toml"


@dataclass(frozen=True)
class Collection:
    title: str = ""
    language: str = "da"
    examples: tuple[str, ...] = ()
    glossary: dict[str, tuple[str, ...]] = field(default_factory=dict)  # English phrase -> Danish terms
    glossary_file: str = ""  # the file it came from, relative to the corpus folder
    questions: str = ""  # a question set for the app's evaluation tab (absolute path), or ""

    def to_json(self) -> dict[str, Any]:
        return {"title": self.title, "language": self.language, "examples": list(self.examples),
                "glossary_file": self.glossary_file, "glossary": {k: list(v) for k, v in self.glossary.items()},
                "questions": self.questions}

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Collection:
        return cls(title=str(d.get("title", "")), language=str(d.get("language") or "da"),
                   examples=tuple(str(x) for x in d.get("examples", [])),
                   glossary={str(k): tuple(v) for k, v in (d.get("glossary") or {}).items()},
                   glossary_file=str(d.get("glossary_file", "")), questions=str(d.get("questions", "")))


def read_glossary(path: Path) -> dict[str, tuple[str, ...]]:
    """Tab-separated ``english phrase<TAB>danish terms`` lines; ``#`` comments and blank lines skipped."""
    table: dict[str, tuple[str, ...]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        en, da = line.split("\t", 1)
        table[en.strip().lower()] = tuple(da.split())
    return table


def load_collection(corpus_dir: Path) -> Collection:
    """The collection's settings from ``collection.toml`` (defaults when there is none).

    Raises :class:`DocumentError` naming the file when it or its glossary cannot be read."""
    path = corpus_dir / COLLECTION_FILE
    if not path.exists():
        return Collection()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise DocumentError(str(path), f"collection settings are not valid TOML ({exc}); fix or delete it") from exc
    examples = data.get("examples", [])
    if not isinstance(examples, list) or not all(isinstance(x, str) for x in examples):
        raise DocumentError(str(path), 'examples must be a list of questions, e.g. examples = ["Hvem ...?"]')
    glossary: dict[str, tuple[str, ...]] = {}
    gfile = str(data.get("glossary", "") or "")
    if gfile:
        gpath = corpus_dir / gfile
        if corpus_dir.resolve() not in gpath.resolve().parents:
            raise DocumentError(str(path), f"glossary '{gfile}' must be a file inside the corpus folder")
        try:
            glossary = read_glossary(gpath)
        except (OSError, UnicodeDecodeError) as exc:
            raise DocumentError(str(gpath), f"glossary cannot be read ({exc}); fix the file or remove "
                                            f"'glossary' from {COLLECTION_FILE}") from exc
    questions = str(data.get("questions", "") or "")
    return Collection(title=str(data.get("title", "")), language=str(data.get("language") or "da"),
                      examples=tuple(x.strip() for x in examples if x.strip()), glossary=glossary, glossary_file=gfile,
                      questions=str((corpus_dir / questions).resolve()) if questions else "")
