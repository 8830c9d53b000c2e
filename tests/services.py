"""Throwaway PostgreSQL and Redis servers for tests and benchmarks: each starts from the
machine's own binaries (Debian's postgresql 15 and redis-server, installed by `make
service-deps`) on 127.0.0.1 and a free port, keeps everything in a temporary folder, and is
stopped and removed afterwards. Nothing is left running and nothing outside the folder changes.

PostgreSQL refuses to run as root, so when the tests run as root the cluster belongs to the
`postgres` account the Debian package creates and its programs run as that account (setpriv).
"""

import contextlib
import glob
import os
import pwd
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

from support import free_port, wait_for

POSTGRES_ACCOUNT = "postgres"
DATABASE = "portal_test"


class ServiceMissing(RuntimeError):
    """A server the tests need is not installed; the message says how to install it."""


def postgres_bin(name: str) -> str:
    """The path of a PostgreSQL program (initdb, pg_ctl): Debian keeps them out of PATH."""
    installed = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)
    found = installed[0] if installed else shutil.which(name)
    if found is None:
        raise ServiceMissing(f"{name} is missing: run `make service-deps` (apt-get postgresql)")
    return found


def _as_owner(owner: pwd.struct_passwd | None) -> list[str]:
    if owner is None:
        return []
    return [
        "setpriv",
        f"--reuid={owner.pw_uid}",
        f"--regid={owner.pw_gid}",
        "--clear-groups",
        "--reset-env",
    ]


@contextlib.contextmanager
def postgres_server() -> Iterator[str]:
    """A running PostgreSQL with an empty database; yields its SQLAlchemy URL."""
    owner = pwd.getpwnam(POSTGRES_ACCOUNT) if os.geteuid() == 0 else None
    root = Path(tempfile.mkdtemp(prefix="portal-postgres-"))
    data = root / "data"
    if owner is not None:
        os.chown(root, owner.pw_uid, owner.pw_gid)
    run_as = _as_owner(owner)
    port = free_port()
    log = root / "server.log"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.PIPE, "check": True}
    subprocess.run(
        [*run_as, postgres_bin("initdb"), "-D", str(data), "-U", "portal", "-A", "trust",
         "-E", "UTF8", "--locale=C.UTF-8"],
        **quiet,
    )  # fmt: skip
    options = f"-h 127.0.0.1 -p {port} -k {root} -c fsync=off -c full_page_writes=off"
    subprocess.run(
        [*run_as, postgres_bin("pg_ctl"), "-D", str(data), "-l", str(log), "-o", options,
         "-w", "start"],
        **quiet,
    )  # fmt: skip
    try:
        wait_for(port)
        subprocess.run(
            [postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "portal",
             DATABASE],
            **quiet,
        )  # fmt: skip
        yield f"postgresql+psycopg://portal@127.0.0.1:{port}/{DATABASE}"
    finally:
        subprocess.run(
            [*run_as, postgres_bin("pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextlib.contextmanager
def redis_server() -> Iterator[str]:
    """A running Redis that keeps nothing on disk; yields its URL."""
    program = shutil.which("redis-server")
    if program is None:
        raise ServiceMissing("redis-server is missing: run `make service-deps`")
    root = Path(tempfile.mkdtemp(prefix="portal-redis-"))
    port = free_port()
    config = root / "redis.conf"
    config.write_text(
        f'bind 127.0.0.1\nport {port}\ndir {root}\nsave ""\nappendonly no\n'
        'protected-mode yes\ndaemonize no\nlogfile ""\n',
        encoding="utf-8",
    )
    server = subprocess.Popen(
        [program, str(config)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        wait_for(port)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        shutil.rmtree(root, ignore_errors=True)
