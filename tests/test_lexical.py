"""Danish lexical matching: suspended compounds written out against the corpus vocabulary."""

from __future__ import annotations

import numpy as np
import pytest

from indexer.lexical import LexicalIndex, suspended_compounds

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
