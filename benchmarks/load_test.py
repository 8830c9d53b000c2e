"""Load test: gunicorn serving the shipped site, concurrent clients mixing page views and
searches while the search index is rebuilt again and again. Bounded and local (127.0.0.1).

Fails (exit 1) on any 5xx, any search whose result count differs from the count before the
load, or a growing number of open files in the workers.

    .venv/bin/python benchmarks/load_test.py [--seconds 60] [--clients 50] [--rebuilds 5]

With --nodes 2 (or more) it runs the multi-node mode instead (tests/multinode.py): that many
nodes behind nginx sharing a throwaway PostgreSQL and Redis, clients submitting, tracking and
searching while a node is killed and restarted and a new index generation is published; it
prints the figures and fails on a lost or duplicated application, a limit exceeded, a server
error outside the failover window, or a generation that did not reach every node.

    .venv/bin/python benchmarks/load_test.py --nodes 2 [--seconds 60] [--clients 50]
"""

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import free_port

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / ".venv" / "bin" / "portal"
PAGES = [
    "/",
    "/catalogue/",
    "/catalogue/statutory/?year=2024",
    "/reports/",
    "/documents/2024-tech-commissioner-measures/",
    "/documents/lingwu-kjj-2024/",
    "/en/catalogue/",
    "/feeds/all.atom",
]
QUERIES = ["科技特派员", "信息公开", "年度报告", "政府采购", "预算"]


def get(url: str) -> tuple[int, bytes]:
    """Status and body of a GET; network errors count as status 0."""
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        body = error.read()
        error.close()
        return error.code, body
    except OSError:
        return 0, b""


def search_total(base: str, query: str) -> int | None:
    """The result count the JSON API gives for a query, or None when it did not answer."""
    status, body = get(f"{base}/api/search?q={urllib.parse.quote(query)}")
    return json.loads(body)["total"] if status == 200 else None


def open_files(pids: list[int]) -> int:
    """How many file descriptors the processes hold."""
    return sum(
        len(os.listdir(f"/proc/{pid}/fd")) for pid in pids if os.path.exists(f"/proc/{pid}/fd")
    )


def worker_pids(master: int) -> list[int]:
    """The gunicorn master and its workers."""
    children = Path(f"/proc/{master}/task/{master}/children")
    found = children.read_text().split() if children.exists() else []
    return [master, *map(int, found)]


