"""错敏字 before publication: `portal check` flags the wrong forms of a word list kept as data
(portal/catalogue/wording.tsv, its sources named in its header), each with file:line and the
form to write, unless the document says it means them (words_ok:)."""

import pytest
from click.testing import CliRunner
from test_content import check, write

from portal.catalogue.wording import WORD_LIST, word_list
from portal.cli import main


def test_the_list_holds_forms_of_every_kind_it_names():
    sources = {wording.source for wording in word_list()}
    assert sources == {"第一批异形词整理表", "政府信息公开条例", "GB 32100-2015"}
    assert len(word_list()) >= 25


def test_every_source_is_named_in_the_header_of_the_list():
    header = "".join(
        line for line in WORD_LIST.read_text(encoding="utf-8").splitlines() if line.startswith("#")
    )
    for source in {wording.source for wording in word_list()}:
        assert f"#   {source}: " in WORD_LIST.read_text(encoding="utf-8"), source
    assert "Sources:" in header


@pytest.mark.parametrize("wording", word_list(), ids=lambda wording: wording.flagged)
def test_the_word_list_catches_each_of_its_examples_and_passes_the_form_to_write(tmp_path, wording):
    write(tmp_path, change=("正文。\n", f"第一段。\n\n本段写了{wording.flagged}。\n"))
    assert check(tmp_path) == [
        f"doc.md:17: {wording.flagged}: write {wording.preferred} ({wording.source}); if "
        f"{wording.flagged} is meant here, add it to words_ok: in the front matter"
    ]
    write(tmp_path, change=("正文。\n", f"第一段。\n\n本段写了{wording.preferred}。\n"))
    assert [p for p in check(tmp_path) if wording.preferred in p] == []


def test_a_flagged_form_in_the_title_is_reported_on_the_titles_line(tmp_path):
    write(tmp_path, change=("title: 关于印发", "title: 关于调整笔划的通知：关于印发"))
    assert [p.split(": write")[0] for p in check(tmp_path)] == ["doc.md:2: 笔划"]


def test_a_form_the_document_means_is_marked_in_its_front_matter(tmp_path):
    body = ("正文。\n", "汉字的笔划与成份。\n")
    write(tmp_path, change=body)
    assert len(check(tmp_path)) == 2
    write(tmp_path, change=body, meant=("sample: true\n", "sample: true\nwords_ok: [笔划]\n"))
    assert [p.split(": write")[0] for p in check(tmp_path)] == ["doc.md:16: 成份"]


def test_portal_check_prints_the_warning_and_still_passes(tmp_path):
    write(tmp_path, change=("正文。\n", "统一社会信用码\n"))
    result = CliRunner().invoke(main, ["check", "--content", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (
        "doc.md:15: warning: 统一社会信用码: write 统一社会信用代码 (GB 32100-2015)"
        in result.output
    )


def test_a_malformed_line_of_the_list_is_refused_with_its_line(tmp_path):
    broken = tmp_path / "wording.tsv"
    broken.write_text("# header\n笔划\t笔画\t第一批异形词整理表\n成份 成分\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"wording\.tsv:3: "):
        word_list(broken)
