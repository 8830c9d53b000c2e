"""Counts and selections of the catalogue come from what each filter value selects, worked out
once per catalogue version: the same answers as a walk over every document, without a request
ever walking every document (on a county platform, 100,000 of them)."""

import itertools
from collections import Counter

import pytest
from county import TOWN, add_township

from portal.catalogue import FILTER_KEYS, Filters, categories, load_catalogue


@pytest.fixture
def catalogue(site):
    """The fixture site with a township publishing beside the bureau."""
    add_township(site)
    found = load_catalogue(site)
    assert len(found.organisations) == 2 and not found.problems
    return found


def walked_counts(documents, filters: Filters) -> dict[str, Counter]:
    """What counts() means, by walking every document (as the catalogue did before)."""
    result = {key: Counter() for key in FILTER_KEYS}
    for document in documents:
        if filters.matches(document, ignore="organisation"):
            result["organisation"][document.organisation] += 1
        if filters.matches(document, ignore="category"):
            result["category"].update(node.slug for node in document.category.path())
        if filters.matches(document, ignore="department") and document.department:
            result["department"][document.department] += 1
        if filters.matches(document, ignore="year") and document.year:
            result["year"][document.year] += 1
        if filters.matches(document, ignore="five") and document.five_openness_slug:
            result["five"][document.five_openness_slug] += 1
        if filters.matches(document, ignore="validity") and document.validity:
            result["validity"][document.validity.slug] += 1
    return result


def every_filters(catalogue):
    """Every combination of the values the catalogue holds, each filter also unused, plus a
    value no document holds."""
    used = {node for d in catalogue.documents for node in d.category.path()}
    yield from (
        Filters(category, department, year, five, organisation, validity)
        for organisation, category, department, year, five, validity in itertools.product(
            ["", TOWN, "lingwu-kjj", "nowhere"],
            [None, *sorted(used, key=lambda node: node.slug), categories.BY_SLUG["fees"]],
            ["", *catalogue.departments(), "无此部门"],
            [None, *catalogue.years(), 1999],
            ["", *categories.FIVE_OPENNESS_BY_SLUG],
            ["", "in-force", "repealed"],
        )
    )


def test_counts_and_selections_are_what_a_walk_over_every_document_finds(catalogue):
    checked = 0
    for filters in every_filters(catalogue):
        expected = [d for d in catalogue.documents if filters.matches(d)]
        assert catalogue.select(filters) == expected, filters
        assert catalogue.counts(filters) == walked_counts(catalogue.documents, filters), filters
        checked += bool(expected)
    assert checked > 100  # many combinations select something


def test_departments_and_years_are_every_value_in_order(catalogue):
    assert catalogue.departments() == sorted({d.department for d in catalogue.documents} - {""})
    assert catalogue.years() == sorted({d.year for d in catalogue.documents} - {None})[::-1]


class Unwalkable(list):
    """The catalogue's documents, failing the test when something walks them all."""

    def __iter__(self):
        raise AssertionError("a request walked every document of the catalogue")


@pytest.mark.parametrize(
    "address",
    [
        "/",
        "/catalogue/",
        "/catalogue/statutory/?year=2024",
        "/catalogue/?department=科技项目管理股&five=decision",
        "/en/catalogue/plans/",
        "/documents/2024-tech-commissioner-measures/",  # and its neighbours in its category
    ],
)
def test_the_home_page_the_catalogue_and_a_document_never_walk_every_document(app, client, address):
    store = app.extensions["portal.catalogue"]
    current = store.current()
    current.documents = Unwalkable(current.documents)
    response = client.get(address)
    assert response.status_code == 200
