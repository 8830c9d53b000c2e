"""A whole county on one platform, measured side by side in one run: 50 organisations x 2,000
documents (100,000) built, searched and rendered, against today's shipped content.

    .venv/bin/pip install -e '.[bench]'        # jieba, for search_bench's corpus
    nice .venv/bin/python benchmarks/county_bench.py --workdir /tmp/county-bench --json c.json
    .venv/bin/python benchmarks/county_bench.py --organisations 5 --per-organisation 200  # quick

In order, printing each figure as it comes:

1. the county's content files (benchmarks/county.py), written once into --workdir and reused
   by later runs with the same sizes (never into the repository);
2. the catalogue read from them, as the site reads it when it starts;
3. the search index built from that catalogue (`portal index --full`): wall and CPU time (the
   writer processes included) and size;
4. search_bench's query set in a fresh process per variant, as the site searches (published
   slugs passed): without the organisation facet (left out of the counts, to show what it
   costs), with it (as shipped), and with the facet and a filter by one organisation; p50 and
   p95 over every round, wall and CPU. Budget: p95 under 100 ms with the facet;
5. render_bench's instructions per request of the home page, an organisation's page and the
   catalogue (and, not budgeted, a filtered catalogue page and a document), on the shipped
   content and on the county's, and the ratio (render_bench.per_request_switched). Budget:
   within 1.5x. The county's catalogue is read once here and pickled for the valgrind child
   (render_bench.pickle_catalogue).

The full run takes 30-40 minutes on a shared 2-core machine and about 3 GB in the work folder.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import county  # noqa: E402
import render_bench  # noqa: E402
import search_bench  # noqa: E402

from portal import settings  # noqa: E402
from portal.catalogue import load_catalogue, site_organisation  # noqa: E402
from portal.search import FACETS, index_catalogue  # noqa: E402

SEARCH_BUDGET_MS = 100.0
RENDER_BUDGET = 1.5
# The body of the shipped content, whose page is the baseline of an organisation's page.
SHIPPED_BODY = "lingwu-kjj"


def log(message: str) -> None:
    """A progress line with the time and the machine's load (it says what wall times are worth)."""
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"[{time.strftime('%H:%M:%S')}, load {load}] {message}", flush=True)


def county_site() -> dict:
    """The settings the county's content is read with: its government takes unassigned content."""
    return {
        "DEFAULT_ORGANISATION": county.DEFAULT,
        "SITE_NAME": settings.value("SITE_NAME"),
        "SITE_NAME_EN": settings.value("SITE_NAME_EN"),
    }


def build(catalogue, content: Path, index_dir: Path) -> dict:
    """Build the index of the catalogue from nothing; its wall and CPU time and size."""
    start, cpu = time.perf_counter(), search_bench.cpu_seconds()
    index_catalogue(catalogue, index_dir, full=True, content_dir=content)
    return {
        "build_s": time.perf_counter() - start,
        "build_cpu_s": search_bench.cpu_seconds() - cpu,
        "size_mb": search_bench.whoosh_size(index_dir) / 2**20,
    }


def searches(
    index_dir: Path, work: Path, queries: list[dict], slugs, rounds: int, body: str
) -> dict:
    """The query set in three variants, each in a fresh process; summaries and medians."""
    filtered = [{**q, "filters": {**q.get("filters", {}), "organisation": [body]}} for q in queries]
    variants = {
        "no organisation facet": (
            queries,
            ",".join(f for f in FACETS if f != "organisation"),
        ),
        "organisation facet": (queries, ""),
        "facet + organisation filter": (filtered, ""),
    }
    found = {}
    for number, (name, (query_set, facets)) in enumerate(variants.items()):
        queries_file = work / f"county-queries-{number}.json"
        queries_file.write_text(json.dumps(query_set, ensure_ascii=False), encoding="utf-8")
        queries_file.with_suffix(".slugs").write_text(json.dumps(sorted(slugs)))
        run = search_bench.run_searches("whoosh", index_dir, queries_file, rounds, facets)
        found[name] = {
            "wall": search_bench.summarise(run),
            "cpu": search_bench.summarise(run, key="cpu"),
            "first_s": run["first"],
            "rss_mb": run["rss_mb"],
            "per_query": {
                q["name"]: [
                    statistics.median(r[i] for r in run["rounds"]),
                    run["totals"][q["name"]],
                ]
                for i, q in enumerate(query_set)
            },
        }
        summary = found[name]
        log(
            f"search {name}: p50 {summary['wall']['p50']:.1f} ms, p95 {summary['wall']['p95']:.1f}"
            f" ms (CPU p95 {summary['cpu']['p95']:.1f} ms)"
        )
    return found


