"""Fit the confidence model ("nothing found") per question language, with cross-validation.

    python benchmarks/calibrate.py --squad-index DIR           # report cross-validated errors
    python benchmarks/calibrate.py --squad-index DIR --write   # and write the fitted models into qa/config.py
    python benchmarks/calibrate.py --squad-index DIR --write-only CALIBRATED:da   # only that one
    python benchmarks/calibrate.py --squad-index DIR --laws-index .klynge/laws   # the acts too (the English models need them)

Two models per language: over every feature of qa/confidence.py (``CALIBRATED``, the default), and over
all but the answer check's (``CALIBRATED_QUICK``, used with ``ConfidenceConfig.answer_check = 0``).

Pools answerable and unanswerable questions over two collections, so no single collection's scale
decides the model: the shipped corpus (.klynge/index: ../shared dev set, eval/extra, intent, held-out,
eval/unanswerable_policy.jsonl) and squad-da-dev (its index built with `klynge index --corpus
../shared/eval/squad-da-dev/corpus`: its Danish and English questions, eval/unanswerable_squad.jsonl).
Label: the question has an answer in its collection (a non-empty ``expected``), not whether the
search found it. Logistic regression on standardised features (qa/confidence.py), L2 1.0, classes
weighted to count equally; 5-fold cross-validation repeated over 5 shuffles. Prints false answers
(unanswerable questions answered) and false declines (answerable ones declined) per language and set.

Leave one collection out: each collection's questions decided by the models fitted on the other
collections' alone, what a collection nobody calibrated on (a user's own) gets. ``--laws-index`` (the
index of all 316 acts of ../shared/bench/laws, .klynge/laws) adds a third collection: everyday questions
over the acts in lay words (eval/laws_everyday.jsonl), eval/laws_questions.jsonl and
eval/unanswerable_laws.jsonl (near-topic questions the acts do not answer), without the § lookups, whose
verdict is a rule, not the model. Which collections each language's models are fitted on is ``FITTED_ON``
(docs/ranking.md, "7. Confidence"); laws-dev, eval/laws_dev_acts.jsonl, eval/laws_fresh.jsonl and
eval/laws_unseen.jsonl are never in it, so their verdicts measure a model that has not seen them.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from indexer import Index  # noqa: E402
from qa import DEFAULT_CONFIG, Searcher  # noqa: E402
from qa.confidence import FEATURES, QUICK_FEATURES, TOP  # noqa: E402
from qa.evaluate import load_questions  # noqa: E402
from qa.lang import detect_lang  # noqa: E402

SHARED = ROOT.parent / "shared" / "eval"
SHIPPED_SETS = [SHARED / "dev_questions.jsonl", ROOT / "eval" / "extra_questions.jsonl",
                ROOT / "eval" / "intent_questions.jsonl", ROOT / "eval" / "heldout_questions.jsonl",
                ROOT / "eval" / "unanswerable_policy.jsonl"]
LAWS_SETS = [ROOT / "eval" / "laws_everyday.jsonl", ROOT / "eval" / "laws_questions.jsonl",
             ROOT / "eval" / "unanswerable_laws.jsonl"]
SQUAD_SETS = [SHARED / "squad-da-dev" / "questions_da.jsonl", SHARED / "squad-da-dev" / "questions_en.jsonl",
              ROOT / "eval" / "unanswerable_squad.jsonl"]
L2 = 1.0
FOLDS, REPEATS = 5, 5


def collect(index_dir: Path, files: list[Path], collection: str) -> list[dict]:
    """The confidence model's features of every question, as the search computes them (not of a § question
    the legal lookup resolves: it is answered by rule)."""
    s = Searcher(Index.load(index_dir), config=DEFAULT_CONFIG)
    rows = []
    for f in files:
        for q in load_questions(f).questions:
            if s.config.legal.enabled and s.legal.resolve(q.question) is not None:
                continue
            lang = q.lang or detect_lang(q.question)
            x = s.search(q.question, k=TOP, lang=lang).features
            rows.append({"set": f.stem, "collection": collection, "lang": lang, "y": int(bool(q.expected)),
                         **{n: x.get(n, 0.0) for n in FEATURES}})
    return rows


def _matrix(sub: list[dict], names: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[r[f] for f in names] for r in sub], dtype=float), np.array([r["y"] for r in sub], dtype=float)


def fit(x: np.ndarray, y: np.ndarray, weight: np.ndarray, l2: float = L2) -> np.ndarray:
    """Weighted L2 logistic regression by Newton's method; the last coefficient is the intercept."""
    xb = np.hstack([x, np.ones((len(x), 1))])
    w = np.zeros(xb.shape[1])
    reg = l2 * np.r_[np.ones(x.shape[1]), 0.0]
    for _ in range(100):
        p = 1 / (1 + np.exp(-xb @ w))
        grad = xb.T @ (weight * (p - y)) + reg * w
        hess = (xb * (weight * p * (1 - p))[:, None]).T @ xb + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-8:
            break
    return w


