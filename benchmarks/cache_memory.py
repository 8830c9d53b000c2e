"""Memory of one worker under visitors who make up addresses and preferences: the resident size
(RSS) of the single gunicorn worker of `portal serve --workers 1`, after warming every kind of
page, after N requests with random query strings, and after N more in random valid reading
preferences (each such request a page of its own, which the byte budget has to bound).

Bounded and local: one server on a free port of 127.0.0.1, N sequential requests per phase,
stopped at the end.

    .venv/bin/python benchmarks/cache_memory.py [--requests 4000] [--source DIR] [PORTAL_X=Y ...]

--source runs another checkout of the code (e.g. `git archive` of an older commit, with its
translations compiled) against that checkout's content, to compare before and after.
"""

import argparse
import http.client
import os
import random
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
from support import free_port, wait_for  # noqa: E402

SCHEMES = ("auto", "green", "dark", "contrast", "beige")
CHOICES = {
    "size": ("100", "125", "150", "175", "200"),
    "spacing": ("175", "200", "250"),
    "cursor": ("off", "large"),
    "textonly": ("off", "on"),
}


def rss_mb(pid: int) -> float:
    """A process's resident size in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=4000)
    parser.add_argument("--source", type=Path, default=ROOT)
    parser.add_argument("settings", nargs="*", help="PORTAL_X=Y for the server")
    options = parser.parse_args()
    source = options.source.resolve()
    scratch = Path(tempfile.mkdtemp(prefix="cache_memory_"))
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(source),
        "PORTAL_SEARCH_INDEX_DIR": str(scratch / "search_index"),
        "PORTAL_BUILD_INDEX_ON_START": "false",
        # Both: the checkout measured may be from before applications moved into DATABASE_URL.
        "PORTAL_APPLICATIONS_DB": str(scratch / "applications.sqlite3"),
        "PORTAL_DATABASE_URL": f"sqlite:///{scratch / 'portal.sqlite3'}",
        **dict(setting.split("=", 1) for setting in options.settings),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "portal.cli",
            "serve",
            "--workers",
            "1",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
        ],
        env=env,
        cwd=scratch,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(port, 60)
        worker = int(Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()[0])
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

        def get(path: str, cookie: str | None = None) -> None:
            connection.request("GET", path, headers={"Cookie": cookie} if cookie else {})
            response = connection.getresponse()
            response.read()
            if response.status != 200:
                raise RuntimeError(f"{path}: {response.status}")

        reports = sorted(
            path.stem
            for path in (source / "content").rglob("*.md")
            if "annual-reports" in path.parts
        )[:4]
        pages = [
            "/",
            "/catalogue/",
            "/reports/",
            "/en/reports/",
            *(f"/documents/{slug}/" for slug in reports),
        ]
        for page in pages:
            get(page)
        rng = random.Random(17)
        start = rss_mb(worker)
        for number in range(options.requests):
            get(f"{rng.choice(pages)}?utm_source={rng.getrandbits(64):x}&n={number}")
        junk = rss_mb(worker)
        for _ in range(options.requests):
            cookie = "prefs=" + "&".join(
                [
                    f"scheme={rng.choice(SCHEMES)}",
                    *(f"{key}={rng.choice(values)}" for key, values in CHOICES.items()),
                ]
            )
            get(rng.choice(pages), cookie)
        preferences = rss_mb(worker)
        print(
            f"{source}: worker RSS {start:.0f} MB warm; {junk:.0f} MB after "
            f"{options.requests} requests with random query strings; {preferences:.0f} MB "
            f"after {options.requests} more in random valid preferences"
        )
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
