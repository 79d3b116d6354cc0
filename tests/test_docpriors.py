"""Priors on documents (qa/docpriors.py): an act's scope, read from its opening."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, build_index
from qa import DEFAULT_CONFIG, Searcher
from qa.docpriors import ActOpenings

from .conftest import FakeEmbedder, write_corpus

RULES = """§ 2. Ministeren fastsætter nærmere regler om valget af medlemmer. Valget finder sted hvert fjerde år.
Stedfortrædere vælges samtidig med medlemmerne.

§ 3. Rådet holder ordinære møder mindst en gang om måneden, og formanden indkalder medlemmerne til
møderne med otte dages varsel.

§ 4. Rådets møder er offentlige, medmindre rådet beslutter at behandle en sag for lukkede døre.
"""
# two acts whose rules read word for word alike; only their opening (§ 1) says whom each one is for
ACTS = {
    "kommuner.txt": "Bekendtgørelse af lov om råd\n\n§ 1. Loven gælder for kommunerne, kommunalbestyrelsen og "
                    "byrådet i hver kommune.\n\n" + RULES,
    "regioner.txt": "Bekendtgørelse af lov om råd\n\n§ 1. Loven gælder for regionerne, regionsrådet og "
                    "forretningsudvalget i hver region.\n\n" + RULES,
}


@pytest.fixture(scope="module")
def acts_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("scope")
    build_index(write_corpus(root / "corpus", dict(ACTS)), root / "index", FakeEmbedder(), progress=False)
    return root / "index"


def _meeting_act(s: Searcher, question: str) -> str:
    hit = next(h for h in s.search(question, k=5, lang="da").hits if "ordinære møder" in h.passage.text)
    return hit.passage.doc_id


def test_the_act_whose_opening_names_the_asker_wins_a_tie_of_its_rules(acts_index: Path) -> None:
    index = Index.load(acts_index)
    on = Searcher(index, FakeEmbedder(), config=DEFAULT_CONFIG)
    assert _meeting_act(on, "Hvor ofte holder byrådet i kommunen møder?").startswith("kommuner")
    assert _meeting_act(on, "Hvor ofte holder regionsrådet i regionen møder?").startswith("regioner")
    # the two acts' meeting rules score alike; the prior is what parts them, towards the asker's act
    rules = np.array([i for i, p in enumerate(index.passages) if "ordinære møder" in p.text])
    assert [index.passages[i].doc_id for i in rules] == ["kommuner", "regioner"]
    for question, ahead in (("Hvor ofte holder byrådet i kommunen møder?", 0),
                            ("Hvor ofte holder regionsrådet i regionen møder?", 1)):
        priors = []
        for s in (on, Searcher(index, FakeEmbedder(), config=replace(DEFAULT_CONFIG, scope_prior=0.0))):
            q = s.ranker.analyse(question, "da", FakeEmbedder().embed_queries([question])[0], None)
            priors.append(s.ranker.priors(q, rules, np.zeros(2, dtype=np.float32)))
        assert priors[0][ahead] > priors[0][1 - ahead]
        assert priors[1][0] == priors[1][1]


def test_only_acts_get_the_prior_and_relative_to_the_acts_among_the_candidates() -> None:
    # documents 0 and 2 are acts (openings along the x and y axes), 1 is a policy paper
    openings = ActOpenings(np.array([0, 2]), np.array([[1.0, 0.0], [0.0, 1.0]], dtype=np.float32), 3)
    q = np.array([0.8, 0.6], dtype=np.float32)
    assert openings.prior(q, np.array([0, 1, 2, 2])) == pytest.approx([0.1, 0.0, -0.1, -0.1])
    assert openings.prior(q, np.array([0, 1])) == pytest.approx([0.0, 0.0])  # one act alone is not lifted
    assert openings.prior(q, np.array([1, 1])).tolist() == [0.0, 0.0]


def test_a_collection_without_acts_has_no_openings(shipped_fake_index: Path) -> None:
    index = Index.load(shipped_fake_index)
    codes = np.zeros(len(index.passages), dtype=np.int64)
    assert ActOpenings.of(index.passages, codes, 1, index.ann.reconstruct) is None
