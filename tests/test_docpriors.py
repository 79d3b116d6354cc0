"""Priors on documents (qa/docpriors.py): an act's scope, read from its opening; a document's words."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from indexer import Index, build_index
from qa import DEFAULT_CONFIG, Searcher
from qa.docpriors import ActOpenings, document_prior

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
        off = replace(DEFAULT_CONFIG, scope_prior=0.0, document_lexical=0.0)  # the document prior prefers it too
        for s in (on, Searcher(index, FakeEmbedder(), config=off)):
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


# ---------------------------------------------------------------- a document's words

# two texts (no acts) whose rule on meetings reads word for word alike; only the first speaks of leave and
# substitutes elsewhere, in passages of their own
MEETINGS = "Rådet holder ordinære møder mindst en gang om måneden, og formanden indkalder medlemmerne."
LEAVE = {
    "personale.txt": "Om rådet\n\n" + MEETINGS + "\n\nEt medlem, der går på barsel, har forfald i "
                     "orlovsperioden.\n\nSuppleanten indkaldes, når et medlem har forfald i mere end en måned.",
    "bygninger.txt": "Om rådet\n\n" + MEETINGS + "\n\nRådet vedligeholder bygningerne og udearealerne.\n\n"
                     "Tagene efterses hvert andet år i Silkeborg, Herning og Ikast.",
}
LEAVE_Q = "Skal suppleanten indkaldes til rådets møder, når et medlem er på barsel?"


@pytest.fixture(scope="module")
def leave_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("words")
    build_index(write_corpus(root / "corpus", dict(LEAVE)), root / "index", FakeEmbedder(), progress=False)
    return root / "index"


def _rule_priors(index: Index, question: str, lang: str, weight: float) -> np.ndarray:
    """The priors of the two texts' identical meeting rules (personale's first)."""
    rules = sorted((i for i, p in enumerate(index.passages) if "ordinære møder" in p.text),
                   key=lambda i: index.passages[i].doc_id != "personale")
    assert [index.passages[i].doc_id for i in rules] == ["personale", "bygninger"]
    s = Searcher(index, FakeEmbedder(), config=replace(DEFAULT_CONFIG, document_lexical=weight))
    q = s.ranker.analyse(question, lang, FakeEmbedder().embed_queries([question])[0], None)
    return s.ranker.priors(q, np.array(rules), np.zeros(2, dtype=np.float32))


def test_the_document_that_holds_the_questions_words_elsewhere_wins_a_tie(leave_index: Path) -> None:
    index = Index.load(leave_index)
    on, off = _rule_priors(index, LEAVE_Q, "da", 0.15), _rule_priors(index, LEAVE_Q, "da", 0.0)
    assert off[0] == off[1]  # the rules read alike: nothing else parts them
    assert on[0] > on[1]  # "suppleanten", "barsel" stand in personale's other passages
    scores = index.lexical.document_scores(LEAVE_Q, np.arange(len(index.passages)))
    assert scores is not None and len({float(x) for x in scores}) == 2  # one score a document, every passage has it


def test_a_town_the_question_names_lifts_no_document_that_lists_it(leave_index: Path) -> None:
    """A local fact ("… i Silkeborg Kommune") is what acts do not answer; a document that lists the town is
    no likelier to, and lifted it would put the town into the top passages that the verdict reads for it."""
    index = Index.load(leave_index)
    question = "Hvor tit holder rådet i Silkeborg ordinære møder?"
    personale, bygninger = _rule_priors(index, question, "da", 0.15) - _rule_priors(index, question, "da", 0.0)
    rules = np.array([i for i, p in enumerate(index.passages) if "ordinære møder" in p.text])
    rules = rules[np.argsort([index.passages[i].doc_id != "personale" for i in rules], kind="stable")]
    named = index.lexical.document_scores(question, rules)  # the town counted
    assert named is not None
    named_personale, named_bygninger = 0.15 * document_prior(named, np.array([0, 1]))
    assert named_bygninger - named_personale > 0.05  # it would lift the list of towns
    assert abs(bygninger - personale) < 0.02  # what the question asks: the two read nearly alike


def test_questions_in_another_language_get_no_document_prior(leave_index: Path) -> None:
    index = Index.load(leave_index)
    question = "Must the substitute be called to the council's meetings when a member is on parental leave?"
    assert _rule_priors(index, question, "en", 0.15).tolist() == _rule_priors(index, question, "en", 0.0).tolist()


def test_an_index_built_without_documents_bm25_loads_and_ranks_without_the_prior(leave_index: Path,
                                                                                 tmp_path: Path) -> None:
    import shutil

    old = tmp_path / "index"
    shutil.copytree(leave_index, old)
    shutil.rmtree(old / "lexical" / "documents")
    (old / "lexical" / "doc_of.npy").unlink()
    manifest = json.loads((old / "manifest.json").read_text(encoding="utf-8"))  # as an older build listed its files
    manifest["files"] = [f for f in manifest["files"] if not f.startswith(("lexical/documents", "lexical/doc_of"))]
    (old / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    index = Index.load(old)
    assert index.lexical.document_scores(LEAVE_Q, np.arange(3)) is None
    on = _rule_priors(index, LEAVE_Q, "da", 0.15)
    assert on[0] == on[1]
    assert Searcher(index, FakeEmbedder()).search(LEAVE_Q, k=3, lang="da").hits


def test_document_prior_is_a_share_of_the_best_less_the_candidate_documents_mean() -> None:
    codes = np.array([0, 1, 1, 2])  # each document counted once in the mean: (1 + 0.5 + 0) / 3
    assert document_prior(np.array([4.0, 2.0, 2.0, 0.0]), codes) == pytest.approx([0.5, 0.0, 0.0, -0.5])
    assert document_prior(np.zeros(4), codes).tolist() == [0.0] * 4  # nothing matched
    assert document_prior(None, codes).tolist() == [0.0] * 4  # an index without documents' BM25
