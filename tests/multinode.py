"""Several `portal serve` nodes on 127.0.0.1 behind a real nginx, sharing a throwaway PostgreSQL
and Redis, the content folder (one writer: the first node) and an index the writer publishes to
the others; and clients that submit applications, track them and search through nginx while a
node is killed and restarted and a new index generation is published. Used by
tests/test_multinode.py and `benchmarks/load_test.py --nodes 2`. Bounded in clients and time,
loopback only; everything it starts is stopped.

Each client speaks from its own loopback address (127.0.1.N: Linux routes all of 127/8 to this
machine), so nginx, and the nodes behind it (PROXY_COUNT=1), see distinct visitors, and each
visitor's hourly submission limit is tested across the nodes."""

import contextlib
import http.client
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from services import postgres_server, redis_server
from support import free_port, wait_for, wrap_nginx_server

PORTAL = Path(sys.executable).with_name("portal")
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
PHONE_LAST4 = "1234"
NEW_PHRASE = "zxqmultinode"
# nginx passes a request to the next node when the one it chose refuses the connection (a POST
# too: nothing was sent yet); a request in flight when a node dies gets 502.
PROXY = """
upstream portal_nodes {{
{servers}
    keepalive 16;
}}
server {{
    listen 127.0.0.1:{port};
    location / {{
        proxy_pass http://portal_nodes;
        proxy_http_version 1.1;
        proxy_set_header Connection "";
        proxy_set_header Host $host;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_next_upstream error timeout;
        proxy_connect_timeout 1s;
        proxy_read_timeout 30s;
    }}
}}
"""


def application_form(name: str) -> dict:
    """A valid application by a citizen whose phone ends in PHONE_LAST4."""
    return {
        "applicant_kind": "person", "name": name, "id_type": "ric",
        "id_number": "11010519491231002X", "phone": f"138 0000 {PHONE_LAST4}", "email": "",
        "address": "", "description": "2024年科技项目资金分配结果", "title": "",
        "doc_number": "", "index_number": "", "form": "electronic", "delivery": "collect",
        "organisation": "lingwu-kjj",  # DEFAULT_ORGANISATION: a body of any content here
    }  # fmt: skip


class Node:
    """One `portal serve` (gunicorn master and workers, its own process group)."""

    def __init__(self, number: int, env: dict, log: Path):
        self.number = number
        self.port = free_port()
        self.env = {**env, "PORTAL_BASE_URL": env["PORTAL_BASE_URL"]}
        self.log = log
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        """Start the node and wait until it answers."""
        with self.log.open("ab") as sink:
            self.process = subprocess.Popen(
                [str(PORTAL), "serve", "--port", str(self.port), "--workers", "1",
                 "--threads", "8"],
                env=self.env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True,
            )  # fmt: skip
        wait_for(self.port, 120)

    def kill(self) -> None:
        """Kill the node at once, workers and all, as a machine that dies."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def stop(self) -> None:
        """Stop the node the polite way."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()

    def get(self, path: str) -> tuple[int, bytes]:
        """A GET straight to this node (not through nginx)."""
        return request("127.0.0.1", self.port, "GET", path, source="127.0.0.1")[:2]


def request(
    host: str,
    port: int,
    method: str,
    path: str,
    form: dict | None = None,
    *,
    source: str,
    origin: str = "",
) -> tuple[int, bytes, float]:
    """Status, body and time of one request from a source address; 0 when it failed."""
    started = time.monotonic()
    connection = http.client.HTTPConnection(host, port, timeout=30, source_address=(source, 0))
    try:
        body = urlencode(form).encode() if form is not None else None
        headers = {"Origin": origin} if origin else {}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.read(), started
    except (OSError, http.client.HTTPException):  # no answer, or one cut off: no full answer
        return 0, b"", started
    finally:
        connection.close()


@dataclass
class Outcome:
    """What the clients saw and what the cluster held afterwards."""

    seconds: float = 0.0
    statuses: Counter = field(default_factory=Counter)
    latencies: list = field(default_factory=list)
    accepted: dict = field(default_factory=dict)  # code -> (client, applicant name)
    unknown: list = field(default_factory=list)  # submissions answered 5xx: stored or not
    failures: list = field(default_factory=list)  # (seconds since start, status, path)
    limited: Counter = field(default_factory=Counter)  # client -> 429s on submission
    killed_at: float | None = None
    restarted_at: float | None = None
    published_at: float | None = None
    reached: dict = field(default_factory=dict)  # node -> seconds until the new doc was found
    stored: dict = field(default_factory=dict)  # code -> applicant name, read from PostgreSQL
    untrackable: list = field(default_factory=list)

    def failover_window(self) -> tuple[float, float] | None:
        """First and last second (since start) a client saw a 5xx or no answer."""
        if not self.failures:
            return None
        return self.failures[0][0], self.failures[-1][0]


