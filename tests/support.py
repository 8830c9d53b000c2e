"""Helpers the tests and benchmarks share, kept out of the shipped package: free ports, waiting
for a server, and a local nginx running the export's own nginx.conf.example.

Benchmarks import it with tests/ on sys.path (`sys.path.insert(0, str(ROOT / "tests"))`)."""

import os
import socket
import time
from pathlib import Path

from portal.export import APP, EXAMPLE, LISTEN

LOCAL_NGINX = """
{user}
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log;
daemon off;
events {{ worker_connections 1024; }}
http {{
    access_log off;
    client_body_temp_path {root}/tmp; proxy_temp_path {root}/tmp; fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp; scgi_temp_path {root}/tmp;
    include {server};
}}
"""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def local_nginx_config(
    scratch: Path, port: int, site: Path, workers: int = 1, app: str = APP
) -> Path:
    """Write an nginx configuration running the export's own nginx.conf.example, listening on
    127.0.0.1:port with the app at app, for tests and benchmarks (`nginx -c FILE -p scratch`);
    returns the file."""
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    example = (site / EXAMPLE).read_text(encoding="utf-8")
    for shipped, local in (
        (f"listen {LISTEN};", f"listen 127.0.0.1:{port};"),
        (f"server {APP};", f"server {app};"),
    ):
        if example.count(shipped) != 1:
            raise ValueError(f"{site / EXAMPLE} does not hold '{shipped}' once")
        example = example.replace(shipped, local)
    server = scratch / "portal.conf"
    server.write_text(example, encoding="utf-8")
    return wrap_nginx_server(scratch, server, workers)


def wrap_nginx_server(scratch: Path, server: Path, workers: int = 1) -> Path:
    """Write a whole nginx configuration around a server file, with every path in scratch/."""
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    # Temporary folders are often private to their owner: nginx's worker must be that user.
    user = "user root;" if os.geteuid() == 0 else ""
    config = scratch / "nginx.conf"
    config.write_text(
        LOCAL_NGINX.format(user=user, workers=workers, root=scratch, server=server),
        encoding="utf-8",
    )
    return config


def wait_for(port: int, seconds: float = 30) -> None:
    """Block until something accepts connections on 127.0.0.1:port (RuntimeError after
    seconds)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nothing listens on 127.0.0.1:{port}")


def fresh_database(url: str) -> None:
    """Bring the database at url to the code's schema, as `portal db upgrade` does; a shared
    server (PORTAL_TEST_DATABASE_URL, such as a throwaway PostgreSQL) is emptied first."""
    from portal import db

    engine = db.make_engine(url, create_folder=True)
    if db.sqlite_file(url) is None:
        db.Base.metadata.drop_all(engine)
        with engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    db.upgrade(engine)
    engine.dispose()
