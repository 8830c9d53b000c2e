"""Rendering cost per page in instructions, which stay the same however loaded the machine is.

Each page is requested in a child process under valgrind's callgrind, once with N requests
and once with none (start-up only); the difference divided by N is what one request costs,
through the whole Flask app with the page cache off (and, with --cold, the fragment cache
too). Wall-clock figures on a shared 2-core machine swing by up to 2x within an hour;
instruction counts repeat to within a few percent.

    .venv/bin/python benchmarks/render_bench.py [--requests 20] [--cold] [PATH ...]
    .venv/bin/python benchmarks/render_bench.py --baseline /tmp/old-checkout   # compare
    .venv/bin/python benchmarks/render_bench.py --content /tmp/county-bench/content / /catalogue/

With --baseline, the same pages are measured on another checkout of the project (for example
`git worktree add /tmp/old-checkout HEAD~5`, then `make translations` there for English pages)
in the same run, and the ratio is printed.

With --content, the pages are served from another content folder. A large one (county_bench.py's
100,000 documents) takes too long to read under valgrind to count its start-up twice, so there
one child reads the content (or unpickles a catalogue read beforehand, --catalogue) with
callgrind's instrumentation off, and it is switched on (callgrind_control) only around the
requests of each page: the same count, requests after the warm-up ones, taken another way.
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
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


# One child serves every page: it reads the content (or the pickled catalogue) with the
# instrumentation off, then for each path from stdin makes three warm-up requests, answers the
# status, and on "go" (the parent has switched the instrumentation on) makes the counted ones.
CHILD_SWITCHED = """
import os, pickle, sys, tempfile
from portal import create_app
content, catalogue_file, count, cold = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
scratch = tempfile.mkdtemp(prefix="render-bench-")
app = create_app({
    "PAGE_CACHE_SIZE": 0, "BUILD_INDEX_ON_START": False, "CONTENT_DIR": content,
    "SEARCH_INDEX_DIR": os.path.join(scratch, "index"), "LAST_GOOD_DIR": scratch,
    "DATABASE_URL": "sqlite:///" + os.path.join(scratch, "portal.sqlite3"),
    **({"FRAGMENT_CACHE_SIZE": 0} if cold == "cold" else {}),
})
store = app.extensions["portal.catalogue"]
store.interval = 1e9
if catalogue_file:
    # Read beforehand from the same folder by the same code (render_bench.pickle_catalogue):
    # parsing 100,000 files under valgrind would take an hour.
    with open(catalogue_file, "rb") as f:
        store._catalogue = pickle.load(f)
client = app.test_client()
while path := sys.stdin.readline().strip():
    status = client.get(path).status_code
    for _ in range(2):
        client.get(path)
    print(status, flush=True)
    if status != 200:
        continue
    sys.stdin.readline()
    for _ in range(count):
        client.get(path)
    print("done", flush=True)
    sys.stdin.readline()
os._exit(0)
"""


def category_node(slug: str):
    """The catalogue tree's node of a slug: how a pickled catalogue refers to its categories,
    which documents compare by identity."""
    from portal.catalogue import categories

    return categories.BY_SLUG[slug]


def pickle_catalogue(catalogue, path: Path) -> None:
    """Write a catalogue for CHILD_SWITCHED to load instead of reading the content again."""
    import copyreg
    import pickle

    from portal.catalogue import Category

    copyreg.pickle(Category, lambda node: (category_node, (node.slug,)))
    with open(path, "wb") as f:
        pickle.dump(catalogue, f, protocol=pickle.HIGHEST_PROTOCOL)


def _callgrind_control(pid: int, *arguments: str) -> None:
    subprocess.run(
        ["callgrind_control", *arguments, str(pid)], check=True, capture_output=True, timeout=300
    )


def per_request_switched(
    checkout: Path,
    content: Path,
    paths: list[str],
    count: int,
    cold: bool = False,
    catalogue: Path | None = None,
    environment: dict | None = None,
) -> dict[str, float | int]:
    """Millions of instructions one request of each path costs, served from content (or a
    catalogue pickled from it) in one child; a status instead for a path that is not 200."""
    env = {
        **os.environ,
        **(environment or {}),
        "PYTHONPATH": f"{checkout}{os.pathsep}{Path(__file__).resolve().parent}",
        "PYTHONHASHSEED": "0",
    }
    with tempfile.TemporaryDirectory(prefix="render-bench-") as scratch:
        out = Path(scratch) / "callgrind.out"
        log = open(Path(scratch) / "valgrind.log", "w+")  # noqa: SIM115 (read after the child)
        child = subprocess.Popen(
            [
                "valgrind",
                "--tool=callgrind",
                "--instr-atstart=no",
                f"--callgrind-out-file={out}",
                sys.executable,
                "-c",
                CHILD_SWITCHED,
                str(content),
                str(catalogue or ""),
                str(count),
                "cold" if cold else "warm",
            ],
            cwd=checkout,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            text=True,
        )
        results: dict[str, float | int] = {}
        try:

            def say(line: str) -> str:
                child.stdin.write(line + "\n")
                child.stdin.flush()
                answer = child.stdout.readline().strip()
                if not answer:
                    log.seek(0)
                    sys.exit(f"the render child stopped:\n{log.read()[-3000:]}")
                return answer

            dumps = 0
            for path in paths:
                status = int(say(path))
                if status != 200:
                    results[path] = status
                    continue
                _callgrind_control(child.pid, "--zero")
                _callgrind_control(child.pid, "--instr=on")
                say("go")
                _callgrind_control(child.pid, "--instr=off")
                _callgrind_control(child.pid, "--dump")
                dumps += 1  # each dump holds what was counted since the last zero
                text = Path(f"{out}.{dumps}").read_text()
                totals = re.search(r"^totals: (\d+)", text, re.MULTILINE)
                results[path] = int(totals.group(1)) / count / 1e6
                child.stdin.write("next\n")
                child.stdin.flush()
            child.stdin.write("\n")
            child.stdin.flush()
            child.wait(timeout=600)
        finally:
            if child.poll() is None:
                child.kill()
                child.wait()
            log.close()
    return results


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
    parser.add_argument(
        "--content",
        type=Path,
        help="serve this content folder, counting with the instrumentation switched on",
    )
    options = parser.parse_args()
    if not shutil.which("valgrind"):
        sys.exit("valgrind is not installed: apt-get install valgrind")
    if options.content:
        found = per_request_switched(
            ROOT, options.content.resolve(), list(options.paths), options.requests, options.cold
        )
        print(f"millions of instructions per request, {options.content}")
        for path, figure in found.items():
            shown = f"{figure:8.2f}" if isinstance(figure, float) else f"status {figure}"
            print(f"{path:52} {shown}")
        return 0
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