def _answers(w: np.ndarray, xs: np.ndarray) -> np.ndarray:
    """The decisions of the fitted ``w`` (:func:`fit`) on standardised features ``xs``: answered or not."""
    return np.hstack([xs, np.ones((len(xs), 1))]) @ w >= 0


def _weights(y: np.ndarray) -> np.ndarray:
    pos, neg = max(1, int(y.sum())), max(1, int((1 - y).sum()))
    return np.where(y == 1, len(y) / (2 * pos), len(y) / (2 * neg))


# the collections each language's models are fitted on. English adds the acts' everyday questions: an English
# question in lay words over Danish legal text shares few of its words with the passage that answers it, which
# the two other collections (questions written from their text) never show, so fitted on them alone the
# word-overlap features declined most of them (held-out laws-dev English answered .56 -> .68 and
# laws-dev-acts .50 -> .92 for the same declines, squad-da-dev's English answered .85 -> .79 cross-validated).
# Danish fitted so traded answered for declined on the held-out sets (laws-dev .92 -> .88, laws-dev-acts
# .95 -> .85, one more of 13 declined): docs/experiments.md
FITTED_ON = {"da": ("shipped", "squad-da-dev"), "en": ("shipped", "squad-da-dev", "laws")}
# (every feature in both languages: with the acts' unanswerable questions about named towns the English models
# weigh the name feature too; fitted without it, laws-dev English answered .68 -> .64)


def _fitted_on(rows: list[dict], lang: str) -> list[dict]:
    """The rows ``lang``'s models are fitted on (``FITTED_ON``)."""
    return [r for r in rows if r["lang"] == lang and r["collection"] in FITTED_ON[lang]]


def calibrate(rows: list[dict], lang: str, names: tuple[str, ...] = FEATURES,
              ) -> tuple[dict[str, float], float, np.ndarray, np.ndarray]:
    """(raw-space coefficients, intercept, cross-validated answer decisions, labels) for one language
    over the features ``names``, fitted on the collections of ``FITTED_ON``."""
    x, y = _matrix(_fitted_on(rows, lang), names)
    mu, sd = x.mean(0), x.std(0) + 1e-9
    xs = (x - mu) / sd
    votes = np.zeros(len(y))
    for rep in range(REPEATS):
        fold = np.random.default_rng(rep).permutation(len(y)) % FOLDS
        for k in range(FOLDS):
            tr, te = fold != k, fold == k
            w = fit(xs[tr], y[tr], _weights(y[tr]))
            votes[te] += _answers(w, xs[te])
    answered = votes / REPEATS >= 0.5
    w = fit(xs, y, _weights(y))
    coef = {f: float(w[i] / sd[i]) for i, f in enumerate(names)}
    intercept = float(w[-1] - sum(w[i] * mu[i] / sd[i] for i in range(len(names))))
    return coef, intercept, answered, y


def transfer(rows: list[dict], lang: str, names: tuple[str, ...]) -> dict[str, tuple[int, int, int, int]]:
    """Per collection: (false answers, unanswerable, false declines, answerable) of its ``lang`` questions
    decided by the model fitted on the other collections' questions alone."""
    out = {}
    for held in sorted({r["collection"] for r in rows}):
        x, y = _matrix([r for r in rows if r["lang"] == lang and r["collection"] != held], names)
        xt, yt = _matrix([r for r in rows if r["lang"] == lang and r["collection"] == held], names)
        if not len(yt) or not len(y):
            continue
        mu, sd = x.mean(0), x.std(0) + 1e-9
        w = fit((x - mu) / sd, y, _weights(y))
        answered = _answers(w, (xt - mu) / sd)
        out[held] = (int(((yt == 0) & answered).sum()), int((yt == 0).sum()),
                     int(((yt == 1) & ~answered).sum()), int(yt.sum()))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--index-dir", type=Path, default=ROOT / ".klynge" / "index")
    ap.add_argument("--squad-index", type=Path, required=True)
    ap.add_argument("--laws-index", type=Path,
                    help="the index of all 316 acts of ../shared/bench/laws (.klynge/laws): the third collection")
    ap.add_argument("--write", action="store_true", help="write the fitted models into qa/config.py")
    ap.add_argument("--write-only", action="append", default=[], metavar="NAME:LANG",
                    help="write only this model (e.g. CALIBRATED:da; repeatable), the others kept as they are")
    args = ap.parse_args()
    only: dict[str, list[str]] = {}
    for item in args.write_only:
        name, _, lang = item.partition(":")
        if name not in ("CALIBRATED", "CALIBRATED_QUICK") or lang not in ("da", "en"):
            ap.error(f"--write-only {item!r}: give NAME:LANG, NAME CALIBRATED or CALIBRATED_QUICK, LANG da or en")
        only.setdefault(name, []).append(lang)
    rows = collect(args.index_dir, SHIPPED_SETS, "shipped") + collect(args.squad_index, SQUAD_SETS, "squad-da-dev")
    if args.laws_index:
        rows += collect(args.laws_index, LAWS_SETS, "laws")
    elif args.write or args.write_only:
        ap.error("--write needs --laws-index (the English models are fitted on the acts' questions too): "
                 "give the index of all 316 acts, e.g. .klynge/laws")
    text = (ROOT / "qa" / "config.py").read_text(encoding="utf-8")
    for name, names in (("CALIBRATED", FEATURES), ("CALIBRATED_QUICK", QUICK_FEATURES)):
        print(f"\n## {name}: {', '.join(names)}\n")
        literal = report(rows, name, names)
        print("\n" + literal)
        text = _merge(text, name, literal, only.get(name, []) if only else ["da", "en"])
    if args.write or args.write_only:
        path = ROOT / "qa" / "config.py"
        path.write_text(text, encoding="utf-8")
        print(f"written to {path}")