def renders(content: Path, catalogue, work: Path, requests: int, body: str) -> list[dict]:
    """Instructions per request of each page on the shipped content and on the county's."""
    pages = [
        ("home", "/", "/"),
        ("an organisation's page", f"/organisations/{SHIPPED_BODY}/", f"/organisations/{body}/"),
        ("catalogue", "/catalogue/", "/catalogue/"),
        (
            "catalogue, filtered (not budgeted)",
            "/catalogue/statutory/?year=2023",
            "/catalogue/statutory/?year=2023",
        ),
        (
            "a document (not budgeted)",
            "/documents/2024-tech-commissioner-measures/",
            "/documents/doc-000007/",
        ),
    ]
    log("render: shipped content")
    shipped = render_bench.per_request_switched(
        ROOT, ROOT / "content", [p[1] for p in pages], requests
    )
    pickled = work / "county-catalogue.pickle"
    render_bench.pickle_catalogue(catalogue, pickled)
    log("render: county content")
    counted = render_bench.per_request_switched(
        ROOT,
        content,
        [p[2] for p in pages],
        requests,
        catalogue=pickled,
        environment={"PORTAL_DEFAULT_ORGANISATION": county.DEFAULT},
    )
    pickled.unlink()
    return [
        {"page": name, "shipped": shipped[a], "county": counted[b], "paths": [a, b]}
        for name, a, b in pages
    ]


def shown(figure) -> str:
    """A render figure, or why there is none."""
    if isinstance(figure, float):
        return f"{figure:.2f}"
    return "n/a (route missing)" if figure == 404 else f"n/a (status {figure})"


def report(result: dict) -> None:
    """Every figure of the run, with the budgets."""
    print(f"\n=== {result['documents']:,} documents of {result['organisations']} organisations ===")
    print(f"content written: {result['content']}")
    print(f"catalogue read in {result['catalogue_s']:.1f} s ({result['problems']} problems)")
    if "index" in result:
        index = result["index"]
        print(
            f"index built in {index['build_s']:.1f} s wall, {index['build_cpu_s']:.1f} s CPU; "
            f"{index['size_mb']:.0f} MB"
        )
    if result["search"]:
        report_search(result["search"])
    if result["render"]:
        report_render(result["render"])
    sys.stdout.flush()


def report_search(found: dict) -> None:
    """The search figures of each variant, per query, and the budget."""
    print(
        f"\n{'search (ms)':46} {'p50':>7} {'p95':>7} {'p50 CPU':>8} {'p95 CPU':>8} {'first s':>8}"
    )
    for name, s in found.items():
        print(
            f"{name:46} {s['wall']['p50']:7.1f} {s['wall']['p95']:7.1f} {s['cpu']['p50']:8.1f} "
            f"{s['cpu']['p95']:8.1f} {s['first_s']:8.2f}"
        )
    names = list(found)
    print(f"\n{'query (median ms; hits)':28}" + "".join(f" {n:>28}" for n in names))
    for query in found[names[0]]["per_query"]:
        cells = [found[n]["per_query"].get(query) for n in names]
        print(f"{query:28}" + "".join(f" {c[0]:>19.1f} ({c[1]:>6})" for c in cells if c))
    with_facet = found["organisation facet"]["wall"]["p95"]
    verdict = "met" if with_facet < SEARCH_BUDGET_MS else "OVER"
    print(f"budget: p95 with the facet {with_facet:.1f} ms < {SEARCH_BUDGET_MS:.0f} ms: {verdict}")


