"""Running the app under gunicorn from our own command, without a separate config file."""

from flask import Flask
from gunicorn.app.base import BaseApplication


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


def run_gunicorn(app: Flask, host: str, port: int, workers: int) -> None:
    """Serve app with gunicorn until interrupted."""
    _Gunicorn(app, {
        "bind": f"{host}:{port}",
        "workers": workers,
        "accesslog": "-",
        "timeout": 30,
        "graceful_timeout": 10,
    }).run()
