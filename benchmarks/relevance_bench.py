"""Judged relevance of search over the shipped content: nDCG@10 and success@3 per query class,
for today's ranking (every forgiving step off) and with each step on, side by side.

    .venv/bin/python benchmarks/relevance_bench.py              # the table
    .venv/bin/python benchmarks/relevance_bench.py --details    # and every query's first hit
    .venv/bin/python benchmarks/relevance_bench.py --check      # exit 1 below the goals
    .venv/bin/python benchmarks/relevance_bench.py --set blind  # one set only

The judgements are data: benchmarks/relevance/judgements.yml (queries as visitors type them,
each with the documents a person judged relevant; binary relevance), and a second, blind set,
benchmarks/relevance/blind.yml, written by another session before it read the search code or
ran a search; each set gets its own table (both by default). The index is built from
content/ into a temporary folder and searched as the site searches (only published
documents). A correction is never searched in a visitor's place: it is a link. So the
"corrections" column scores the results a visitor gets by following the correction when one is
offered, and the query's own results otherwise.

Goals (--check): success@3 of at least 0.9 with every step on, and no query class scoring
lower, in nDCG@10 or success@3, than today's ranking; for every set printed.
"""

from __future__ import annotations

import argparse
import dataclasses
import math
import sys
import tempfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import search  # noqa: E402
from portal.catalogue import load_catalogue  # noqa: E402

JUDGEMENTS = Path(__file__).with_name("relevance") / "judgements.yml"
BLIND = Path(__file__).with_name("relevance") / "blind.yml"
SETS = {"judged": JUDGEMENTS, "blind": BLIND}
STEPS = ("synonyms", "pinyin", "corrections", "refs", "questions", "english", "fill")
SUCCESS_GOAL = 0.9


def configurations() -> dict[str, search.Features]:
    """Today's ranking, each step alone, and every step."""
    out = {"today": search.NO_FEATURES}
    for step in STEPS:
        out[step] = dataclasses.replace(search.NO_FEATURES, **{step: True})
    out["all"] = search.ALL_FEATURES
    return out


def load_judgements(path: Path = JUDGEMENTS) -> list[dict]:
    """The judged queries, checked for shape."""
    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    for entry in entries:
        if not (entry.get("query") and entry.get("class") and entry.get("relevant")):
            raise SystemExit(f"{path}: every entry needs query, class and relevant: {entry}")
    return entries


def ndcg(ranked: list[str], relevant: set[str], k: int = 10) -> float:
    """Binary nDCG@k."""
    dcg = sum(1 / math.log2(i + 2) for i, slug in enumerate(ranked[:k]) if slug in relevant)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(k, len(relevant))))
    return dcg / ideal if ideal else 0.0


def ranked(searcher, query: str, features: search.Features, published) -> tuple[list[str], str]:
    """The first ten slugs a visitor reaches, and the correction followed ("" if none)."""
    found = searcher.search(query, per_page=10, published=published, features=features)
    if found.correction:
        again = searcher.search(
            found.correction, per_page=10, published=published, features=features
        )
        return [h.slug for h in again.hits], found.correction
    return [h.slug for h in found.hits], ""


def measure(searcher, entries: list[dict], published) -> dict[str, list[dict]]:
    """Per configuration, each query's scores."""
    out: dict[str, list[dict]] = {}
    for name, features in configurations().items():
        rows = []
        for entry in entries:
            slugs, corrected = ranked(searcher, entry["query"], features, published)
            relevant = set(entry["relevant"])
            rows.append(
                {
                    "query": entry["query"],
                    "class": entry["class"],
                    "ndcg": ndcg(slugs, relevant),
                    "success": float(any(s in relevant for s in slugs[:3])),
                    "first": slugs[0] if slugs else "",
                    "corrected": corrected,
                }
            )
        out[name] = rows
    return out


def table(scores: dict[str, list[dict]]) -> tuple[str, dict]:
    """The side-by-side table per class and overall, and the figures it shows."""
    names = list(scores)
    classes = list(dict.fromkeys(r["class"] for r in scores[names[0]]))
    figures: dict = {}
    header = f"{'class':10} {'n':>3} " + " ".join(f"{n:>15}" for n in names)
    lines = [
        "nDCG@10 / success@3",
        header,
        f"{'':10} {'':>3} " + " ".join(f"{'nDCG':>7} {'s@3':>7}" for _ in names),
    ]
    for cls in [*classes, "all"]:
        cells = []
        for name in names:
            rows = [r for r in scores[name] if cls in ("all", r["class"])]
            n = len(rows)
            value = (sum(r["ndcg"] for r in rows) / n, sum(r["success"] for r in rows) / n)
            figures[(cls, name)] = value
            cells.append(f"{value[0]:7.3f} {value[1]:7.3f}")
        lines.append(f"{cls:10} {n:>3} " + " ".join(cells))
    return "\n".join(lines), figures


def problems(figures: dict, classes: list[str]) -> list[str]:
    """Where the goals are missed."""
    out = []
    if figures[("all", "all")][1] < SUCCESS_GOAL:
        out.append(f"success@3 {figures[('all', 'all')][1]:.3f} < {SUCCESS_GOAL}")
    for cls in classes:
        for i, metric in enumerate(("nDCG@10", "success@3")):
            if figures[(cls, "all")][i] < figures[(cls, "today")][i] - 1e-9:
                out.append(f"{cls}: {metric} lower than today's")
    return out


def report(name: str, entries: list[dict], scores: dict, details: bool) -> list[str]:
    """Print one set's table (and details); return the goals it misses."""
    text, figures = table(scores)
    print(f"\n{name}: {len(entries)} judged queries ({SETS[name].name})\n")
    print(text)
    if details:
        print("\nevery step on: query, success@3, nDCG@10, first hit (correction followed)")
        for row in scores["all"]:
            mark = "ok " if row["success"] else "MISS"
            fixed = f"  -> {row['corrected']}" if row["corrected"] else ""
            print(f"{mark} {row['ndcg']:.2f} {row['query']:24} {row['first']}{fixed}")
    classes = list(dict.fromkeys(e["class"] for e in entries))
    missed = problems(figures, classes)
    for problem in missed:
        print("goal missed:", problem)
    return missed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--content", type=Path, default=ROOT / "content")
    parser.add_argument("--details", action="store_true", help="print every query's first hit")
    parser.add_argument("--check", action="store_true", help="exit 1 when a goal is missed")
    parser.add_argument("--set", choices=[*SETS, "both"], default="both", help="which queries")
    args = parser.parse_args()
    chosen = list(SETS) if args.set == "both" else [args.set]
    sets = {name: load_judgements(SETS[name]) for name in chosen}
    catalogue = load_catalogue(args.content)
    published = catalogue.slugs
    unknown = {s for es in sets.values() for e in es for s in e["relevant"]} - set(published)
    if unknown:
        raise SystemExit(f"judged documents the content does not publish: {sorted(unknown)}")
    with tempfile.TemporaryDirectory(prefix="relevance-") as work:
        index = Path(work) / "index"
        search.index_catalogue(catalogue, index)
        with search.Searcher(index) as searcher:
            results = {name: measure(searcher, es, published) for name, es in sets.items()}
    print(f"{len(published)} published documents")
    missed = []
    for name, entries in sets.items():
        missed += [f"{name}: {p}" for p in report(name, entries, results[name], args.details)]
    if args.check and missed:
        sys.exit(1)


if __name__ == "__main__":
    main()
