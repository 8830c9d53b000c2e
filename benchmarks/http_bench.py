"""HTTP benchmark: requests per second and latency, side by side in one run, for nginx serving
the static export (the ceiling on this machine), the app on a page-cache hit, the app rendering
afresh (page cache off: the page's chrome and body come from the fragment cache, as for any page
the page cache does not hold), the same with the fragment cache off too, the app answering 304,
and a search: asked for the first time (the same words in a date window nobody asked for before,
so the engine searches and the page is rendered and kept), repeated (the same address again:
kept by the page cache until the content or the index changes), repeated by a browser holding
the answer (search answers are `no-cache`, so a browser asks again and gets a 304), and
rendered afresh from the engine's kept results (page cache off).

Bounded and local: every load goes to 127.0.0.1 only, with wrk, for a fixed number of seconds.
The scenarios run in turn, round after round, and each figure is the median over the rounds,
its share of nginx taken within the same round: a machine whose load changes during the run
moves both sides of a ratio together.

    .venv/bin/python benchmarks/http_bench.py [--seconds 5] [--rounds 3] [--connections 20]
"""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from support import free_port, local_nginx_config, wait_for

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / ".venv" / "bin" / "portal"
DOCUMENT = "/documents/2024-tech-commissioner-measures/"


SEARCH = "/search?q=%E7%A7%91%E6%8A%80%E7%89%B9%E6%B4%BE%E5%91%98"  # 科技特派员
# wrk's request hook: every request the search above within a date window of its own (from a
# day in 1000-1999 to one in 2100-2999: every dated document falls within it, 26 of the 27 hits
# in the shipped content, and 10^11 windows make a repeat unlikely), so neither the engine nor
# the page cache has met it before.
FIRST_SEARCH = """
math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)"), 16))
local function day(first, last)
  return string.format("%04d-%02d-%02d", math.random(first, last), math.random(1, 12),
    math.random(1, 28))
end
request = function()
  return wrk.format(nil, wrk.path .. "&from=" .. day(1000, 1999) .. "&to=" .. day(2100, 2999))
end
"""


