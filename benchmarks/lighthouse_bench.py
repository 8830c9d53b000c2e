"""Lighthouse scores and page weights of the demo site, served as in production.

    .venv/bin/python benchmarks/lighthouse_bench.py          # or: make lighthouse
    .venv/bin/python benchmarks/lighthouse_bench.py --preset desktop --keep-reports /tmp/lh

Starts `portal serve` (gunicorn) on a free 127.0.0.1 port on the shipped content/, with the
search index in a temporary folder, and runs Lighthouse 12.2.3 (tools/browser, `make
browser-deps`) in Debian's Chromium against the home page, a document, an annual report and a
search results page. For each it prints the accessibility, best-practices, SEO and performance
scores (Lighthouse's default mobile emulation with simulated throttling unless --preset
desktop), the number of requests, the bytes transferred as served (the app gzips text for
browsers that accept it), and what the same responses weigh gzipped. The target is a document
page under 60 KB compressed. Audits below a full score are listed under the table.

Search results are indexable only when the query is a keyword of a document they list, on the
first page, by relevance and without filters (the page measured here searches such a keyword);
every other search page carries `noindex, follow`, so nobody can publish text under the
bureau's name by linking to a search URL. See `keyword_named` in portal/views/search.py.

A script, not a test: the figures depend on the machine.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import free_port

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "tools" / "browser"
CHROMIUM = os.environ.get("CHROME_PATH", "/usr/bin/chromium")
CHROME_FLAGS = (
    "--headless --no-sandbox --disable-gpu --disable-quic --no-first-run "
    "--disable-background-networking --disable-component-update --disable-sync"
)
CATEGORIES = ("accessibility", "best-practices", "seo", "performance")
DOCUMENT_BUDGET = 60 * 1024
ATTEMPTS = 3

PAGES = {
    "home": "/",
    "document": "/documents/2024-tech-commissioner-measures/",
    "annual report": "/documents/lingwu-kjj-2024/",
    "search results": "/search?q=" + quote("科技特派员"),
}


def wait_until_up(url: str, server: subprocess.Popen, timeout: float = 60) -> None:
    """Wait for the server to answer, or fail if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            sys.exit(f"portal serve exited with {server.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    sys.exit(f"portal serve did not answer at {url} within {timeout:.0f} s")


def lighthouse(url: str, preset: str | None, report: Path) -> dict:
    """Run Lighthouse on one URL and return its JSON result."""
    command = [
        "npx",
        "--no",
        "lighthouse",
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
    ]
    if preset:
        command.append(f"--preset={preset}")
    environment = {**os.environ, "CHROME_PATH": CHROMIUM}
    for attempt in range(ATTEMPTS):
        # Lighthouse sometimes loses the trace of a load (NO_NAVSTART) and says to run again.
        finished = subprocess.run(command, cwd=TOOLS, env=environment, timeout=300)
        if finished.returncode == 0:
            return json.loads(report.read_text(encoding="utf-8"))
        print(f"lighthouse failed on {url} (attempt {attempt + 1} of {ATTEMPTS})", file=sys.stderr)
    sys.exit(f"lighthouse failed {ATTEMPTS} times on {url}")


def weights(result: dict) -> tuple[int, int, int]:
    """Requests, bytes transferred as served, and the same responses' bytes gzipped."""
    requests = [
        item
        for item in result["audits"]["network-requests"]["details"]["items"]
        if item.get("url", "").startswith("http")
    ]
    transferred = sum(item.get("transferSize") or 0 for item in requests)
    compressed = 0
    for item in requests:
        # Lighthouse reports sizes but not bodies: fetch each response again and gzip it as a
        # front proxy would (level 6, nginx's and gzip's usual setting).
        with urllib.request.urlopen(item["url"], timeout=30) as response:
            body = response.read()
            encoded = response.headers.get("Content-Encoding")
        compressed += len(body) if encoded else len(gzip.compress(body, compresslevel=6))
    return len(requests), transferred, compressed


def shortfalls(result: dict) -> list[str]:
    """The audits of the scored categories that did not get a full score."""
    lines = []
    for category in CATEGORIES:
        for ref in result["categories"][category]["auditRefs"]:
            audit = result["audits"][ref["id"]]
            if ref["weight"] and audit["score"] is not None and audit["score"] < 1:
                value = audit.get("displayValue", "")
                lines.append(f"{category}: {audit['id']} {audit['score']:.2f} {value}".rstrip())
    return lines


def main() -> int:
    """Serve the demo site, audit each page, print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--preset",
        choices=("desktop", "perf", "experimental"),
        help="Lighthouse preset (default: mobile emulation)",
    )
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--keep-reports", type=Path, help="folder to keep the JSON reports in")
    arguments = parser.parse_args()
    if not (TOOLS / "node_modules" / "lighthouse").exists():
        sys.exit("Lighthouse is not installed: run `make browser-deps` first")
    if not Path(CHROMIUM).exists():
        sys.exit(f"no Chromium at {CHROMIUM}: run `make browser-deps` as root first")

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    work = Path(tempfile.mkdtemp(prefix="lighthouse-"))
    reports = arguments.keep_reports or work
    reports.mkdir(parents=True, exist_ok=True)
    environment = {
        **os.environ,
        "PORTAL_BASE_URL": base,
        "PORTAL_SEARCH_INDEX_DIR": str(work / "search_index"),
    }
    portal = Path(sys.executable).with_name("portal")
    server = subprocess.Popen(
        [
            str(portal),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(arguments.workers),
        ],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    rows, notes = [], []
    try:
        wait_until_up(base + "/", server)
        for name, path in PAGES.items():
            print(f"auditing {name} ({path}) ...", file=sys.stderr, flush=True)
            result = lighthouse(
                base + path, arguments.preset, reports / f"{name.replace(' ', '-')}.json"
            )
            scores = [round(100 * result["categories"][c]["score"]) for c in CATEGORIES]
            rows.append((name, *scores, *weights(result)))
            notes += [f"{name}: {line}" for line in shortfalls(result)]
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
        if not arguments.keep_reports:
            shutil.rmtree(work, ignore_errors=True)

    mode = arguments.preset or "mobile (default)"
    print(f"\nLighthouse 12.2.3, {mode}, Chromium at {CHROMIUM}, gunicorn on {base}\n")
    header = ("page", "a11y", "best-pr.", "SEO", "perf", "requests", "transferred", "gzipped")
    print(f"{header[0]:<16}" + "".join(f"{h:>12}" for h in header[1:]))
    for name, *scores, count, transferred, compressed in rows:
        print(
            f"{name:<16}"
            + "".join(f"{s:>12}" for s in scores)
            + f"{count:>12}"
            + f"{transferred / 1024:>10.1f}KB"
            + f"{compressed / 1024:>10.1f}KB"
        )
    document = next(row for row in rows if row[0] == "document")
    verdict = "under" if document[-1] < DOCUMENT_BUDGET else "OVER"
    print(
        f"\ndocument page gzipped: {document[-1] / 1024:.1f} KB, {verdict} the "
        f"{DOCUMENT_BUDGET // 1024} KB budget"
    )
    if notes:
        print("\nAudits below a full score:")
        print("\n".join(f"  {note}" for note in notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
