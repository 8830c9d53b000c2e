"""Benchmark portal.search (Whoosh) against SQLite FTS5 on a synthetic government corpus.

    .venv/bin/python benchmarks/search_bench.py                 # 1,000 and 10,000 documents
    .venv/bin/python benchmarks/search_bench.py --sizes 1000    # quick run
    .venv/bin/python benchmarks/search_bench.py --with-100k     # adds 100,000 (slow)

The corpus is deterministic: words drawn by frequency from jieba's dictionary (install the
``jieba`` package in the venv for its dict.txt; rjieba does not ship one as a file) plus
domain terms, titles of about 20 characters and bodies of about 1,500. Both engines index the
same documents segmented by the same analyser (``portal.search.analyse``). For each size it
prints full build time, one-document update time, index size, query latency p50/p95 over a
fixed mixed query set (each query returns a top-10 page with highlights and facet counts),
peak RSS of the searching process, the time of the first search after opening, and the
Whoosh/SQLite ratios. Searches run in a fresh child process per engine so RSS is its own.
"""

from __future__ import annotations

import argparse
import datetime
import importlib.util
import itertools
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from portal import search  # noqa: E402
from portal.search import SearchDocument  # noqa: E402

SEED = 20240315
POOL_SIZE = 1_000_000

_DOMAIN_TEXT = (
    "政府信息公开 年度报告 行政许可 财政预算 科技特派员 乡村振兴 营商环境 安全生产 政务服务 "
    "依法行政 社会保障 生态环境 应急管理 公共资源交易 重大建设项目 政府采购 行政处罚 城乡规划 "
    "义务教育 医疗保障 就业创业 人才引进 数字政府 一网通办 放管服 双随机一公开 河长制 "
    "高标准农田 疫情防控 统计公报 预决算 政策解读 规范性文件 信息公开指南 依申请公开"
)
DOMAIN_TERMS = _DOMAIN_TEXT.split()
_DEPARTMENT_TEXT = (
    "办公室 发展和改革局 教育局 科技局 工业和信息化局 公安局 民政局 司法局 财政局 "
    "人力资源和社会保障局 自然资源局 生态环境局 住房和城乡建设局 交通运输局 水利局 农业农村局 "
    "商务局 文化和旅游局 卫生健康委员会 退役军人事务局 应急管理局 审计局 市场监督管理局 统计局 "
    "医疗保障局 政务服务中心 大数据中心 乡村振兴局 林业局 信访局"
)
DEPARTMENTS = _DEPARTMENT_TEXT.split()
CATEGORIES = [
    (("guide",), 1),
    (("rules",), 1),
    (("statutory", "functions"), 2),
    (("statutory", "policy-documents", "regulations"), 2),
    (("statutory", "policy-documents", "normative-documents"), 8),
    (("statutory", "policy-documents", "other-documents"), 10),
    (("statutory", "policy-interpretation"), 4),
    (("statutory", "planning"), 3),
    (("statutory", "statistics"), 3),
    (("statutory", "admin-permits"), 4),
    (("statutory", "penalties"), 4),
    (("statutory", "fiscal-budgets"), 3),
    (("statutory", "fees"), 1),
    (("statutory", "procurement"), 3),
    (("statutory", "major-projects"), 2),
    (("statutory", "personnel"), 3),
    (("statutory", "proposals"), 2),
    (("statutory", "key-areas"), 5),
    (("annual-reports",), 1),
    (("on-request",), 1),
]
FIVE = ("decision", "execution", "management", "service", "result", "")
TITLE_ENDS = ("的通知", "的实施意见", "工作方案", "的公告", "情况报告", "管理办法", "的批复")


def jieba_dictionary() -> Path:
    """Locate jieba's dict.txt without importing jieba (its import is slow and noisy)."""
    spec = importlib.util.find_spec("jieba")
    if spec is None or spec.origin is None:
        sys.exit("install jieba in the venv for its dictionary: .venv/bin/pip install jieba")
    return Path(spec.origin).parent / "dict.txt"


