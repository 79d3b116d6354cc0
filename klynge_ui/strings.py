"""Every word the app shows, one table per interface language (``T["da"]``, ``T["en"]``, the same keys),
and :class:`Labels`, the registry the language switch is generated from.

Some words are shown in both languages at once (the Documents and Memo tabs, the evaluation report,
status words): :data:`BOTH` holds them once and each language's table takes them, so a translator
splits one by giving it an entry in that language's own part. Keys ending in ``_fmt`` are
``str.format`` templates.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import gradio as gr

from qa.confidence import MAY_NOT_ANSWER
from qa.spelling import RESPELLED

__all__ = ["BOTH", "DEFAULT_LANG", "LANG_CHOICES", "T", "Labels", "lang_of", "word"]

DEFAULT_LANG = "da"
LANG_CHOICES = {"Dansk": "da", "English": "en"}  # the language switch's choices

BOTH: dict[str, str] = {
    "lang": "Sprog / Language",
    # the Documents tab
    "manage": "Tilføj, erstat eller fjern dokumenter / Add, replace or remove documents",
    "manage_help": "PDF, Word (.docx), HTML, tekst eller skannede sider (PNG, JPEG, TIFF; læses med OCR). Filen "
                   "kontrolleres på indholdet; kun det nye dokument indekseres. / PDF, Word, HTML, text or scans "
                   "(read by OCR), checked by content; only the new document is embedded.",
    "add_files": "Filer – træk og slip / files – drag and drop",
    "m_title": "Titel / title", "m_publisher": "Udgiver / publisher", "m_date": "Dato / date (2024-03-01)",
    "m_kind": "Type / kind", "m_replace": "Ny version af (valgfrit) / new version of (optional)",
    "add": "Tilføj og indeksér / Add and index",
    "save_meta": "Gem kun metadata for det valgte dokument / save only the metadata of the chosen document",
    "rm_pick": "Fjern dokument / remove document", "rm": "Fjern / Remove",
    "no_files": "Vælg en eller flere filer / choose one or more files.",
    "no_meta_doc": "Vælg dokumentet under \"Ny version af\" / choose the document under \"new version of\".",
    "no_rm_doc": "Vælg et dokument / choose a document.",
    "removed_note": "Filen er flyttet til .removed/ i samlingens mappe / the file was moved to .removed/ in the "
                    "collection's folder.",
    "checking": "Kontrollerer og indekserer / checking and indexing",
    "ch_added": "Tilføjet / added", "ch_replaced": "Erstattet / replaced", "ch_removed": "Fjernet / removed",
    "ch_updated": "Opdateret / updated", "ch_refused": "Afvist / refused", "ch_duplicate": "Findes allerede / already there",
    "built_fmt": "Indekset er opdateret / index updated: {passages} passager, {embedded} nye ({seconds:.1f} s).",
    # the documents table and a document opened
    "th_title": "Titel / title", "th_number": "Nummer / number", "th_status": "Status",
    "th_publisher": "Udgiver / publisher", "th_date": "Dato / date", "th_kind": "Type / kind",
    "th_pages": "Sider / pages", "th_passages": "Passager / passages", "th_id": "id", "number_fmt": "nr. {}",
    "st_in_force": "gældende / in force", "st_historic": "historisk / historic", "st_repealed": "ophævet / repealed",
    "no_doc": "Dokumentet findes ikke i indekset / document not in the index.",
    "history": "Historik / history",
    "no_feedback": "Ingen feedback endnu: markér svar i Spørg-fanen. / No feedback yet: mark answers in the Ask tab.",
    "fb_saved": "Tak – din vurdering er gemt og bliver en del af testsættet. / Thanks – your verdict is saved for the test set.",
    "pages_fmt": " · {} sider",
    "ocr_fmt": "skannet / scanned: {pages} s. læst med OCR / pages OCRed, sikkerhed / confidence {confidence} %",
    "ocr_help": "Teksten er læst af billeder med OCR og kan have fejl; tjek citater mod originalen. / "
                "The text was read from images by OCR and may hold errors; check quotes against the original.", "page_mark_fmt": "— Side {} —", "bad_target": "?",
    # the evaluation report
    "choose_file": "Vælg en fil / choose a file.", "ev_within": "Søgt i / searched within:", "skipped": "Sprunget over / skipped:",
    "questions_h": "Spørgsmål / questions", "yes": "ja", "no": "nej", "ok_mark": "✓", "miss_mark": "✗",
    "ev_scope": "scope", "ev_n": "n", "ev_all": "all", "ev_id": "id", "ev_lang": "lang", "ev_question": "question",
    "ev_rank": "first relevant rank", "ev_answered": "answered", "ev_ok": "ok", "ev_top1": "top-1 citation",
    # the Memo tab
    "memo_tab": "Notat / Memo", "memo_docx": "Hent som Word (.docx) / Export Word",
    "memo_md": "Hent som Markdown (.md) / Export Markdown", "memo_copy": "Kopiér alt / Copy all",
    "memo_clear": "Tøm notat / Clear", "memo_file": "Fil / file", "memo_text": "Markdown",
    "memo_empty": "Notatet er tomt / the memo is empty.", "memo_exported_fmt": "{n} citater i {name}",
}

T: dict[str, dict[str, str]] = {
    "da": {
        **BOTH,
        "title": "Søg i dokumenterne", "example_q": "Hvad står der om {}?",
        "tab_ask": "Spørg", "tab_cite": "Slå citat op", "tab_docs": "Dokumenter", "tab_eval": "Evaluering",
        "question": "Dit spørgsmål (dansk eller engelsk)", "placeholder": "Fx: {}",
        "ask": "Søg", "filters": "Afgræns søgningen", "doc": "Dokument", "kind": "Type", "year": "År",
        "k": "Antal passager", "examples": "Eksempler",
        "quote": "Indsæt en sætning", "quote_ph": "Indsæt et citat for at finde kilden", "find": "Find kilden",
        "open_doc": "Vælg dokument", "run_eval": "Kør evaluering", "eval_doc": "Kun i disse dokumenter (ingen: alle)", "use_dev": "Brug samlingens spørgsmål", "use_feedback": "Brug personalets feedback",
        "upload": "Spørgsmålssæt (JSON Lines eller CSV)", "download": "Hent rapport",
        "nothing": MAY_NOT_ANSWER["da"],
        "nothing_sub": "Ingen passage svarer sikkert. De nærmeste passager vises nedenfor – læs dem, før du bruger dem.",
        "respelled": RESPELLED["da"],
        "answer": "Svar fundet", "confidence": "sikkerhed", "copy": "Kopiér citat", "copied": "Kopieret ✓",
        "fb_yes": "Svarer på spørgsmålet", "fb_none": "Ingen af disse svarer på spørgsmålet", "fb_done": "Tak ✓",
        "open": "Åbn i dokumentet", "page": "s.", "section": "Afsnit", "also": "Også i",
        "high": "høj", "medium": "middel", "low": "lav",
        "not_found_quote": "Citatet findes ikke i dokumenterne, heller ikke i en ordlyd tæt på. Stil det som et "
                           "spørgsmål under Spørg for at finde tekst, der siger det samme med andre ord.",
        "exact": "Præcist match", "similar": "Lignende tekst", "status": "Indeks",
        "status_fmt": "{word}: {documents} dokumenter, {passages} passager · model {model} ({embedder}) · bygget {built}",
        "empty": "Skriv et spørgsmål.",
        "memo_add": "Tilføj til notat", "memo_done": "Tilføjet ✓",
    },
    "en": {
        **BOTH,
        "title": "Search the documents", "example_q": "What do the documents say about {}?",
        "tab_ask": "Ask", "tab_cite": "Find a quote", "tab_docs": "Documents", "tab_eval": "Evaluation",
        "question": "Your question (Danish or English)", "placeholder": "E.g.: {}",
        "ask": "Search", "filters": "Narrow the search", "doc": "Document", "kind": "Kind", "year": "Year",
        "k": "Number of passages", "examples": "Examples",
        "quote": "Paste a sentence", "quote_ph": "Paste a quote to find its source", "find": "Find the source",
        "open_doc": "Choose a document", "run_eval": "Run evaluation", "eval_doc": "Only in these documents (none: all)", "use_dev": "Use the collection's questions", "use_feedback": "Use the staff's feedback",
        "upload": "Question set (JSON Lines or CSV)", "download": "Download report",
        "nothing": MAY_NOT_ANSWER["en"],
        "nothing_sub": "No passage answers it with confidence. The closest passages are shown below – read them before you use them.",
        "respelled": RESPELLED["en"],
        "answer": "Answer found", "confidence": "confidence", "copy": "Copy citation", "copied": "Copied ✓",
        "fb_yes": "This answers it", "fb_none": "None of these answers it", "fb_done": "Thanks ✓",
        "open": "Open in document", "page": "p.", "section": "Section", "also": "Also in",
        "high": "high", "medium": "medium", "low": "low",
        "not_found_quote": "The quote is not in the documents, nor anything worded close to it. Ask it as a question "
                           "under Ask to find passages that say the same in other words.",
        "exact": "Exact match", "similar": "Similar text", "status": "Index",
        "status_fmt": "{word}: {documents} documents, {passages} passages · model {model} ({embedder}) · built {built}",
        "empty": "Type a question.",
        "memo_add": "Add to memo", "memo_done": "Added ✓",
    },
}


def lang_of(choice: str) -> str:
    """The interface language of the switch's choice ("Dansk" or "English")."""
    return LANG_CHOICES.get(choice, DEFAULT_LANG)


