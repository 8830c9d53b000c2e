"""The search page and its JSON twin: a GET form, so every search has a shareable URL and works
without JavaScript."""

import json
from urllib.parse import quote, urlencode

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _

from portal import search, wiring
from portal.catalogue import VALIDITY_BY_SLUG, Page, categories
from portal.web import (
    choice_argument,
    date_argument,
    page_argument,
    visible_text,
    year_value,
)
from portal.web.canonical import canonical_url
from portal.web.errors import refusal
from portal.web.i18n import LOCALES, select_locale, to_bcp47, url_in

blueprint = Blueprint("search", __name__)

FILTER_KEYS = ("organisation", "category", "department", "year", "five_openness", "validity")
MAX_VALUES_PER_FILTER = 20
PER_PAGE = 10


def _arguments() -> tuple[str, dict[str, list[str]], str, int]:
    """The query, filters, sort order and page of the request; a clear 400 when malformed."""
    query = _query_argument()
    filters = {}
    for key in FILTER_KEYS:
        values = [value for value in map(visible_text, request.args.getlist(key)) if value]
        if len(values) > MAX_VALUES_PER_FILTER:
            raise refusal(
                400, _("筛选条件过多：每类最多选择 %(limit)d 项。", limit=MAX_VALUES_PER_FILTER)
            )
        if key == "year":
            values = [str(year_value(value)) for value in values]
        if values:
            filters[key] = values
    sort = request.args.get("sort", "relevance")
    if sort not in search.SORTS:
        raise refusal(400, _("排序方式只能是“相关度”或“日期”。"))
    return query, filters, sort, page_argument()


def _query_argument() -> str:
    """The ?q= text as a page may echo it; a clear 400 when too long."""
    query = visible_text(request.args.get("q", ""))
    if len(query) > search.MAX_QUERY_LENGTH:
        raise refusal(
            400,
            _(
                "搜索词过长：最多 %(limit)d 个字符，您输入了 %(length)d 个。",
                limit=search.MAX_QUERY_LENGTH,
                length=len(query),
            ),
        )
    return query


def _refinements() -> dict:
    """Where to look and the date window of the request (scope, from, to): the values that
    differ from the defaults, as the page's links spell them; a clear 400 when malformed."""
    scope = choice_argument(
        "scope", search.SCOPES, _("搜索范围只能是“全文”“标题”或“文号、索引号”。")
    )
    first, last = date_argument("from"), date_argument("to")
    if first and last and first > last:
        raise refusal(400, _("开始日期不能晚于结束日期。"))
    chosen = {"scope": scope if scope != "all" else None, "from": first, "to": last}
    return {key: value for key, value in chosen.items() if value}


def _run(
    query: str, filters: dict, sort: str, page: int, refine: dict | None = None
) -> search.Results:
    """Ask the engine; an unusable index is a 503 while every other page keeps working.

    Only documents the live catalogue publishes can be found: one withdrawn since the index
    was last written is gone from search as soon as it is gone from its page.
    """
    try:
        return wiring.search.searcher().search(
            query,
            filters=filters,
            sort=sort,
            page=page,
            per_page=PER_PAGE,
            published=wiring.catalogue.current().slugs,
            scope=(refine or {}).get("scope", "all"),
            dates=((refine or {}).get("from"), (refine or {}).get("to")),
        )
    except search.QueryTooLong as error:
        raise refusal(400, str(error)) from error
    except search.IndexUnavailable as error:
        current_app.logger.warning("search unavailable: %s", error)
        unavailable = refusal(503, _("搜索服务暂时不可用，请稍后重试。其他页面仍可正常浏览。"))
        raise unavailable from error


@blueprint.get("/search")
def results():
    """Search results with facets, sorting and pagination."""
    query, filters, sort, page = _arguments()
    refine = _refinements()
    if not query and not filters and not refine:
        return render_template(
            "search/results.html",
            query="",
            results=None,
            filters={},
            sort=sort,
            refine={},
            facet_label=facet_label,
            hot_searches=wiring.search.hot_searches(),
            **indexed_addresses(""),
        )
    found = _run(query, filters, sort, page, refine)
    listing = Page(found.hits, found.page, found.per_page, found.total)
    if page > listing.count:
        abort(404)
    plain = not filters and not refine and page == 1 and sort == "relevance"
    keyword = keyword_named(query, found) if plain else ""
    if keyword:
        # Only a keyword staff gave a listed document is ever counted (search.hot).
        wiring.search.hot().record(keyword)
    indexed = indexed_addresses(urlencode({"q": keyword}, quote_via=quote)) if keyword else {}
    return render_template(
        "search/results.html",
        query=query,
        results=found,
        filters=filters,
        sort=sort,
        refine=refine,
        hot_searches=wiring.search.hot_searches() if not found.total else (),
        page=listing,
        catalogue=wiring.catalogue.current(),
        facet_label=facet_label,
        search_url=search_url,
        # A platform of one body names no body: every hit and the one facet value would be it.
        many_bodies=len(wiring.catalogue.current().organisations) > 1,
        **indexed,
        page_url=lambda number: search_url(
            query, filters, sort, refine, page=number if number > 1 else None
        ),
    )


