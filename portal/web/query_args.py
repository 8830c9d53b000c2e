"""The query arguments a page reads, noted as it reads them, so the page cache keeps a page only
when its address holds nothing else: `/?utm=1` or `/catalogue/?x=<random>` is answered like
any page but never stored, and junk in a query cannot fill the cache.

Every view reads `request.args` as usual; the app's request class (portal.Portal) hands out
arguments that remember each name asked for. Reading an argument another way (iterating,
`to_dict()`) is not noted, and then the page is simply not kept: a mistake here costs a
render, never a wrong page, because the cache key holds the whole query string anyway.
"""

from urllib.parse import parse_qsl, urlencode

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.utils import cached_property

# Where the names a request's page read are kept, in its WSGI environ.
ENVIRON_KEY = "portal.web.query_args.read"
# The characters werkzeug leaves unquoted in the query strings url_for() builds
# (werkzeug.urls._urlencode): a link of this site is spelled this way.
SAFE = "!$'()*,/:;?@"


class NotedArgs(ImmutableMultiDict):
    """Query arguments that add each name looked up to a set."""

    def __init__(self, pairs, read: set[str]):
        super().__init__(pairs)
        self.read = read

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self.read.add(key)
        return super().__contains__(key)

    def get(self, key, default=None, type=None):
        """The first value of key, noting that the page read it."""
        self.read.add(key)
        return super().get(key, default, type)

    def getlist(self, key, type=None):
        """Every value of key, noting that the page read it."""
        self.read.add(key)
        return super().getlist(key, type)


class NotingRequest(Request):
    """Flask's request, whose args note what the page reads."""

    @cached_property
    def args(self) -> NotedArgs:
        """The query arguments, parsed by werkzeug, noting each name read."""
        return NotedArgs(Request.args.fget(self), self.environ.setdefault(ENVIRON_KEY, set()))


def holds_only_read(environ: dict) -> bool:
    """Whether a request's query holds nothing but arguments its page read, each once and
    spelled as this site's own links spell it, so that no two addresses a visitor can make up
    give the same page twice over."""
    query = environ.get("QUERY_STRING", "")
    if not query:
        return True
    read = environ.get(ENVIRON_KEY, set())
    seen = set()
    for field in query.split("&"):
        pairs = parse_qsl(field, keep_blank_values=True, errors="werkzeug.url_quote")
        if len(pairs) != 1:
            return False
        name = pairs[0][0]
        if name not in read or name in seen or urlencode(pairs, safe=SAFE) != field:
            return False
        seen.add(name)
    return True
