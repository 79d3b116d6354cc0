#!/usr/bin/env python3
"""Re-verify eval/laws_everyday.jsonl (held-out everyday questions) against the act texts, with the
rules of ../shared/eval/laws-dev/check.py (its stopword list too, so both sets are checked alike).

Checks, for every line (old and new):

* shape: keys id, question, lang, expected, doc, ref; ids unique; lang "da"/"en";
  the id prefix (le-da, le-en, le-off) matches the row kind and language;
* answerable rows: 1-2 phrases of 3-12 words; `doc` is an act in manifest.json; `ref` is
  "§ N" or "§ N, stk. M"; each phrase occurs exactly once across all acts (lowercased,
  whitespace collapsed), that occurrence is in `doc`, and it lies inside the cited § (and stk.);
* paraphrase heuristic: no run of 3 consecutive content words of the question (stopwords
  dropped, numbers kept) occurs as 3 consecutive content words in the cited §;
* unanswerable rows (le-off..): expected == [] and empty doc/ref;
* held-out: no answerable row cites an act that the laws-dev set cites.

Each problem is printed with the row id; the exit status is 1 if there are any, else a
one-line summary is printed and the exit status is 0.

Usage, from the project root:

    python3 eval/check_laws_everyday.py [--questions FILE] [--laws DIR] [--dev FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KEYS = {"id", "question", "lang", "expected", "doc", "ref"}

STOP = set(
    """