@blueprint.get("/api/search")
def api():
    """The same search as JSON, for programs."""
    query, filters, sort, page = _arguments()
    found = _run(query, filters, sort, page, _refinements())
    return _json(
        {
            "query": found.query,
            "total": found.total,
            "page": found.page,
            "per_page": found.per_page,
            "scope": found.scope,
            "correction": found.correction,
            "expansions": [
                {"typed": e.typed, "found": e.found, "kind": e.kind} for e in found.expansions
            ],
            "hits": [
                {
                    "slug": hit.slug,
                    "url": url_for("documents.detail", slug=hit.slug, _external=False),
                    "title_html": str(hit.title_html),
                    "snippet_html": str(hit.snippet_html),
                    "attachment": hit.attachment or None,
                    "date": hit.date.isoformat() if hit.date else None,
                    "department": hit.department,
                    "organisation": hit.organisation,
                    "category": hit.category,
                    "partial": hit.partial,
                }
                for hit in found.hits
            ],
            "facets": {
                key: [{"value": value, "count": count} for value, count in values]
                for key, values in found.facets.items()
            },
        }
    )


@blueprint.get("/api/search/suggest")
def suggest():
    """Words to complete what a visitor is typing into a search box (keywords, titles, 文号),
    as JSON: what search-suggest.js offers in its list."""
    query = _query_argument()
    try:
        found = wiring.search.searcher().suggest(query, published=wiring.catalogue.current().slugs)
    except search.IndexUnavailable as error:
        current_app.logger.warning("search unavailable: %s", error)
        raise refusal(503, _("搜索服务暂时不可用，请稍后重试。其他页面仍可正常浏览。")) from error
    return _json({"query": query, "suggestions": [{"text": s.text, "kind": s.kind} for s in found]})


def _json(data: dict):
    """JSON with <, > and & escaped, so echoed input is inert even if sniffed as HTML."""
    text = json.dumps(data, ensure_ascii=False)
    for character, escape in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(character, escape)
    return current_app.response_class(text, mimetype="application/json")


@blueprint.get("/opensearch.xml")
def opensearch():
    """The OpenSearch description, so browsers can add this site's search."""
    xml = render_template(
        "search/opensearch.xml",
        template=canonical_url(url_for("search.results")) + "?q={searchTerms}",
    )
    return current_app.response_class(xml, mimetype="application/opensearchdescription+xml")


def keyword_named(query: str, found: search.Results) -> str:
    """The keyword of a listed document that the query names, or ""."""
    # Only such plain first pages are offered to search engines: topics that have no page of
    # their own (categories and departments have browse pages). A page echoes its query in its
    # title, so an indexable page for any text would let anyone publish that text under the
    # bureau's name by linking to it (the "search spam" that hit government sites); keywords
    # that staff gave documents cannot be cut short, joined or reworded.
    wanted = search.fold(query.strip())
    current = wiring.catalogue.current()
    for hit in found.hits:
        document = current.get(hit.slug)
        for keyword in document.keywords if document else ():
            if search.fold(keyword.strip()) == wanted:
                return keyword.strip()
    return ""


def indexed_addresses(query_string: str) -> dict:
    """Template values that let search engines index this page at its path + ``query_string``."""
    return {
        "indexed_path": url_in(select_locale(), query_string),
        "alternates": [(to_bcp47(locale), url_in(locale, query_string)) for locale in LOCALES],
    }


def facet_label(key: str, value: str) -> str:
    """What a visitor reads for a facet value (category and 五公开 slugs and organisation ids
    become names, in the page's language)."""
    if key == "organisation":
        return wiring.catalogue.organisation_name(value)
    if key == "category" and value in categories.BY_SLUG:
        return _(categories.BY_SLUG[value].name)
    if key == "five_openness" and value in categories.FIVE_OPENNESS_BY_SLUG:
        return _(categories.FIVE_OPENNESS_BY_SLUG[value])
    if key == "validity" and value in VALIDITY_BY_SLUG:
        return _(VALIDITY_BY_SLUG[value])
    return value


@blueprint.app_template_filter("without")
def without(filters: dict, key: str, value: str) -> dict:
    """The filters with one value of one key removed."""
    remaining = {k: [v for v in values if (k, v) != (key, value)] for k, values in filters.items()}
    return {k: values for k, values in remaining.items() if values}


@blueprint.app_template_filter("without_refinement")
def without_refinement(refine: dict, *keys: str) -> dict:
    """The scope and date window with some of them dropped."""
    return {k: v for k, v in refine.items() if k not in keys}


def search_url(query: str, filters: dict, sort: str, refine: dict | None = None, **changes) -> str:
    """The search URL with some arguments changed (a filter value of None drops that filter);
    ``refine`` holds the scope and date window (_refinements)."""
    arguments = {"q": query, "sort": sort if sort != "relevance" else None, **filters}
    for key, value in (refine or {}).items():
        arguments[key] = value.isoformat() if hasattr(value, "isoformat") else value
    arguments.update(changes)
    return url_for("search.results", **{k: v for k, v in arguments.items() if v})