class Cluster:
    """PostgreSQL, Redis, `nodes` portal nodes over one content folder, and nginx before them."""

    def __init__(self, root: Path, content: Path, nodes: int = 2, submissions_per_hour: int = 5):
        self.root = root
        self.content = content
        self.count = nodes
        self.submissions_per_hour = submissions_per_hour
        self.stack = contextlib.ExitStack()
        self.nodes: list[Node] = []
        self.port = free_port()
        self.nginx: subprocess.Popen | None = None

    def __enter__(self) -> "Cluster":
        try:
            self._start()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self) -> None:
        self.database = self.stack.enter_context(postgres_server())
        self.redis = self.stack.enter_context(redis_server())
        base = {
            **os.environ,
            "PORTAL_CONTENT_DIR": str(self.content),
            "PORTAL_DATABASE_URL": self.database,
            "PORTAL_REDIS_URL": self.redis,
            "PORTAL_PROXY_COUNT": "1",
            "PORTAL_BASE_URL": f"http://127.0.0.1:{self.port}",
            "PORTAL_SECRET_KEY": "multinode-test-key-" + "x" * 40,
            "PORTAL_APPLICATION_SUBMISSIONS_PER_HOUR": str(self.submissions_per_hour),
        }
        self.run(["db", "upgrade"], base)
        for number in range(self.count):
            env = {
                **base,
                "PORTAL_SEARCH_INDEX_DIR": str(self.index(number)),
                "PORTAL_SEARCH_INDEX_WRITER": "true" if number == 0 else "false",
            }
            self.nodes.append(Node(number, env, self.root / f"node-{number}.log"))
        self.run(["index"], self.nodes[0].env)
        self.publish_index()
        for node in self.nodes:
            node.start()
        servers = "\n".join(
            f"    server 127.0.0.1:{node.port} max_fails=1 fail_timeout=2s;" for node in self.nodes
        )
        scratch = self.root / "nginx"
        scratch.mkdir()
        (scratch / "proxy.conf").write_text(
            PROXY.format(servers=servers, port=self.port), encoding="utf-8"
        )
        config = wrap_nginx_server(scratch, scratch / "proxy.conf", workers=2)
        self.nginx = subprocess.Popen(
            [NGINX, "-c", str(config), "-p", str(scratch)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_for(self.port)

    def __exit__(self, *_exc) -> None:
        if self.nginx is not None:
            self.nginx.terminate()
            self.nginx.wait(timeout=20)
        for node in self.nodes:
            node.stop()
        self.stack.close()

    def index(self, number: int) -> Path:
        """The index folder of a node."""
        return self.root / f"index-{number}"

    def run(self, arguments: list[str], env: dict) -> str:
        """Run a `portal` command; its output (AssertionError with it when it fails)."""
        done = subprocess.run([str(PORTAL), *arguments], env=env, capture_output=True, text=True)
        if done.returncode:
            raise AssertionError(f"portal {' '.join(arguments)}: {done.stdout}{done.stderr}")
        return done.stdout

    def publish_index(self) -> None:
        """The writer's live index onto every other node, as `portal publish-index` does."""
        others = [str(self.index(node)) for node in range(1, self.count)]
        if others:
            self.run(["publish-index", *others], self.nodes[0].env)

    def add_document(self) -> None:
        """A new published document on the writer, holding NEW_PHRASE (a document of the
        content, retitled and numbered anew)."""
        source = next(
            path for path in sorted(self.content.rglob("*.md"))
            if "index_no: \"" in path.read_text(encoding="utf-8")
            and "review:" not in path.read_text(encoding="utf-8")
        )  # fmt: skip
        text = source.read_text(encoding="utf-8")
        number = text.split('index_no: "', 1)[1].split('"', 1)[0]
        text = text.replace(number, number[:-5] + "99999", 1).replace(
            "title: ", f"title: {NEW_PHRASE} ", 1
        )
        (source.parent / f"multinode-{NEW_PHRASE}.md").write_text(text, encoding="utf-8")

    def search_total(self, node: Node, query: str) -> int | None:
        """What a node's own search API counts for a query (None when it does not answer)."""
        status, body = node.get(f"/api/search?q={quote(query)}")
        return json.loads(body)["total"] if status == 200 else None

    def stored_applications(self) -> dict:
        """Every stored application's code and applicant name, read from PostgreSQL."""
        from sqlalchemy import create_engine, text

        engine = create_engine(self.database)
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT code, name FROM applications")).all()
        engine.dispose()
        return {code: name for code, name in rows}


def run_load(cluster: Cluster, clients: int = 50, seconds: float = 60.0) -> Outcome:
    """Clients submit, track and search through nginx for `seconds`; the second node is killed
    at a third of the run and restarted at half; the writer publishes a new index generation
    at 60%. Returns what happened."""
    outcome = Outcome(seconds=seconds)
    lock = threading.Lock()
    start = time.monotonic()
    origin = f"http://127.0.0.1:{cluster.port}"
    attempts = cluster.submissions_per_hour + 3  # each client tries more than it may

    def client(number: int) -> None:
        source = f"127.0.1.{number + 1}"
        chance = random.Random(number)
        mine: list[str] = []
        tried = 0
        while time.monotonic() - start < seconds:
            roll = chance.random()
            if tried < attempts and roll < 0.2:
                tried += 1
                name = f"客户{number}-{tried}"
                path, form = "/apply/", application_form(name)
            elif mine and roll < 0.6:
                code = chance.choice(mine)
                path, form = "/apply/track", {"code": code, "phone_last4": PHONE_LAST4}
            else:
                path, form = f"/search?q={quote(chance.choice(['科技', '年度报告', '公开']))}", None
            method = "POST" if form is not None else "GET"
            status, body, began = request(
                "127.0.0.1", cluster.port, method, path, form, source=source, origin=origin
            )
            with lock:
                outcome.statuses[status] += 1
                outcome.latencies.append(time.monotonic() - began)
                if status >= 500 or status == 0:
                    outcome.failures.append((round(began - start, 2), status, path.split("?")[0]))
            if path == "/apply/":
                if status == 200:
                    code = _code_of(body)
                    mine.append(code)
                    with lock:
                        outcome.accepted[code] = (number, name)
                elif status == 429:
                    with lock:
                        outcome.limited[number] += 1
                elif status >= 500 or status == 0:
                    with lock:
                        outcome.unknown.append(name)
            time.sleep(chance.uniform(0.05, 0.3))

    def conductor() -> None:
        time.sleep(seconds / 3)
        outcome.killed_at = round(time.monotonic() - start, 2)
        cluster.nodes[-1].kill()
        time.sleep(seconds / 6)
        cluster.nodes[-1].start()
        outcome.restarted_at = round(time.monotonic() - start, 2)
        time.sleep(max(0.0, seconds * 0.6 - (time.monotonic() - start)))
        cluster.add_document()
        writer = cluster.nodes[0]
        deadline = time.monotonic() + 60
        while cluster.search_total(writer, NEW_PHRASE) != 1 and time.monotonic() < deadline:
            time.sleep(0.2)
        cluster.publish_index()
        outcome.published_at = round(time.monotonic() - start, 2)
        for node in cluster.nodes:
            while time.monotonic() < deadline:
                if cluster.search_total(node, NEW_PHRASE) == 1:
                    outcome.reached[node.number] = round(
                        time.monotonic() - start - outcome.published_at, 2
                    )
                    break
                time.sleep(0.2)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    threads.append(threading.Thread(target=conductor))
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.failures.sort()
    outcome.stored = cluster.stored_applications()
    for code in outcome.accepted:
        status, _body, _began = request(
            "127.0.0.1", cluster.port, "POST", "/apply/track",
            {"code": code, "phone_last4": PHONE_LAST4}, source="127.0.0.1", origin=origin,
        )  # fmt: skip
        if status != 200:
            outcome.untrackable.append((code, status))
    return outcome


def _code_of(body: bytes) -> str:
    """The tracking code a submitted page shows (in its <strong class="code">)."""
    html = body.decode("utf-8", "replace")
    marker = 'class="tracking-code"'
    if marker not in html:
        raise AssertionError("the submitted page shows no tracking code")
    tail = html.split(marker, 1)[1].split(">", 1)[1]
    return tail.split("<", 1)[0].strip().replace("-", "")