def report_render(rows: list[dict]) -> None:
    """The instructions per request of each page on both contents, the ratios and the budget."""
    print(f"\n{'render (M instructions/request)':36} {'shipped':>20} {'county':>20} {'ratio':>7}")
    for row in rows:
        a, b = row["shipped"], row["county"]
        ratio = f"{b / a:6.2f}x" if isinstance(a, float) and isinstance(b, float) else "    n/a"
        print(f"{row['page']:36} {shown(a):>20} {shown(b):>20} {ratio}")
        row["ratio"] = b / a if isinstance(a, float) and isinstance(b, float) else None
    budgeted = [r["ratio"] for r in rows if "not budgeted" not in r["page"]]
    known = [r for r in budgeted if r is not None]
    verdict = "met" if known and max(known) <= RENDER_BUDGET else "OVER"
    print(
        f"budget: every budgeted page within {RENDER_BUDGET}x of the shipped content: {verdict}"
        + ("" if len(known) == len(budgeted) else f" ({len(budgeted) - len(known)} not measured)")
    )


def main() -> int:
    """Run every stage and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--workdir", type=Path, default=Path(tempfile.gettempdir()) / "county-bench"
    )
    parser.add_argument("--organisations", type=int, default=county.ORGANISATIONS)
    parser.add_argument("--per-organisation", type=int, default=county.PER_ORGANISATION)
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query set")
    parser.add_argument("--requests", type=int, default=10, help="counted requests per page")
    parser.add_argument(
        "--skip", default="", help="comma-separated stages to leave out: index, search, render"
    )
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    options = parser.parse_args()
    work = options.workdir.resolve()
    if work.is_relative_to(ROOT):
        sys.exit("--workdir must be outside the repository")
    skip = set(filter(None, options.skip.split(",")))
    size = options.organisations * options.per_organisation
    folder = work / f"county-{options.organisations}x{options.per_organisation}"
    content, index_dir = folder / "content", folder / "search_index"
    result: dict = {"organisations": options.organisations, "documents": size}

    log(f"python {sys.version.split()[0]}, cpus {os.cpu_count()}; work folder {folder}")
    corpus = search_bench.Corpus()
    start = time.perf_counter()
    written = county.write_county(content, options.organisations, options.per_organisation, corpus)
    result["content"] = (
        f"{time.perf_counter() - start:.1f} s" if written else "reused from the work folder"
    )
    log(f"content {result['content']}")

    start = time.perf_counter()
    catalogue = load_catalogue(content, site=site_organisation(county_site()))
    result["catalogue_s"] = time.perf_counter() - start
    result["problems"] = len(catalogue.problems)
    log(f"catalogue read: {len(catalogue.documents):,} documents in {result['catalogue_s']:.1f} s")
    for problem in catalogue.problems[:5]:
        print(f"  {problem}")
    if len(catalogue.documents) != size:
        sys.exit(f"the catalogue holds {len(catalogue.documents)} documents, not {size}")

    if "index" in skip:
        skip.add("search")  # the index of another run may hold other documents
    else:
        result["index"] = build(catalogue, content, index_dir)
        log(f"index built in {result['index']['build_s']:.1f} s")
    body = county.bodies(options.organisations)[min(7, options.organisations - 1)].id
    if "search" not in skip:
        queries = corpus.queries(size)
        result["search"] = searches(
            index_dir, folder, queries, catalogue.slugs, options.rounds, body
        )
    if "render" not in skip:
        result["render"] = renders(content, catalogue, folder, options.requests, body)
    result.setdefault("search", {})
    result.setdefault("render", [])
    report(result)
    if options.json:
        options.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