def main(argv: list[str] | None = None) -> int:
    """Run the load and print the figures; exit status says whether every check held."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--rebuilds", type=int, default=5)
    parser.add_argument("--nodes", type=int, default=1)
    options = parser.parse_args(argv)
    if options.nodes > 1:
        return multinode_main(options)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    # The shipped content, read only; the index, snapshots and database it writes are its own.
    scratch = tempfile.TemporaryDirectory(prefix="portal-load-")
    env = {
        **os.environ,
        "PORTAL_BASE_URL": base,
        "PORTAL_BUILD_INDEX_ON_START": "false",
        "PORTAL_SEARCH_INDEX_DIR": f"{scratch.name}/search_index",
        "PORTAL_LAST_GOOD_DIR": f"{scratch.name}/last-good",
        "PORTAL_DATABASE_URL": f"sqlite:///{scratch.name}/portal.sqlite3",
    }
    subprocess.run([str(PORTAL), "index"], env=env, check=True, capture_output=True)
    server = subprocess.Popen(
        [str(PORTAL), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while get(base + "/")[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start")
            time.sleep(0.2)
        expected = {query: search_total(base, query) for query in QUERIES}
        for url in PAGES:
            get(base + url)
        files_before = open_files(worker_pids(server.pid))
        latencies: list[float] = []
        problems: list[str] = []
        counts = {"requests": 0, "5xx": 0, "wrong_totals": 0, "failed": 0}
        lock = threading.Lock()
        done = threading.Event()

        def client(seed: int) -> None:
            chooser = random.Random(seed)
            while not done.is_set():
                searching = chooser.random() < 0.4
                query = chooser.choice(QUERIES)
                url = (
                    f"{base}/api/search?q={urllib.parse.quote(query)}"
                    if searching
                    else base + chooser.choice(PAGES)
                )
                started = time.monotonic()
                status, body = get(url)
                elapsed = time.monotonic() - started
                with lock:
                    counts["requests"] += 1
                    latencies.append(elapsed)
                    if status >= 500 or status == 0:
                        counts["5xx" if status else "failed"] += 1
                        problems.append(f"{status} {url}")
                    elif searching and json.loads(body)["total"] != expected[query]:
                        counts["wrong_totals"] += 1
                        problems.append(f"wrong total for {query}")

        threads = [threading.Thread(target=client, args=(n,)) for n in range(options.clients)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        # Rebuilds spread over the run; the load lasts until the time is up and every
        # rebuild has finished, so each one happens under load.
        gap = options.seconds / (options.rebuilds + 1)
        rebuilds = 0
        for rebuilds in range(1, options.rebuilds + 1):
            time.sleep(max(0.0, started + gap * rebuilds - time.monotonic()))
            subprocess.run(
                [str(PORTAL), "index", "--full"], env=env, check=True, capture_output=True
            )
        time.sleep(max(0.0, started + options.seconds - time.monotonic()))
        done.set()
        for thread in threads:
            thread.join()
        duration = time.monotonic() - started
        time.sleep(1)
        files_after = open_files(worker_pids(server.pid))
    finally:
        server.terminate()
        server.wait(timeout=20)
        scratch.cleanup()
    ordered = sorted(latencies)

    def percentile(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(share * len(ordered)))] * 1000

    print(
        f"{options.clients} clients for {duration:.0f} s, {rebuilds} full index rebuilds "
        f"during the load, {os.cpu_count()} cores"
    )
    print(
        f"requests {counts['requests']}, {counts['requests'] / duration:.0f} req/s; "
        f"latency p50 {percentile(0.5):.0f} ms, p95 {percentile(0.95):.0f} ms, "
        f"p99 {percentile(0.99):.0f} ms (mean {statistics.fmean(ordered) * 1000:.0f} ms)"
    )
    print(
        f"5xx {counts['5xx']}, connection failures {counts['failed']}, wrong search totals "
        f"{counts['wrong_totals']}, open files {files_before} -> {files_after}"
    )
    for problem in problems[:10]:
        print("  ", problem)
    # Workers may open one more generation's files while switching; more means a leak.
    leaking = files_after > files_before + 10
    ok = not (counts["5xx"] or counts["failed"] or counts["wrong_totals"] or leaking)
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


def multinode_main(options) -> int:
    """The multi-node mode: run the load over a cluster of the shipped content, print the
    figures, and say whether nothing was lost."""
    import shutil

    from multinode import Cluster, run_load

    limit = 5
    with tempfile.TemporaryDirectory(prefix="portal-nodes-") as scratch:
        root = Path(scratch)
        content = root / "content"
        shutil.copytree(ROOT / "content", content)
        with Cluster(root, content, nodes=options.nodes, submissions_per_hour=limit) as cluster:
            outcome = run_load(cluster, clients=options.clients, seconds=options.seconds)
    ordered = sorted(outcome.latencies)
    total = len(ordered)

    def percentile(share: float) -> float:
        return ordered[min(total - 1, int(share * total))] * 1000

    print(
        f"{options.nodes} nodes behind nginx (PostgreSQL, Redis), {options.clients} clients for "
        f"{options.seconds:.0f} s, {os.cpu_count()} cores"
    )
    print(
        f"requests {total}, {total / options.seconds:.0f} req/s; latency p50 "
        f"{percentile(0.5):.0f} ms, p95 {percentile(0.95):.0f} ms; statuses "
        f"{dict(sorted(outcome.statuses.items()))}"
    )
    window = outcome.failover_window()
    print(
        f"node {options.nodes - 1} killed at {outcome.killed_at} s, back at "
        f"{outcome.restarted_at} s; {len(outcome.failures)} failed requests"
        + (f" between {window[0]} s and {window[1]} s" if window else "")
    )
    stored = outcome.stored
    lost = [code for code in outcome.accepted if code not in stored]
    per_client: dict[str, int] = {}
    for name in stored.values():
        per_client[name.split("-")[0]] = per_client.get(name.split("-")[0], 0) + 1
    print(
        f"applications accepted {len(outcome.accepted)}, stored {len(stored)} "
        f"(unanswered submissions {len(outcome.unknown)}), lost {len(lost)}, untrackable "
        f"{len(outcome.untrackable)}; most by one visitor {max(per_client.values(), default=0)} "
        f"(limit {limit}/hour)"
    )
    print(
        f"index generation published at {outcome.published_at} s, found on nodes "
        f"{outcome.reached} s later"
    )
    late = [f for f in outcome.failures if not 0 <= f[0] - (outcome.killed_at or 0) + 1 <= 6]
    ok = not (
        lost
        or not outcome.accepted
        or outcome.untrackable
        or max(per_client.values(), default=0) > limit
        or late
        or len(outcome.reached) != options.nodes
    )
    print("PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
