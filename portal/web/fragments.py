"""Parts of pages rendered once and reused: `{% cache key, ... %}...{% endcache %}`.

The reading-settings toolbar, the header and a document's body are most of what a page costs
to render, and each changes only with the language, the visitor's reading preferences, the
section or the content version. Keyed on those, each is rendered once per worker and every
later page that shows it reuses the text; only the page's own parts (its address, title,
canonical links, QR code) are rendered per request.

A fragment's key is the template (which names its language), the place of the tag in it, the
script root its URLs are built under, and the tag's own expressions. Whatever a fragment
shows must follow from that key: tests/test_fragments.py renders the site with the cache on
and off, across languages and preferences, and compares every page byte for byte.
"""

import sys
from collections.abc import Callable, Hashable

from flask import Flask, has_request_context, request
from jinja2 import nodes
from jinja2.ext import Extension
from markupsafe import Markup

from portal.web.lru import SizedLRU


class FragmentCache:
    """Rendered fragments by key, at most ``size`` of them taking at most ``max_bytes``, the
    least recently used out first: a visitor's choices (each set of reading preferences is
    a toolbar of its own) cannot make a worker hold more."""

    def __init__(self, size: int, max_bytes: int = 16 * 1024 * 1024):
        self._kept = SizedLRU(size, max_bytes)

    def __len__(self) -> int:
        return len(self._kept)

    @property
    def bytes(self) -> int:
        """The memory the kept fragments take, as counted when stored."""
        return self._kept.bytes

    def get_or_render(self, key: Hashable, render: Callable[[], Markup]) -> Markup:
        """The fragment stored under key, rendering and storing it first if missing."""
        found = self._kept.get(key)
        if found is not None:
            return found
        # Rendered outside the lock: two threads missing at once both render, and store
        # the same text.
        fragment = render()
        self._kept.put(key, fragment, sys.getsizeof(fragment) + sys.getsizeof(key))
        return fragment


class CacheTag(Extension):
    """The `{% cache expression, ... %}` tag; with the cache off the body renders every time."""

    tags = frozenset({"cache"})

    def __init__(self, environment):
        super().__init__(environment)
        environment.extend(fragment_cache=None)

    def parse(self, parser):
        """The tag and its body as a call of _fragment with the key's values."""
        lineno = next(parser.stream).lineno
        # The tag's place: its line, and its rank among the template's tags, which tells two
        # tags on one line apart.
        rank = parser.portal_cache_tags = getattr(parser, "portal_cache_tags", 0) + 1
        keys = [nodes.Const(f"{parser.name}:{lineno}:{rank}")]
        while parser.stream.current.type != "block_end":
            if len(keys) > 1:
                parser.stream.expect("comma")
            keys.append(parser.parse_expression())
        body = parser.parse_statements(("name:endcache",), drop_needle=True)
        call = self.call_method("_fragment", [nodes.Tuple(keys, "load")])
        return nodes.CallBlock(call, [], [], body).set_lineno(lineno)

    def _fragment(self, key: tuple, caller: Callable[[], Markup]) -> Markup:
        """The body's text, kept under key unless the cache is off."""
        cache = self.environment.fragment_cache
        # Asked at render time: `portal serve --debug` turns reloading on after the app is
        # built, and an edited template must show at once.
        if cache is None or self.environment.auto_reload:
            return caller()
        # A site mounted under two prefixes builds different URLs in the same fragment.
        root = request.script_root if has_request_context() else ""
        return cache.get_or_render((root, *key), caller)


def init_app(app: Flask) -> None:
    """Offer the cache tag; keep fragments unless turned off (or while templates reload)."""
    app.jinja_env.add_extension(CacheTag)
    size, max_bytes = app.config["FRAGMENT_CACHE_SIZE"], app.config["FRAGMENT_CACHE_BYTES"]
    app.jinja_env.fragment_cache = FragmentCache(size, max_bytes) if size and max_bytes else None
