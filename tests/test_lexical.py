"""Danish lexical matching: suspended compounds written out against the corpus vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.store.lexical import LexicalIndex
from indexer.store.tokens import identifiers, suspended_compounds

KNOWN = {"indsatsen", "organisationer", "ministeriet", "institutioner", "velfærdsteknologi", "teknologi"}


@pytest.mark.parametrize(("text", "expected"), [
    ("klynge- og netværksindsatsen", ["klyngeindsatsen"]),
    ("de er ikke branche- eller erhvervsorganisationer med et formål", ["brancheorganisationer"]),
    ("Uddannelses- og Forskningsministeriet (UFM)", ["uddannelsesministeriet"]),
    ("bio-, miljø-, velfærdsteknologi", ["bioteknologi", "miljøteknologi"]),
    ("forsknings-, teknologi- og uddannelsesinstitutioner", ["forskningsinstitutioner", "teknologiinstitutioner"]),
    ("EU-ansøgninger og vækst-", []),  # an ordinary hyphenated word, and a dangling prefix
    ("klynge- og netværkszzzz", []),  # no known tail: nothing guessed
])
def test_suspended_compounds(text: str, expected: list[str]) -> None:
    assert suspended_compounds(text, KNOWN) == expected


def test_a_compound_query_meets_its_suspended_form() -> None:
    texts = ["De er neutrale platforme og ikke branche- eller erhvervsorganisationer.",
             "Branchens organisationer deltager.",  # wins on n-grams alone
             "Organisationer i erhvervslivet.", "Virksomheder i klynger."]
    scores = LexicalIndex.build(texts).scores("brancheorganisationer")
    assert int(np.argmax(scores)) == 0


def test_codes_that_mix_letters_and_digits_are_tokens_of_their_own() -> None:
    text = "AS-258 og LC-34, KC135-flyet, CO2 og H1N1; ikke 1.200 borgere, § 9, Apollo 1 eller 2016-2018"
    assert identifiers(text) == ["i:as-258", "i:lc-34", "i:kc135-flyet", "i:co2", "i:h1n1"]
    # the same words but the code; as words alone, the second (shorter in tokens) would win
    texts = ["Missionen AS-258 blev lanceret i 1967.", "Raketten 258 blev lanceret i 1966.",
             *(f"Kommunen {w} borgerne i området." for w in ("hjælper", "støtter", "rådgiver", "hører", "takker"))]
    assert int(np.argmax(LexicalIndex.build(texts).scores("Hvornår skulle AS-258 lanceres?"))) == 0


# ---------------------------------------------------------------- stems only, at scale (issue 16)

STEM_TEXTS = ["Kommunerne kan varetage lokale erhvervsfremmeaktiviteter.", "Erhvervshusene rådgiver virksomheder.",
              "", "Virksomheder i klynger samarbejder med kommunerne om erhvervsfremme og erhvervsfremme.",
              "Stk. 2. Loven gælder ikke for Grønland.", "Missionen AS-258 blev aflyst efter 258 dage."]


def test_large_collections_get_stem_tokens() -> None:
    from indexer.store.tokens import STEMS_ONLY_ABOVE, token_mode

    assert token_mode(STEMS_ONLY_ABOVE) == "full" and token_mode(STEMS_ONLY_ABOVE + 1) == "stems"


def test_the_streamed_stem_build_scores_as_bm25s_does(tmp_path) -> None:  # noqa: ANN001
    from indexer.store.lexical import _bm25, _bm25_stems_stream
    from indexer.store.tokens import tokenize

    ref, ours = _bm25(STEM_TEXTS, None, "stems"), _bm25_stems_stream(iter(STEM_TEXTS))
    for q in ("erhvervsfremme kommunerne", "virksomheder klynger", "Grønland", "AS-258"):
        toks = tokenize(q, mode="stems")
        a = ref.get_scores([t for t in toks if t in ref.vocab_dict])
        b = ours.get_scores([t for t in toks if t in ours.vocab_dict])
        assert np.allclose(a, b, atol=1e-6) and a.max() > 0
    lex = LexicalIndex.build(STEM_TEXTS, mode="stems")
    lex.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert again.mode == "stems"  # queries are tokenised as the index was
    assert int(np.argmax(again.scores("Hvad gør kommunerne for erhvervsfremme?"))) == 3


def test_a_translated_word_counts_with_its_best_sense_not_all_of_them() -> None:
    """A structured query (a dictionary's senses of each English word, one group each: "How long is a rural
    zone permit valid if the owner never uses it?"): summed as a bag, the seven senses of "uses" outweigh the
    one of "rural zone permit"; by each group's best sense, the passage on the permit wins. A group of one
    scores as the same words in a text query."""
    uses = ("afbenytte", "afbenyttelse", "benytte", "benyttelse", "brug", "bruge", "tilbringe")
    texts = ["En landzonetilladelse bortfalder, hvis den ikke er udnyttet inden 3 år.",
             "Foreningen kan bruge og benytte lokalet til brug for møder, tilbringe aftener der og afbenytte "
             "køkkenet ved benyttelse af huset.", "Kommunen fører tilsyn med plejehjem.", "Regionen driver sygehusene."]
    lexical = LexicalIndex.build(texts)
    groups = [uses, ("landzonetilladelse",)]
    assert int(np.argmax(lexical.scores(" ".join(w for g in groups for w in g)))) == 1  # the bag's fault
    assert int(np.argmax(lexical.scores(groups))) == 0
    assert np.allclose(lexical.scores([("tilsyn",), ("plejehjem",)]), lexical.scores("tilsyn plejehjem"))


@pytest.mark.parametrize("mode", ["full", "stems"])
def test_documents_bm25_scores_how_densely_a_document_holds_the_words_not_how_often(mode: str) -> None:
    """A short document that writes the question's words once, against one that writes them six times among
    ten times as many words: the short one is more about them (full length normalisation; at Lucene's b 0.75
    for passages the long one's count wins)."""
    filler = ["Tagene efterses hvert år af kommunen.", "Vejene fejes om foråret.", "Bibliotekerne holder åbent om lørdagen.",
              "Skolerne afholder forældremøder i september.", "Affald hentes hver anden uge.", "Havnen er åben hele året."]
    texts = ["Suppleanten indkaldes ved forfald.", filler[0], *["Suppleanten kan indkaldes."] * 6, *filler * 3]
    doc_of = [0, 0] + [1] * (6 + 18)
    for other in range(2, 6):  # documents of a typical length, without the words
        texts += filler[:3]
        doc_of += [other] * 3
    lex = LexicalIndex.build(texts, mode=mode).with_documents(texts, np.array(doc_of))
    short, long_ = lex.document_scores("suppleanten indkaldes", np.array([0, 2]))
    assert short > long_ > 0


@pytest.mark.parametrize("mode", ["full", "stems"])
def test_documents_bm25_scores_a_document_by_all_its_passages_and_survives_a_save(tmp_path, mode: str) -> None:  # noqa: ANN001
    texts = ["Et medlem går på barsel.", "Regionsrådet holder møder.", "Suppleanten indkaldes ved forfald.",
             "Suppleanten i regionsrådet indkaldes.", "Tagene efterses."]
    doc_of = np.array([0, 1, 0, 1, 2])  # document 0: passages 0 and 2, not next to each other
    lex = LexicalIndex.build(texts, mode=mode).with_documents(texts, doc_of)
    ids = np.arange(len(texts))
    scores = lex.document_scores("suppleanten barsel", ids)
    assert scores is not None
    assert scores[0] == scores[2] > scores[1] == scores[3] > scores[4] == 0.0
    lex.save(tmp_path)
    again = LexicalIndex.load(tmp_path)
    assert np.allclose(again.document_scores("suppleanten barsel", ids), scores)
    np.save(tmp_path / "doc_of.npy", np.array([0, 1, 0]))  # fewer passages than the index holds
    with pytest.raises(ValueError, match="doc_of.npy"):
        LexicalIndex.load(tmp_path)
