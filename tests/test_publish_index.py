"""Search on several nodes from one writer's index: `portal publish-index TARGET` copies the
live generation into another node's index folder and makes it live there at once; a searcher
already open there moves to it without a restart; a copy that was killed halfway never becomes
live; and a node that is not the writer (SEARCH_INDEX_WRITER=false) never writes its index, yet
leaves out at once what its own catalogue no longer publishes."""

from pathlib import Path

import pytest
from click.testing import CliRunner

from portal import create_app
from portal.cli import main
from portal.search import Searcher, index_content, index_stamp, live_generation

PHRASE = "zxqpublished"


@pytest.fixture
def writer(site, tmp_path) -> Path:
    """The writing node's index folder, built from the fixture site."""
    index = tmp_path / "writer-index"
    index_content(site, index)
    return index


def publish(writer: Path, *targets: Path, monkeypatch):
    monkeypatch.setenv("PORTAL_SEARCH_INDEX_DIR", str(writer))
    return CliRunner().invoke(main, ["publish-index", *map(str, targets)])


def hits(index: Path, query: str) -> list[str]:
    with Searcher(index) as searcher:
        return [hit.slug for hit in searcher.search(query).hits]


def add_document(site: Path) -> None:
    """A new published document holding a phrase no other has (a fixture document, retitled)."""
    source = site / "policy" / "2023-science-popularisation-plan.md"
    text = source.read_text(encoding="utf-8").replace("2023年科普工作要点", f"{PHRASE} 要点")
    text = text.replace("2023-00007", "2023-00099")
    (site / "policy" / "2024-published-elsewhere.md").write_text(text, encoding="utf-8")


def test_a_published_index_answers_on_the_other_nodes_as_on_the_writer(
    writer, tmp_path, monkeypatch
):
    nodes = [tmp_path / "node-a", tmp_path / "node-b"]
    result = publish(writer, *nodes, monkeypatch=monkeypatch)
    assert result.exit_code == 0, result.output
    assert result.output.count("live,") == 2
    for node in nodes:
        assert hits(node, "科技特派员") == hits(writer, "科技特派员") != []


def test_an_open_searcher_moves_to_the_new_generation_without_a_restart(
    site, writer, tmp_path, monkeypatch
):
    node = tmp_path / "node"
    assert publish(writer, node, monkeypatch=monkeypatch).exit_code == 0
    with Searcher(node) as searcher:
        assert searcher.search(PHRASE).total == 0
        add_document(site)
        index_content(site, writer)
        assert publish(writer, node, monkeypatch=monkeypatch).exit_code == 0
        assert searcher.search(PHRASE).total == 1
    assert index_stamp(node) == index_stamp(writer)


def test_a_copy_killed_halfway_never_becomes_live_and_is_cleared(writer, tmp_path, monkeypatch):
    node = tmp_path / "node"
    assert publish(writer, node, monkeypatch=monkeypatch).exit_code == 0
    live = live_generation(node)
    half = node / "tmp-1-1"  # what a killed copy leaves: some files, no switch
    half.mkdir()
    (half / "portal-index.json").write_text("{", encoding="utf-8")
    assert live_generation(node) == live and hits(node, "科技特派员")
    assert publish(writer, node, monkeypatch=monkeypatch).exit_code == 0
    assert not half.exists()
    assert live_generation(node) != live


def test_publishing_nothing_or_onto_itself_is_refused_clearly(tmp_path, writer, monkeypatch):
    missing = publish(tmp_path / "no-index", tmp_path / "node", monkeypatch=monkeypatch)
    assert missing.exit_code == 1 and "there is no search index" in missing.output
    itself = publish(writer, writer, monkeypatch=monkeypatch)
    assert itself.exit_code == 1 and "onto itself" in itself.output
    assert "Traceback" not in missing.output + itself.output


def test_a_reading_node_never_writes_its_index_but_hides_what_it_no_longer_publishes(
    site, writer, tmp_path, monkeypatch
):
    node = tmp_path / "node"
    assert publish(writer, node, monkeypatch=monkeypatch).exit_code == 0
    generation = live_generation(node)
    app = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "SEARCH_INDEX_DIR": str(node),
            "SEARCH_INDEX_WRITER": False,
        }
    )
    client = app.test_client()
    found = client.get("/api/search?q=科技特派员").get_json()
    slug = found["hits"][0]["slug"]
    assert "portal.index_keeper" not in app.extensions
    path = next(site.rglob(f"{slug}.md"))
    path.unlink()
    app.extensions["portal.catalogue"].refresh()
    assert slug not in [
        hit["slug"] for hit in client.get("/api/search?q=科技特派员").get_json()["hits"]
    ]
    add_document(site)
    app.extensions["portal.catalogue"].refresh()
    assert client.get(f"/api/search?q={PHRASE}").get_json()["total"] == 0
    assert live_generation(node) == generation
    app.extensions["portal.searcher"].close()