Word = str | Callable[[str], Any] | bool | int | float | None


def word(spec: Word, lang: str) -> Any:
    """What a registered attribute is in ``lang``: a key of ``T`` its entry, a function its value for the
    language, anything else (``visible=True``) itself."""
    if isinstance(spec, str):
        return T[lang][spec]
    return spec(lang) if callable(spec) else spec


@dataclass
class Labels:
    """The components whose words come from ``T``, registered as they are made: ``labels(gr.Button,
    {"value": "ask"}, variant="primary")`` makes the button with its Danish word and remembers it; the
    language switch is then one ``gr.update`` per registered component (:meth:`updates`), in the order
    of :attr:`components`, so nothing has to line up by hand."""

    entries: list[tuple[Any, dict[str, Word]]] = field(default_factory=list)

    def __call__(self, make: Callable[..., Any], words: dict[str, Word], /, **kwargs: Any) -> Any:
        component = make(**kwargs, **{attr: word(spec, DEFAULT_LANG) for attr, spec in words.items()})
        self.entries.append((component, words))
        return component

    @property
    def components(self) -> list[Any]:
        return [c for c, _ in self.entries]

    def updates(self, lang: str) -> list[Any]:
        return [gr.update(**{attr: word(spec, lang) for attr, spec in words.items()}) for _, words in self.entries]
