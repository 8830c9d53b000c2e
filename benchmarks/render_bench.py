"""Rendering cost per page in instructions, which stay the same however loaded the machine is.

Each page is requested in a child process under valgrind's callgrind, once with N requests
and once with none (start-up only); the difference divided by N is what one request costs,
through the whole Flask app with the page cache off (and, with --cold, the fragment cache
too). Wall-clock figures on a shared 2-core machine swing by up to 2x within an hour;
instruction counts repeat to within a few percent.

    .venv/bin/python benchmarks/render_bench.py [--requests 20] [--cold] [PATH ...]
    .venv/bin/python benchmarks/render_bench.py --baseline /tmp/old-checkout   # compare

With --baseline, the same pages are measured on another checkout of the project (for example
`git worktree add /tmp/old-checkout HEAD~5`, then `make translations` there for English pages)
in the same run, and the ratio is printed.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PAGES = (
    "/documents/2024-tech-commissioner-measures/",
    "/documents/lingwu-kjj-2024/",
    "/catalogue/",
    "/",
    "/en/documents/2024-tech-commissioner-measures/",
)
CHILD = """
import sys
from portal import create_app
app = create_app({"PAGE_CACHE_SIZE": 0, "BUILD_INDEX_ON_START": False,
                  **({"FRAGMENT_CACHE_SIZE": 0} if sys.argv[3] == "cold" else {})})
# The catalogue looks for changed files once a second; under valgrind, 50 times slower, that
# would be a rescan every few requests, counted as rendering.
app.extensions["portal.catalogue"].interval = 1e9
client = app.test_client()
path, count = sys.argv[1], int(sys.argv[2])
for _ in range(3):
    assert client.get(path).status_code == 200, path
for _ in range(count):
    client.get(path)
"""


def instructions(checkout: Path, path: str, count: int, cold: bool) -> int:
    """Instructions callgrind counts for a child that starts the app and requests path."""
    # One hash seed: set and dict orders, and so the work, repeat from run to run.
    environment = {**os.environ, "PYTHONPATH": str(checkout), "PYTHONHASHSEED": "0"}
    finished = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            CHILD,
            path,
            str(count),
            "cold" if cold else "warm",
        ],
        cwd=checkout,
        env=environment,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    match = re.search(r"Collected : (\d+)", finished.stderr)
    if finished.returncode != 0 or match is None:
        sys.exit(f"callgrind failed on {path} in {checkout}:\n{finished.stderr[-2000:]}")
    return int(match.group(1))


def per_request(checkout: Path, path: str, count: int, cold: bool) -> float:
    """Millions of instructions one request of path costs in checkout."""
    return (
        (instructions(checkout, path, count, cold) - instructions(checkout, path, 0, cold))
        / count
        / 1e6
    )


def main() -> int:
    """Measure every page (and the baseline's) and print one table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=PAGES)
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--baseline", type=Path, help="another checkout to compare with")
    parser.add_argument(
        "--cold",
        action="store_true",
        help="with the fragment cache off: every part of the page rendered",
    )
    options = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed: apt-get install valgrind")
    print(
        f"millions of instructions per request (callgrind, {options.requests} requests"
        f"{', fragment cache off' if options.cold else ''})"
    )
    print(
        f"{'page':52} {'now':>8}" + (f" {'baseline':>9} {'ratio':>6}" if options.baseline else "")
    )
    for path in options.paths:
        now = per_request(ROOT, path, options.requests, options.cold)
        line = f"{path:52} {now:8.2f}"
        if options.baseline:
            before = per_request(options.baseline.resolve(), path, options.requests, options.cold)
            line += f" {before:9.2f} {before / now:5.2f}x"
        print(line, flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