af alle alt andre anden andet at bare blev blive bliver da de dem den denne dens der deres det dette
dig din dine disse du efter eller en end er et for fordi fra få får gøre gør ham han hans har have
hende hendes her hos hun hvad hvem hvilke hvilken hvilket hvis hvor hvordan hvornår hvorfor i igen
ikke ind jeg jer jo kan kun kunne man mange med meget men mig min mine mit mod må måtte ned noget
nogen nogle når og også om op os over på sig sin sine sit skal skulle som så sådan til ud under
var vi vil ville vores være været jf dog samt eks fx ja nej vel lige bl mv osv
a about an and any are as at be been but by can could do does for from get has have how i if in
into is it its may me might must my no not of on or our should so than that the their them then
there these they this to us was we what when where which who whom why will with would you your
""".split()
)

REF = re.compile(r"^§ (\d+(?: [a-zA-Z])?)(?:, stk\. (\d+(?: [a-z])?))?$")
PARA = re.compile(r"^§ (\d+(?: [a-zA-Z])?)\. ", re.M)
STK = re.compile(r"(?:^|(?<=\s))Stk\. (\d+(?: [a-z])?)\. ")


def norm(text: str) -> str:
    """Lowercase and collapse whitespace."""
    return re.sub(r"\s+", " ", text.lower()).strip()


def trigrams(text: str) -> set[tuple[str, ...]]:
    """Runs of 3 consecutive content words (stopwords dropped, numbers kept)."""
    words = [w for w in re.findall(r"\w+", text.lower()) if w not in STOP]
    return {tuple(words[i : i + 3]) for i in range(len(words) - 2)}


def provision(text: str, ref: str) -> tuple[str | None, str | None]:
    """Return (whole §, cited stk. or whole §) for ref, or (None, None) if not found once."""
    m = REF.match(ref)
    if not m:
        return None, None
    para, stk = m.group(1), m.group(2)
    lines = [ln for ln in text.split("\n") if (pm := PARA.match(ln)) and pm.group(1) == para]
    if len(lines) != 1:
        return None, None
    line = lines[0]
    if stk is None:
        return line, line
    parts: dict[str, str] = {}
    pos, cur = 0, "1"
    for sm in STK.finditer(line):
        parts[cur] = line[pos : sm.start()]
        cur, pos = sm.group(1), sm.start()
    parts[cur] = line[pos:]
    return line, parts.get(stk)


def load_rows(path: Path, errors: list[str]) -> list[dict]:
    rows = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError as e:
            errors.append(f"{path.name} line {n}: not JSON ({e})")
    return rows


def check_row(q: dict, raw: dict[str, str], normed: dict[str, str], dev_docs: set[str]) -> list[str]:
    """Return the problems of one row (without the id prefix)."""
    if set(q) != KEYS:
        return [f"keys {sorted(q)}"]
    probs: list[str] = []
    qid, lang, exp = q["id"], q["lang"], q["expected"]
    if lang not in ("da", "en"):
        probs.append(f"lang {lang!r}")
    if not isinstance(q["question"], str) or len(q["question"].strip()) < 5:
        return [*probs, "question missing"]
    if not isinstance(exp, list) or not all(isinstance(e, str) for e in exp):
        return [*probs, "expected is not a list of strings"]
    if qid.startswith("le-off"):
        if exp or q["doc"] or q["ref"]:
            probs.append("unanswerable row must have expected == [] and empty doc/ref")
        return probs
    if not qid.startswith(("le-da", "le-en")):
        return [*probs, "id prefix is not le-da, le-en or le-off"]
    if not qid.startswith(f"le-{lang}"):
        probs.append("id prefix does not match lang")
    if not 1 <= len(exp) <= 2:
        probs.append(f"{len(exp)} expected phrases")
    doc = q["doc"]
    if doc in dev_docs:
        probs.append(f"doc {doc} is also used by laws-dev")
    if doc not in raw:
        return [*probs, f"doc {doc!r} not in manifest"]
    whole, cited = provision(raw[doc], q["ref"])
    if whole is None or cited is None:
        return [*probs, f"ref {q['ref']!r} not found (or not unique) in {doc}"]
    for e in exp:
        words = len(e.split())
        if not 3 <= words <= 12:
            probs.append(f"phrase has {words} words: {e!r}")
        total = sum(t.count(norm(e)) for t in normed.values())
        if total != 1:
            probs.append(f"phrase occurs {total} times across the acts: {e!r}")
        elif normed[doc].count(norm(e)) != 1:
            probs.append(f"phrase not in {doc}: {e!r}")
        if norm(e) not in norm(cited):
            probs.append(f"phrase not inside {q['ref']}: {e!r}")
    shared = trigrams(q["question"]) & trigrams(whole)
    if shared:
        probs.append(f"question copies 3 content words from the provision: {sorted(shared)}")
    return probs


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--questions", type=Path, default=ROOT / "eval" / "laws_everyday.jsonl")
    ap.add_argument("--laws", type=Path, default=ROOT.parent / "shared" / "bench" / "laws")
    ap.add_argument(
        "--dev", type=Path, default=ROOT.parent / "shared" / "eval" / "laws-dev" / "questions.jsonl"
    )
    args = ap.parse_args()

    manifest = json.loads((args.laws / "manifest.json").read_text(encoding="utf-8"))
    raw = {m["file"]: (args.laws / m["file"]).read_text(encoding="utf-8") for m in manifest}
    normed = {f: norm(t) for f, t in raw.items()}

    errors: list[str] = []
    dev_docs = {r.get("doc", "") for r in load_rows(args.dev, errors)} - {""}
    rows = load_rows(args.questions, errors)

    ids: set[str] = set()
    counts = {"da": 0, "en": 0, "off-da": 0, "off-en": 0}
    docs: set[str] = set()
    for q in rows:
        qid = str(q.get("id", "?"))
        if qid in ids:
            errors.append(f"{qid}: duplicate id")
        ids.add(qid)
        probs = check_row(q, raw, normed, dev_docs)
        errors.extend(f"{qid}: {p}" for p in probs)
        if set(q) == KEYS and q["lang"] in ("da", "en"):
            if qid.startswith("le-off"):
                counts["off-" + q["lang"]] += 1
            elif qid.startswith(("le-da", "le-en")):
                counts[q["lang"]] += 1
                docs.add(q["doc"])

    for e in errors:
        print("FAIL", e)
    print(
        f"{len(rows)} rows: {counts['da']} da + {counts['en']} en answerable, "
        f"{counts['off-da']} da + {counts['off-en']} en unanswerable; "
        f"answerable rows cite {len(docs)} acts; {len(errors)} problem(s)"
    )
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