def _merge(text: str, name: str, literal: str, langs: list[str]) -> str:
    """``text`` (qa/config.py) with the lines of ``langs`` in its ``name`` block taken from ``literal``."""
    block = re.search(rf"{name}: dict\[str, LogisticModel\] = \{{\n.*?\n\}}\n", text, flags=re.S)
    if block is None:
        raise SystemExit(f"qa/config.py has no {name} block to write into")
    new = block.group(0)
    for lang in langs:
        line = re.search(rf'^    "{lang}": .*$', literal, flags=re.M)
        if line is None:
            raise SystemExit(f"no fitted model for language {lang!r}: use da or en")
        found = line.group(0)
        new = re.sub(rf'^    "{lang}": .*$', lambda _m, ln=found: ln, new, flags=re.M)
    return text.replace(block.group(0), new)


def report(rows: list[dict], name: str, names: tuple[str, ...]) -> str:
    """Print the cross-validated errors of the models over ``names``; return their Python literal."""
    models = {}
    print("| language | answerable | unanswerable | false answers (CV) | false declines (CV) |")
    print("|---|---|---|---|---|")
    per_set = []
    for lang in ("da", "en"):
        coef, intercept, answered, y = calibrate(rows, lang, names)
        models[lang] = (coef, intercept)
        fa = float(((y == 0) & answered).sum() / max(1, (y == 0).sum()))
        fd = float(((y == 1) & ~answered).sum() / max(1, (y == 1).sum()))
        print(f"| {lang} | {int(y.sum())} | {int((1 - y).sum())} | {fa:.1%} | {fd:.1%} |")
        sub = _fitted_on(rows, lang)
        for set_name in sorted({r["set"] for r in sub}):
            for label, kind in ((1, "answerable: answered"), (0, "unanswerable: declined")):
                m = np.array([r["set"] == set_name and r["y"] == label for r in sub])
                if m.any():
                    share = answered[m].mean() if label else 1 - answered[m].mean()
                    per_set.append(f"| {lang} | {set_name} | {int(m.sum())} | {kind} {share:.1%} |")
    print("\n| language | set | n | cross-validated |\n|---|---|---|---|")
    print("\n".join(per_set))
    print("\nLeave one collection out (its questions decided by the models fitted on the others):\n")
    print("| language | collection | false answers | false declines |\n|---|---|---|---|")
    for lang in ("da", "en"):
        total = np.zeros(4, dtype=int)
        for held, (fa, n_u, fd, n_a) in transfer(rows, lang, names).items():
            total += (fa, n_u, fd, n_a)
            print(f"| {lang} | {held} | {fa}/{n_u} | {fd}/{n_a} |")
        print(f"| {lang} | all | {total[0] / max(1, total[1]):.1%} | {total[2] / max(1, total[3]):.1%} |")
    return f"{name}: dict[str, LogisticModel] = {{\n" + "".join(
        f'    "{lang}": LogisticModel({{{", ".join(f"{chr(34)}{k}{chr(34)}: {v:.4f}" for k, v in coef.items())}}}, '
        f"{intercept:.4f}),\n" for lang, (coef, intercept) in models.items()) + "}\n"


if __name__ == "__main__":
    main()
