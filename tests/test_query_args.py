"""Query arguments a page reads (portal.query_args): noted as views read them, so that only an
address holding nothing else, spelled as the site's own links spell it, is kept."""

import pytest

from portal.web.query_args import ENVIRON_KEY, holds_only_read


def environ(query: str, *read: str) -> dict:
    return {"QUERY_STRING": query, ENVIRON_KEY: set(read)}


@pytest.mark.parametrize(
    "query",
    [
        "",
        "year=2024",
        "department=%E5%8A%9E%E5%85%AC%E5%AE%A4&year=2024",
        "year=2024&department=%E5%8A%9E%E5%85%AC%E5%AE%A4&page=2",
        "department=",
        "q=a+b",
        "path=/documents/x/",
    ],
)
def test_an_address_of_read_arguments_spelled_as_the_site_spells_it_may_be_kept(query):
    assert holds_only_read(environ(query, "year", "department", "page", "q", "path"))


@pytest.mark.parametrize(
    "query",
    [
        "utm_source=x",
        "year=2024&utm=1",
        "year=2024&year=2024",
        "year=2024&year=2023",
        "y%65ar=2024",
        "year=%32024",
        "year=2024&",
        "&year=2024",
        "year=2024&&page=2",
        "year",
        "year=2024;page=2",
        "q=a%20b",
        "department=%e5%8a%9e%e5%85%ac%e5%ae%a4",
        "department=\xe5\x8a\x9e",
        "year=2024#x",
        "year=2024=1",
        "path=%2Fdocuments%2F",
    ],
)
def test_anything_else_in_a_query_is_never_kept(query):
    assert not holds_only_read(environ(query, "year", "department", "page", "q", "path"))


def test_a_page_that_read_nothing_is_kept_only_without_a_query():
    assert holds_only_read({"QUERY_STRING": ""})
    assert not holds_only_read({"QUERY_STRING": "utm_source=1"})


def test_views_note_the_arguments_they_read(app):
    with app.test_request_context("/catalogue/?year=2024&x=1&page=2&five=a"):
        from flask import request

        assert request.args.get("year") == "2024"
        assert request.args.getlist("page") == ["2"]
        assert "five" in request.args
        assert request.environ[ENVIRON_KEY] == {"year", "page", "five"}
        assert not holds_only_read(request.environ)


def test_the_catalogue_notes_its_filters(app):
    with app.test_request_context("/catalogue/?year=2024&page=1"):
        from flask import request

        app.dispatch_request()
        assert {"year", "page", "department", "five", "organisation"} <= request.environ[
            ENVIRON_KEY
        ]
        assert holds_only_read(request.environ)
