"""Running the app under gunicorn from our own command, without a separate config file."""

import os

from flask import Flask
from gunicorn.app.base import BaseApplication

# gunicorn takes the scheme from X-Forwarded-Proto, -Ssl and -Protocol, and SCRIPT_NAME and
# PATH_INFO from headers of those names, whenever the connection comes from 127.0.0.1: where a
# local nginx connects from, passing on whatever the client sent. Whether and how far forwarded
# headers are trusted is PROXY_COUNT's to say, in one place (ProxyFix, portal.web.security).
TRUST_NO_FORWARDED_HEADERS = {
    "forwarded_allow_ips": "",
    "secure_scheme_headers": {},
    "forwarder_headers": "",
    "header_map": "drop",
}


class _Gunicorn(BaseApplication):
    """gunicorn serving an app object that is already built."""

    def __init__(self, app: Flask, options: dict):
        self.application = app
        self.options = options
        super().__init__()

    def load_config(self):
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self):
        return self.application


def run_gunicorn(
    app: Flask, host: str, port: int, workers: int, threads: int = 1, access_log: str | None = None
) -> None:
    """Serve app with gunicorn until interrupted."""
    _Gunicorn(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": workers,
            # The threaded worker keeps idle connections alive in its poller, even with one
            # thread: a cached page costs no new TCP handshake, which doubled the cache-hit rate
            # measured with wrk (675 -> 1,200 req/s on 2 cores). More threads per worker fight
            # over the GIL while rendering: a fresh document page went from about 950 req/s with
            # one thread to 800 with two and 400-700 with four (2 workers, 2 cores, wrk -c20).
            "worker_class": "gthread",
            "threads": threads,
            "keepalive": 5,
            # gunicorn formats and writes each line while the request waits: 8% of a worker's
            # time on a fresh page. nginx in front logs the same requests.
            "accesslog": access_log,
            # A worker touches its heartbeat file on every loop; in memory that costs nothing.
            "worker_tmp_dir": "/dev/shm" if os.path.isdir("/dev/shm") else None,
            "timeout": 30,
            "graceful_timeout": 10,
            **TRUST_NO_FORWARDED_HEADERS,
        },
    ).run()