def wrk(
    url: str,
    seconds: int,
    connections: int,
    headers: dict | None = None,
    script: Path | None = None,
) -> dict:
    """Run wrk against url (with a Lua script, if given); return requests/s, p50, p99 (ms) and
    non-2xx/3xx responses."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    if script is not None:
        command += ["-s", str(script)]
    output = subprocess.run(
        command, capture_output=True, text=True, check=True, timeout=seconds + 30
    ).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))

    def percentile(label: str) -> float:
        value, unit = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", output).groups()
        return float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]

    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    return {
        "rate": rate,
        "p50": percentile("50"),
        "p99": percentile("99"),
        "errors": int(errors.group(1)) if errors else 0,
        "socket_errors": socket_errors.group(1) if socket_errors else "",
    }


def start_app(port: int, extra_env: dict, threads: int) -> subprocess.Popen:
    """portal serve (gunicorn, one worker per core) on the shipped content."""
    env = {
        **os.environ,
        "PORTAL_BUILD_INDEX_ON_START": "false",
        "PORTAL_BASE_URL": f"http://127.0.0.1:{port}",
        **extra_env,
    }
    process = subprocess.Popen(
        [str(PORTAL), "serve", "--port", str(port), "--threads", str(threads)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for(port)
    return process


def main() -> int:
    """Run every scenario and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--connections", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1, help="threads per gunicorn worker")
    options = parser.parse_args()
    for tool in ("wrk", "nginx"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            sys.exit(f"{tool} is not installed: apt-get install {tool}")
    subprocess.run([str(PORTAL), "index"], check=True, capture_output=True)
    results = {}
    with tempfile.TemporaryDirectory() as scratch:
        scratch = Path(scratch)
        subprocess.run(
            [str(PORTAL), "export", str(scratch / "site")], check=True, capture_output=True
        )
        nginx_port = free_port()
        config = local_nginx_config(scratch, nginx_port, scratch / "site", workers=2)
        nginx = subprocess.Popen(
            [shutil.which("nginx") or "/usr/sbin/nginx", "-c", str(config), "-p", str(scratch)]
        )
        cached_port, fresh_port, cold_port = free_port(), free_port(), free_port()
        cached = start_app(cached_port, {}, options.threads)
        fresh = start_app(fresh_port, {"PORTAL_PAGE_CACHE_SIZE": "0"}, options.threads)
        # Not a case a running site meets (its kept parts fill on the first pages it
        # serves), shown for what the fragment cache saves.
        cold = start_app(
            cold_port,
            {"PORTAL_PAGE_CACHE_SIZE": "0", "PORTAL_FRAGMENT_CACHE_SIZE": "0"},
            options.threads,
        )
        try:
            wait_for(nginx_port)
            page = f"http://127.0.0.1:{cached_port}{DOCUMENT}"
            with urllib.request.urlopen(page) as response:
                etag = response.headers["ETag"]
                weight = len(response.read())
            search = f"http://127.0.0.1:{cached_port}{SEARCH}"
            with urllib.request.urlopen(search) as response:
                search_etag = response.headers["ETag"]
            first_search = scratch / "first-search.lua"
            first_search.write_text(FIRST_SEARCH, encoding="utf-8")
            scenarios = {
                "nginx, exported document page": (f"http://127.0.0.1:{nginx_port}{DOCUMENT}", {}),
                "app, page-cache hit": (page, {}),
                "app, rendering afresh": (f"http://127.0.0.1:{fresh_port}{DOCUMENT}", {}),
                "app, afresh, no kept parts": (f"http://127.0.0.1:{cold_port}{DOCUMENT}", {}),
                "app, 304 (If-None-Match)": (page, {"If-None-Match": etag}),
                # Searched, rendered and kept: what a search nobody made before costs.
                "app, search first asked": (search, {}, first_search),
                # A repeated search is kept by the page cache until the index changes.
                "app, search repeated": (search, {}),
                # What a browser's repeat costs: it asks again (no-cache) and gets a 304.
                "app, search repeated, 304": (search, {"If-None-Match": search_etag}),
                # The same search afresh every time (the engine keeps its results; the page is
                # rendered): what a search costs, less the search, where the page cache is off.
                "app, search rendered afresh": (f"http://127.0.0.1:{fresh_port}{SEARCH}", {}),
            }
            for url, headers, *script in scenarios.values():
                wrk(url, 1, options.connections, headers, *script)  # warm up
            load_before = os.getloadavg()[0]
            for _round in range(options.rounds):
                for name, (url, headers, *script) in scenarios.items():
                    results.setdefault(name, []).append(
                        wrk(url, options.seconds, options.connections, headers, *script)
                    )
            load_after = os.getloadavg()[0]
        finally:
            for process in (cached, fresh, cold, nginx):
                process.terminate()
                process.wait(timeout=15)
    ceilings = [run["rate"] for run in results["nginx, exported document page"]]
    print(
        f"{os.cpu_count()} cores, {options.threads} threads per worker, "
        f"wrk -t2 -c{options.connections} -d{options.seconds}s, "
        f"median of {options.rounds} rounds, document page {weight:,} bytes uncompressed, "
        f"load average {load_before:.1f} before, {load_after:.1f} after"
    )
    print(f"{'scenario':32} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'of nginx':>9} {'errors':>7}")
    for name, runs in results.items():
        shares = [
            ceiling / run["rate"]
            for ceiling, run in zip(ceilings, runs, strict=True)
            if run["rate"]
        ]
        share = f"1/{statistics.median(shares):.1f}" if shares else "-"
        print(
            f"{name:32} {statistics.median(r['rate'] for r in runs):9.0f} "
            f"{statistics.median(r['p50'] for r in runs):8.2f} "
            f"{statistics.median(r['p99'] for r in runs):8.2f} {share:>9} "
            f"{sum(r['errors'] for r in runs):7d} "
            f"{' '.join(r['socket_errors'] for r in runs).strip()}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