class Corpus:
    """Deterministic synthetic corpus: document ``i`` is the same on every run."""

    def __init__(self, seed: int = SEED):
        words, freqs = [], []
        with open(jieba_dictionary(), encoding="utf-8") as f:
            for line in f:
                word, freq, *_ = line.split()
                if len(word) <= 4 and all("\u4e00" <= c <= "\u9fff" for c in word):
                    words.append(word)
                    freqs.append(int(freq))
        rng = random.Random(seed)
        # Drawing every word with random.choices over 340k entries costs ~4 ms a document;
        # slices of one large frequency-weighted pool keep the same distribution cheaply.
        self.pool = rng.choices(words, cum_weights=list(itertools.accumulate(freqs)), k=POOL_SIZE)
        self.seed = seed
        self.category_paths = [c for c, _ in CATEGORIES]
        self.category_weights = [w for _, w in CATEGORIES]

    def _words(self, rng: random.Random, n: int) -> list[str]:
        start = rng.randrange(POOL_SIZE - n)
        return self.pool[start : start + n]

    def _sentence(self, rng: random.Random) -> str:
        words = self._words(rng, rng.randint(6, 16))
        if rng.random() < 0.3:
            words.insert(rng.randrange(len(words) + 1), rng.choice(DOMAIN_TERMS))
        return "".join(words) + rng.choice("，，，。。；")

    def document(self, i: int, revision: int = 0) -> SearchDocument:
        rng = random.Random(self.seed * 1_000_003 + i * 7 + revision)
        target = rng.randint(1300, 1700)
        parts, size = [], 0
        while size < target:
            sentence = self._sentence(rng)
            if rng.random() < 0.15:
                sentence += "\n"
            parts.append(sentence)
            size += len(sentence)
        term = rng.choice(DOMAIN_TERMS)
        title = "关于" + term + "".join(self._words(rng, 3)) + rng.choice(TITLE_ENDS)
        date = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randrange(16 * 365))
        department = rng.choice(DEPARTMENTS)
        path = rng.choices(self.category_paths, weights=self.category_weights)[0]
        serial = i % 100_000
        return SearchDocument(
            slug=f"doc-{i:06d}",
            title=title[:40],
            body="".join(parts),
            keywords=(term, rng.choice(DOMAIN_TERMS)),
            doc_no=f"示{department[0]}发〔{date.year}〕{serial}号" if rng.random() < 0.6 else "",
            index_no=f"014314799/{date.year}-{serial:05d}",
            department=department,
            category=path[-1],
            category_path=path,
            five_openness=rng.choice(FIVE),
            date=date,
            sample=True,
        )

    def documents(self, n: int):
        return (self.document(i) for i in range(n))

    def queries(self, n: int) -> list[dict]:
        """A fixed mixed query set: 1-3 words, frequent and rare, a phrase, filters, dates."""
        counts: dict[str, int] = {}
        for w in self.pool:
            if len(w) >= 2 and w not in search.STOP_WORDS:
                counts[w] = counts.get(w, 0) + 1
        ranked = sorted(counts, key=lambda w: (-counts[w], w))
        frequent, frequent2 = ranked[10], ranked[25]
        mid, mid2 = ranked[800], ranked[1500]
        # Rare: about one pool occurrence per 100,000 words, so a handful of documents.
        rare = next(w for w in ranked if counts[w] <= max(2, POOL_SIZE // 100_000))
        exact = next(d.doc_no for d in (self.document(i) for i in range(n)) if d.doc_no)
        return [
            {"name": "1 frequent word", "query": frequent},
            {"name": "1 mid word", "query": mid},
            {"name": "1 rare word", "query": rare},
            {"name": "2 words", "query": f"{frequent2} {mid}"},
            {"name": "3 words", "query": f"{mid2} 安全生产 {frequent}"},
            {"name": "domain words", "query": "乡村振兴 高标准农田"},
            {"name": "phrase", "query": '"政府信息公开"'},
            {
                "name": "filtered, by date",
                "query": frequent,
                "filters": {"category": ["policy-documents"], "year": ["2020", "2021"]},
                "sort": "date",
            },
            {
                "name": "filter only listing",
                "query": "",
                "filters": {"department": ["财政局"]},
                "sort": "date",
            },
            {"name": "exact 文号", "query": exact},
            # The forgiving steps (issue 23); FTS5 answers them as plain words.
            {"name": "typo, corrected", "query": "乡村振星 营商环境"},
            {"name": "slip, corrected", "query": "乡村兴振 营商环境"},
            {"name": "synonym", "query": "年报"},
            {"name": "pinyin", "query": "xiangcunzhenxing"},
            {"name": "initials", "query": "xczx"},
            {"name": "文号 in part", "query": _in_part(exact)},
            {"name": "title only", "query": frequent, "scope": "title"},
            {"name": "date window", "query": mid, "dates": ["2015-01-01", "2016-12-31"]},
        ]


def _in_part(doc_no: str) -> str:
    """A 文号 as people type it from paper: its year and serial, 示文发〔2019〕3号 -> 2019 3号."""
    year, serial = doc_no.split("〔")[1].split("〕")
    return f"{year} {serial}"


# --- Whoosh (portal.search) ---------------------------------------------------------------------


def cpu_seconds() -> float:
    """CPU time of this process and its finished children (the Whoosh writer processes)."""
    own, children = (
        resource.getrusage(resource.RUSAGE_SELF),
        resource.getrusage(resource.RUSAGE_CHILDREN),
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def whoosh_build(root: Path, docs: list[SearchDocument], procs: int | None) -> tuple[float, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    search.build_index(root, docs, procs=procs)
    return time.perf_counter() - start, cpu_seconds() - cpu


def whoosh_update(root: Path, doc: SearchDocument) -> float:
    start = time.perf_counter()
    search.update_index(root, [doc])
    return time.perf_counter() - start


def whoosh_size(root: Path) -> int:
    live = root / os.readlink(root / "current")
    return sum(f.stat().st_size for f in live.iterdir())


class WhooshEngine:
    def __init__(self, root: Path, published: frozenset[str] | None = None):
        self.searcher = search.Searcher(root)
        # As the site searches: only what the live catalogue publishes, one set per version.
        self.published = published

    def run(self, q: dict) -> int:
        dates = tuple(datetime.date.fromisoformat(d) for d in q.get("dates", ())) or (None, None)
        results = self.searcher.search(
            q["query"],
            q.get("filters"),
            sort=q.get("sort", "relevance"),
            per_page=10,
            published=self.published,
            scope=q.get("scope", "all"),
            dates=dates,
        )
        # Touch the outputs so nothing is left lazy.
        assert all(h.title_html is not None and h.snippet_html is not None for h in results.hits)
        return results.total


# --- SQLite FTS5 --------------------------------------------------------------------------------

FTS_SCHEMA = """
CREATE VIRTUAL TABLE fts USING fts5(title, keywords, refs, body);
CREATE TABLE docs (
    rowid INTEGER PRIMARY KEY, slug TEXT UNIQUE, department TEXT, year TEXT,
    five_openness TEXT, date TEXT, category TEXT, ref_no TEXT
);
CREATE TABLE doc_categories (rowid INTEGER, category TEXT);
"""
FTS_INDEXES = """
CREATE INDEX docs_department ON docs(department);
CREATE INDEX docs_year ON docs(year);
CREATE INDEX docs_five ON docs(five_openness);
CREATE INDEX docs_date ON docs(date);
CREATE INDEX docs_ref ON docs(ref_no);
CREATE INDEX doc_categories_category ON doc_categories(category, rowid);
CREATE INDEX doc_categories_rowid ON doc_categories(rowid);
"""


def segmented(text: str) -> str:
    return " ".join(term for term, _ in search.analyse(text))


def fts_rows(rowid: int, doc: SearchDocument):
    refs = "\n".join(x for x in (doc.doc_no, doc.index_no, doc.department) if x)
    fts = (
        rowid,
        segmented(doc.title),
        segmented(" ".join(doc.keywords)),
        segmented(refs),
        segmented(doc.body),
    )
    meta = (
        rowid,
        doc.slug,
        doc.department,
        str(doc.date.year) if doc.date else "",
        doc.five_openness,
        doc.date.isoformat() if doc.date else "",
        doc.category,
        search.normalize_ref(doc.doc_no) or search.normalize_ref(doc.index_no),
    )
    cats = [(rowid, c) for c in doc.category_path]
    return fts, meta, cats


def fts_insert(con: sqlite3.Connection, rowid: int, doc: SearchDocument) -> None:
    fts, meta, cats = fts_rows(rowid, doc)
    con.execute("INSERT INTO fts(rowid, title, keywords, refs, body) VALUES (?,?,?,?,?)", fts)
    con.execute("INSERT INTO docs VALUES (?,?,?,?,?,?,?,?)", meta)
    con.executemany("INSERT INTO doc_categories VALUES (?,?)", cats)


def fts_build(path: Path, docs: list[SearchDocument]) -> tuple[float, float]:
    start, cpu = time.perf_counter(), cpu_seconds()
    con = sqlite3.connect(path)
    con.executescript(FTS_SCHEMA)
    with con:
        for rowid, doc in enumerate(docs, 1):
            fts_insert(con, rowid, doc)
    con.executescript(FTS_INDEXES)
    con.execute("INSERT INTO fts(fts) VALUES ('optimize')")
    con.commit()
    con.close()
    return time.perf_counter() - start, cpu_seconds() - cpu


def fts_update(path: Path, doc: SearchDocument) -> float:
    start = time.perf_counter()
    con = sqlite3.connect(path)
    with con:
        (rowid,) = con.execute("SELECT rowid FROM docs WHERE slug = ?", (doc.slug,)).fetchone()
        con.execute("DELETE FROM fts WHERE rowid = ?", (rowid,))
        con.execute("DELETE FROM docs WHERE rowid = ?", (rowid,))
        con.execute("DELETE FROM doc_categories WHERE rowid = ?", (rowid,))
        fts_insert(con, rowid, doc)
    con.close()
    return time.perf_counter() - start


def fts_match(query: str) -> str | None:
    """The same parts portal.search builds, as an FTS5 expression of quoted tokens."""
    parts, _ = search.parse_query(query)
    if not parts:
        return None
    exprs = []
    for part in parts:
        if part.phrase:
            exprs.append('"' + " ".join(part.atoms) + '"')
        else:
            exprs.extend(f'"{a}"' for a in part.atoms)
    return " AND ".join(exprs)


FACET_COLUMNS = {"department": "department", "year": "year", "five_openness": "five_openness"}


class FtsEngine:
    def __init__(self, path: Path):
        self.con = sqlite3.connect(path)
        self.con.execute("CREATE TEMP TABLE m (rowid INTEGER PRIMARY KEY)")

    def _where(self, filters: dict, skip: str | None, matched: bool) -> tuple[str, list]:
        clauses, params = [], []
        if matched:
            clauses.append("d.rowid IN (SELECT rowid FROM m)")
        for key, values in filters.items():
            if key == skip:
                continue
            marks = ",".join("?" * len(values))
            if key == "category":
                clauses.append(
                    f"d.rowid IN (SELECT rowid FROM doc_categories WHERE category IN ({marks}))"
                )
            else:
                clauses.append(f"d.{FACET_COLUMNS[key]} IN ({marks})")
            params.extend(values)
        return (" WHERE " + " AND ".join(clauses)) if clauses else "", params

    def run(self, q: dict) -> int:
        con = self.con
        filters = q.get("filters") or {}
        match = fts_match(q["query"])
        con.execute("DELETE FROM m")
        if match:
            con.execute("INSERT INTO m SELECT rowid FROM fts WHERE fts MATCH ?", (match,))
            ref = search.normalize_ref(q["query"])
            con.execute("INSERT OR IGNORE INTO m SELECT rowid FROM docs WHERE ref_no = ?", (ref,))
        where, params = self._where(filters, None, bool(match))
        (total,) = con.execute(f"SELECT count(*) FROM docs d{where}", params).fetchone()
        for facet in ("category", "department", "year", "five_openness"):
            w, p = self._where(filters, facet, bool(match))
            if facet == "category":
                sql = (
                    "SELECT c.category, count(*) n FROM doc_categories c "
                    f"JOIN docs d ON d.rowid = c.rowid{w} GROUP BY c.category ORDER BY n DESC"
                )
            else:
                col = FACET_COLUMNS[facet]
                sql = f"SELECT d.{col}, count(*) n FROM docs d{w} GROUP BY d.{col} ORDER BY n DESC"
            con.execute(sql, p).fetchall()
        if match:
            order = "d.date DESC" if q.get("sort") == "date" else "rank"
            w, p = self._where(filters, None, False)
            w = w.replace(" WHERE ", " AND ", 1)
            rows = con.execute(
                "SELECT d.slug, highlight(fts, 0, '<mark>', '</mark>'), "
                "snippet(fts, 3, '<mark>', '</mark>', '…', 24) "
                f"FROM fts JOIN docs d ON d.rowid = fts.rowid WHERE fts MATCH ?{w} "
                f"ORDER BY {order} LIMIT 10",
                [match, *p],
            ).fetchall()
        else:
            rows = con.execute(
                f"SELECT d.slug, f.title, substr(f.body, 1, 120) FROM docs d "
                f"JOIN fts f ON f.rowid = d.rowid{where} ORDER BY d.date DESC LIMIT 10",
                params,
            ).fetchall()
        assert len(rows) <= 10
        return total


# --- Search runs in a child process -------------------------------------------------------------


def peak_rss_mb() -> float:
    """Peak RSS of this process since exec (ru_maxrss would include the forking parent's)."""
    with open("/proc/self/status", encoding="ascii") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def search_child(
    engine: str, location: str, queries_file: str, rounds: int, facets: str = ""
) -> None:
    """Child process: open the engine, run the queries, print timings and peak RSS as JSON.

    facets, when given, is the comma-separated facets Whoosh counts instead of all of them:
    county_bench.py leaves the organisation facet out to show what counting it costs.
    """
    from portal.search import answering, searcher

    # Every round searches afresh: the results a searcher keeps for a repeated search would
    # make rounds 2-5 lookups (measured on their own below, as "repeated, kept").
    searcher.RESULTS_KEPT = 0
    if facets:
        searcher.FACETS = answering.FACETS = tuple(facets.split(","))
    queries = json.loads(Path(queries_file).read_text(encoding="utf-8"))
    published = frozenset(json.loads(Path(queries_file).with_suffix(".slugs").read_text()))
    start = time.perf_counter()
    runner = (
        WhooshEngine(Path(location), published) if engine == "whoosh" else FtsEngine(Path(location))
    )
    runner.run(queries[0])
    first = time.perf_counter() - start
    rounds_ms: list[list[float]] = []
    cpu_ms: list[list[float]] = []
    totals = {}
    for _ in range(rounds):
        times, cpu = [], []
        for q in queries:
            t, c = time.perf_counter(), time.process_time()
            totals[q["name"]] = runner.run(q)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        rounds_ms.append(times)
        cpu_ms.append(cpu)
    if engine == "whoosh":
        # A repeated search as the site answers it: kept per index generation and published set.
        searcher.RESULTS_KEPT = 512
        kept = WhooshEngine(Path(location), published)
        kept.run(queries[0])
        t = time.perf_counter()
        for _ in range(100):
            kept.run(queries[0])
        repeated_ms = (time.perf_counter() - t) * 10
    else:
        repeated_ms = 0.0
    out = {
        "first": first,
        "rounds": rounds_ms,
        "cpu": cpu_ms,
        "rss_mb": peak_rss_mb(),
        "repeated_ms": repeated_ms,
    }
    print(json.dumps({**out, "totals": totals}))


def run_searches(
    engine: str, location: Path, queries_file: Path, rounds: int, facets: str = ""
) -> dict:
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--child",
            engine,
            str(location),
            str(queries_file),
            str(rounds),
            facets,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def summarise(run: dict, skip_first_round: bool = False, key: str = "rounds") -> dict:
    rounds = run[key][1:] if skip_first_round and len(run[key]) > 1 else run[key]
    flat = [t for r in rounds for t in r]
    return {"p50": percentile(flat, 0.5), "p95": percentile(flat, 0.95)}


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, to judge how shared the machine was."""
    return ", ".join(f"{x:.1f}" for x in os.getloadavg())


def bench(size: int, corpus: Corpus, work: Path, rounds: int, procs: int | None) -> dict:
    print(f"\n=== {size:,} documents (load average {load_average()}) ===", flush=True)
    t = time.perf_counter()
    docs = list(corpus.documents(size))
    print(f"corpus generated in {time.perf_counter() - t:.1f} s", flush=True)
    queries = corpus.queries(size)
    queries_file = work / f"queries-{size}.json"
    queries_file.write_text(json.dumps(queries, ensure_ascii=False), encoding="utf-8")
    queries_file.with_suffix(".slugs").write_text(json.dumps([d.slug for d in docs]))

    wroot, fpath = work / f"whoosh-{size}", work / f"fts-{size}.sqlite"
    result: dict = {"size": size, "load_start": load_average()}
    result["whoosh_build"], result["whoosh_build_cpu"] = whoosh_build(wroot, docs, procs)
    print(f"whoosh build {result['whoosh_build']:.1f} s", flush=True)
    result["fts_build"], result["fts_build_cpu"] = fts_build(fpath, docs)
    print(f"fts5 build {result['fts_build']:.1f} s", flush=True)
    result["whoosh_size"] = whoosh_size(wroot)
    result["fts_size"] = fpath.stat().st_size

    changed = [corpus.document(size // 2, revision=r) for r in (1, 2, 3)]
    result["whoosh_update"] = statistics.median(whoosh_update(wroot, d) for d in changed)
    result["fts_update"] = statistics.median(fts_update(fpath, d) for d in changed)

    result["load_before_searches"] = load_average()
    wrun = run_searches("whoosh", wroot, queries_file, rounds)
    frun = run_searches("fts", fpath, queries_file, rounds)
    result["load_after_searches"] = load_average()
    result["whoosh_first"], result["fts_first"] = wrun["first"], frun["first"]
    result["whoosh_rss"], result["fts_rss"] = wrun["rss_mb"], frun["rss_mb"]
    result["whoosh_q"], result["fts_q"] = summarise(wrun), summarise(frun)
    result["whoosh_q_cpu"] = summarise(wrun, key="cpu")
    result["fts_q_cpu"] = summarise(frun, key="cpu")
    result["whoosh_q_warm"] = summarise(wrun, skip_first_round=True)
    result["whoosh_cold_p95"] = percentile(wrun["rounds"][0], 0.95)
    result["whoosh_repeated_ms"] = wrun["repeated_ms"]
    result["per_query"] = [
        {
            "name": q["name"],
            "query": q["query"],
            "whoosh_ms": statistics.median(r[i] for r in wrun["rounds"]),
            "fts_ms": statistics.median(r[i] for r in frun["rounds"]),
            "whoosh_total": wrun["totals"][q["name"]],
            "fts_total": frun["totals"][q["name"]],
        }
        for i, q in enumerate(queries)
    ]
    report(result)
    return result


def report(r: dict) -> None:
    def ratio(a: float, b: float) -> str:
        return f"{a / b:.2f}x" if b else "-"

    rows = [
        ("full build, wall (s)", r["whoosh_build"], r["fts_build"], "{:.1f}"),
        ("full build, CPU (s)", r["whoosh_build_cpu"], r["fts_build_cpu"], "{:.1f}"),
        ("one-doc update (s)", r["whoosh_update"], r["fts_update"], "{:.3f}"),
        ("index size (MB)", r["whoosh_size"] / 2**20, r["fts_size"] / 2**20, "{:.1f}"),
        ("query p50 (ms)", r["whoosh_q"]["p50"], r["fts_q"]["p50"], "{:.1f}"),
        ("query p95 (ms)", r["whoosh_q"]["p95"], r["fts_q"]["p95"], "{:.1f}"),
        ("query p50, CPU (ms)", r["whoosh_q_cpu"]["p50"], r["fts_q_cpu"]["p50"], "{:.1f}"),
        ("query p95, CPU (ms)", r["whoosh_q_cpu"]["p95"], r["fts_q_cpu"]["p95"], "{:.1f}"),
        ("first search after open (s)", r["whoosh_first"], r["fts_first"], "{:.2f}"),
        ("peak RSS of searcher (MB)", r["whoosh_rss"], r["fts_rss"], "{:.0f}"),
    ]
    print(
        f"\nload average: start {r['load_start']}; before searches "
        f"{r['load_before_searches']}; after {r['load_after_searches']}"
    )
    print(f"{'':30} {'Whoosh':>10} {'FTS5':>10} {'ratio':>8}")
    for name, w, f, fmt in rows:
        print(f"{name:30} {fmt.format(w):>10} {fmt.format(f):>10} {ratio(w, f):>8}")
    print(
        f"Whoosh p95 first round (cold caches) {r['whoosh_cold_p95']:.1f} ms; "
        f"later rounds p95 {r['whoosh_q_warm']['p95']:.1f} ms; "
        f"a repeated search, kept: {r['whoosh_repeated_ms']:.3f} ms"
    )
    print(f"\n{'query (median)':22} {'Whoosh ms':>10} {'FTS5 ms':>10} {'hits W/F':>14}")
    for q in r["per_query"]:
        hits = f"{q['whoosh_total']}/{q['fts_total']}"
        print(f"{q['name']:22} {q['whoosh_ms']:>10.1f} {q['fts_ms']:>10.1f} {hits:>14}")
    sys.stdout.flush()


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        search_child(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), *sys.argv[6:7])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated corpus sizes")
    parser.add_argument("--with-100k", action="store_true", help="also run 100,000 documents")
    parser.add_argument("--rounds", type=int, default=5, help="passes over the query set")
    parser.add_argument("--procs", type=int, default=None, help="Whoosh writer processes")
    parser.add_argument("--workdir", type=Path, help="keep indexes here instead of a temp dir")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",") if s]
    if args.with_100k and 100_000 not in sizes:
        sizes.append(100_000)

    work = args.workdir or Path(tempfile.mkdtemp(prefix="search-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    version = sys.version.split()[0]
    print(f"python {version}, sqlite {sqlite3.sqlite_version}, cpus {os.cpu_count()}")
    t = time.perf_counter()
    corpus = Corpus()
    print(f"dictionary loaded and word pool drawn in {time.perf_counter() - t:.1f} s")
    results = []
    try:
        for size in sizes:
            results.append(bench(size, corpus, work, args.rounds, args.procs))
    finally:
        if args.workdir is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
