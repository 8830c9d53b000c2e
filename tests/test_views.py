"""The pages a visitor meets: home, browse, document, attachments, errors."""

import gzip

import pytest

from portal import create_app


def test_home_page_shows_the_five_standard_columns_with_counts(page):
    home = page("/")
    columns = [a.get_text(" ", strip=True) for a in home.select(".columns a")]
    assert columns == [
        "政府信息公开指南 1 条",
        "政府信息公开制度 0 条",
        "法定主动公开内容 3 条",
        "政府信息公开年报 3 条",
        "依申请公开 0 条",
    ]


def test_home_page_lists_the_latest_documents_newest_first(page):
    titles = [a.get_text(strip=True) for a in page("/").select(".document-list a")]
    assert titles[:3] == [
        "关于印发《示例县科技特派员管理办法》的通知",
        "灵武市科学技术局2023年政府信息公开工作年度报告（示例）",
        "政府信息公开指南",
    ]
    # Undated documents (a real report whose page gives no date) come last, by title.
    assert titles[-2:] == [
        "某某局2024年政府信息公开工作年度报告",
        "灵武市科学技术局2024年政府信息公开工作年度报告",
    ]


def test_home_page_has_a_search_box(page):
    form = page("/").select_one("main form[role=search]")
    assert form["action"] == "/search#results" and form["method"] == "get"
    assert form.select_one("input[name=q]")


def test_browse_by_category_includes_documents_of_sub_categories(page):
    listing = page("/catalogue/statutory/")
    assert [a.get_text(strip=True) for a in listing.select(".document-list a")] == [
        "关于印发《示例县科技特派员管理办法》的通知",
        "2023年科普工作要点",
        "科技馆展品采购项目成交公告",
    ]
    assert listing.h1.get_text() == "法定主动公开内容"


def test_browse_filters_combine_and_each_option_shows_its_count(page):
    listing = page("/catalogue/statutory/?department=办公室")
    assert [a.get_text(strip=True) for a in listing.select(".document-list a")] == [
        "科技馆展品采购项目成交公告"
    ]
    years = {
        a.get_text(" ", strip=True) for a in listing.select("[aria-labelledby=year-heading] a")
    }
    assert years == {"2022 (1)"}
    departments = [
        a.get_text(" ", strip=True)
        for a in listing.select("[aria-labelledby=department-heading] a")
    ]
    assert "办公室 (1) （已选，点击取消）" in departments
    assert "科技项目管理股 (1)" in departments


def test_browse_by_year_and_five_openness(page):
    listing = page("/catalogue/?year=2024&five=decision")
    assert [a.get_text(strip=True) for a in listing.select(".document-list a")] == [
        "关于印发《示例县科技特派员管理办法》的通知"
    ]


def test_selected_filter_links_are_marked_current(page):
    listing = page("/catalogue/?year=2023")
    selected = listing.select("[aria-labelledby=year-heading] a[aria-current]")
    assert [a.get_text(" ", strip=True) for a in selected] == ["2023 (1) （已选，点击取消）"]
    assert selected[0]["href"] == "/catalogue/"


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/nope/",
        "/catalogue/?department=无此部门",
        "/catalogue/?five=none",
        "/catalogue/?page=9",
        "/catalogue/?year=1999",
        "/catalogue/?organisation=nope",
    ],
)
def test_unknown_filter_values_and_pages_past_the_end_are_404(page, url):
    page(url, status=404)


@pytest.mark.parametrize(
    "url",
    [
        "/catalogue/?page=0",
        "/catalogue/?page=-1",
        "/catalogue/?page=abc",
        "/catalogue/?page=99999999999",
        "/catalogue/?year=24",
    ],
)
def test_malformed_page_or_year_is_a_400_that_says_what_was_wrong(page, url):
    error = page(url, status=400)
    assert "页码应为正整数" in error.main.get_text() or "年份应为四位数字" in error.main.get_text()


def test_pagination_is_a_labelled_nav_with_current_page_and_rel_links(app, page):
    app.config["PER_PAGE"] = 2
    first = page("/catalogue/")
    nav = first.select_one("nav.pagination")
    assert nav["aria-label"] == "分页"
    assert nav.select_one("a[aria-current=page]").get_text() == "1"
    assert nav.select_one("a[rel=next]")["href"] == "/catalogue/?page=2"
    second = page("/catalogue/?page=2")
    assert second.select_one("nav.pagination a[rel=prev]")["href"] == "/catalogue/"
    assert second.select_one("nav.pagination a[aria-current=page]").get_text() == "2"
    assert "第 2 页 / 共 4 页" in second.select_one(".result-count").get_text()


def test_document_page_shows_every_catalogue_field_as_a_description_list(page):
    document = page("/documents/2024-tech-commissioner-measures/")
    fields = {
        div.dt.get_text(): div.dd.get_text(strip=True)
        for div in document.select(".metadata dl > div")
    }
    assert fields == {
        "索引号": "000000000/2024-00002",
        # A site without organisation files is one body, named by SITE_NAME.
        "发布机构": "政府信息公开平台（演示站）",
        "文号": "示科发〔2024〕3号",
        "生成日期": "2024年3月15日",
        "发布日期": "（未注明）",
        "责任部门": "科技项目管理股",
        "公开时限": "长期公开",
        "所属分类": "行政规范性文件",
        "所属“五公开”": "决策公开",
        "公开方式": "主动公开",
        "关键词": "科技特派员；管理办法",
        "有效性": "现行有效",
    }


def test_a_field_the_source_does_not_give_shows_as_empty(page):
    document = page("/documents/undated-real-report/")
    fields = {
        div.dt.get_text(): div.dd.get_text(strip=True)
        for div in document.select(".metadata dl > div")
    }
    assert fields["索引号"] == fields["文号"] == fields["生成日期"] == "（未注明）"
    assert document.select_one(".sample-notice") is None


def test_sample_documents_are_marked_as_samples(page):
    document = page("/documents/2024-tech-commissioner-measures/")
    assert "示例文件" in document.select_one(".sample-notice").get_text()
    listing = page("/catalogue/statutory/")
    assert len(listing.select(".document-list .badge-sample")) == 3


def test_document_page_has_breadcrumbs_through_the_category_tree(page):
    crumbs = page("/documents/2024-tech-commissioner-measures/").select(".breadcrumbs a")
    assert [a.get_text() for a in crumbs] == [
        "首页",
        "法定主动公开内容",
        "政策文件",
        "行政规范性文件",
        "关于印发《示例县科技特派员管理办法》的通知",
    ]
    assert crumbs[-1]["aria-current"] == "page"


def test_a_site_without_organisation_files_lists_itself_as_its_one_body(page):
    listing = page("/organisations/")
    assert [h2.get_text() for h2 in listing.main.find_all("h2")] == ["其他"]
    body = listing.select_one("main tbody th a")
    assert (body.get_text(), body["href"]) == (
        "政府信息公开平台（演示站）",
        "/organisations/lingwu-kjj/",
    )
    column = page(body["href"])
    assert column.h1.get_text() == "政府信息公开平台（演示站）"
    assert len(column.select(".catalogue-table tbody tr")) == 7
    # Nothing to choose between: the catalogue offers no 发布机构 filter, and a document's
    # breadcrumbs stay the catalogue tree (test_document_page_has_breadcrumbs_...).
    assert page("/catalogue/").select_one("#organisation-heading") is None
    assert len(page("/catalogue/?organisation=lingwu-kjj").select(".document-list li")) == 7


def test_document_body_tables_get_caption_and_header_scopes(page):
    table = page("/documents/2024-tech-commissioner-measures/").select_one(".document-body table")
    assert table.caption.get_text() == "科技特派员名额分配"
    assert [th["scope"] for th in table.select("th")] == ["col", "col"]
    region = table.parent
    assert region["role"] == "region" and region["tabindex"] == "0"


def test_document_page_links_its_neighbours_in_the_category(site, page):
    (site / "policy" / "2024-second.md").write_text(
        (site / "policy" / "2024-tech-commissioner-measures.md")
        .read_text(encoding="utf-8")
        .replace("2024-00002", "2024-00003")
        .replace("2024-03-15", "2024-05-01")
        .replace(
            "attachments:\n  - file: 2024-tech-commissioner-measures-form.csv\n"
            "    title: 附件1：科技特派员申报表",
            "attachments:",
        )
        .replace("关于印发", "再次印发"),
        encoding="utf-8",
    )
    neighbours = page("/documents/2024-tech-commissioner-measures/").select(".neighbours a")
    assert [a["href"] for a in neighbours] == ["/documents/2024-second/"]


def test_attachments_are_listed_with_type_and_size_and_download(page, client):
    document = page("/documents/2024-tech-commissioner-measures/")
    item = document.select_one(".attachments li")
    assert "附件1：科技特派员申报表" in item.get_text()
    assert "(CSV, 31 B)" in item.get_text()
    with client.get(item.a["href"]) as response:
        assert response.status_code == 200
        assert response.mimetype == "text/csv"
        assert "2024-tech-commissioner-measures-form.csv" in response.headers["Content-Disposition"]
        assert response.data.startswith(b"\xef\xbb\xbf")


@pytest.mark.parametrize(
    "name",
    ["..%2F..%2Fpyproject.toml", "2024-tech-commissioner-measures.md", "undeclared.csv", "%2e%2e"],
)
def test_only_declared_attachments_are_served(client, name):
    response = client.get(f"/documents/2024-tech-commissioner-measures/attachments/{name}")
    assert response.status_code == 404


def test_missing_document_gets_the_site_404_page(page):
    error = page("/documents/no-such-document/", status=404)
    assert error.h1.get_text() == "找不到该页面"
    assert error.select_one("main a[href='/']")


def test_wrong_method_gets_405_with_allow_header(client):
    response = client.post("/")
    assert response.status_code == 405
    assert "GET" in response.headers["Allow"]
    assert response.mimetype == "text/html"


def test_head_works_without_a_body(client):
    response = client.head("/catalogue/")
    assert response.status_code == 200
    assert response.data == b""


def test_unexpected_error_gets_the_site_500_page_without_a_trace(app, client, monkeypatch):
    from portal.wiring import catalogue

    def broken():
        raise RuntimeError("secret detail")

    monkeypatch.setattr(catalogue, "current", broken)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = client.get("/")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "服务器出错了" in body and "secret detail" not in body and "Traceback" not in body


def test_pages_send_etag_and_cache_control_and_answer_304(client):
    first = client.get("/catalogue/")
    assert first.headers["ETag"] and "max-age" in first.headers["Cache-Control"]
    again = client.get("/catalogue/", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_rendered_pages_answer_conditional_requests_without_the_page_cache(site, tmp_path):
    client = create_app(
        {
            "TESTING": True,
            "CONTENT_DIR": str(site),
            "PAGE_CACHE_SIZE": 0,
            "SEARCH_INDEX_DIR": str(tmp_path / "search_index"),
        }
    ).test_client()
    url = "/documents/2024-tech-commissioner-measures/"
    first = client.get(url)
    assert first.status_code == 200 and first.headers["ETag"]
    assert client.get(url, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    other = client.get(url, headers={"If-None-Match": '"another-version"'})
    assert other.status_code == 200 and other.data == first.data


def test_static_files_are_fingerprinted_and_cached_for_a_year(client, page):
    stylesheet = page("/").select_one("link[rel=stylesheet]")["href"]
    assert stylesheet.startswith("/static/site.") and stylesheet.endswith(".css")
    response = client.get(stylesheet)
    assert response.status_code == 200
    assert "max-age=31536000" in response.headers["Cache-Control"]
    assert client.get("/static/site.css").status_code == 404


def test_both_languages_load_the_same_static_files(page):
    def assets(url):
        html = page(url)
        return [
            html.select_one("link[rel=stylesheet]")["href"],
            html.select_one("script[src]")["src"],
            html.select_one("link[rel=icon]")["href"],
        ]

    assert assets("/en/documents/2024-tech-commissioner-measures/") == assets("/")
    assert all(url.startswith("/static/") for url in assets("/en/"))


def test_text_static_files_are_sent_gzipped_to_browsers_that_accept_it(client, page):
    home = page("/")
    for url in [
        home.select_one("link[rel=stylesheet]")["href"],
        home.select_one("script[src]")["src"],
    ]:
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert "Content-Encoding" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip", url
        assert (
            "Accept-Encoding" in packed.headers["Vary"]
            and "Accept-Encoding" in plain.headers["Vary"]
        )
        assert gzip.decompress(packed.data) == plain.data
        assert len(packed.data) < len(plain.data)
        assert packed.headers["ETag"] != plain.headers["ETag"]
        assert (
            client.get(
                url, headers={"Accept-Encoding": "gzip", "If-None-Match": packed.headers["ETag"]}
            ).status_code
            == 304
        )
    # The favicon fits in one packet as it is.
    icon = client.get(
        home.select_one("link[rel=icon]")["href"], headers={"Accept-Encoding": "gzip"}
    )
    assert "Content-Encoding" not in icon.headers and icon.data.startswith(b"<svg")
    refused = client.get(
        home.select_one("link[rel=stylesheet]")["href"],
        headers={"Accept-Encoding": "gzip;q=0, identity"},
    )
    assert "Content-Encoding" not in refused.headers


def test_english_pages_live_under_en_and_keep_the_language_in_links(page):
    home = page("/en/")
    assert home.select_one(".main-nav a")["href"] == "/en/catalogue/guide/"
    assert home.select(".main-nav a")[-1]["href"] == "/en/organisations/"
    assert home.select_one("footer a[hreflang=zh-Hans]")["href"] == "/"


def test_a_broken_file_is_reported_and_the_rest_of_the_site_still_serves(site, page, caplog):
    (site / "policy" / "broken.md").write_text("---\ntitle: [unclosed\n---\n", encoding="utf-8")
    listing = page("/catalogue/")
    assert len(listing.select(".document-list li")) == 7
    assert any("broken.md:2" in message for message in caplog.messages)


def test_a_published_document_that_breaks_keeps_its_last_good_version(app, site, page):
    page("/documents/2023-science-popularisation-plan/")
    path = site / "policy" / "2023-science-popularisation-plan.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("date: 2023-02-20", "date: 2023-02-30"),
        encoding="utf-8",
    )
    app.extensions["portal.catalogue"].interval = 0
    document = page("/documents/2023-science-popularisation-plan/")
    assert "2023年2月20日" in document.select_one(".metadata").get_text()


def test_an_edited_file_shows_on_the_next_request(app, site, page):
    app.extensions["portal.catalogue"].interval = 0
    page("/documents/2022-procurement-notice/")
    path = site / "policy" / "2022-procurement-notice.md"
    path.write_text(
        path.read_text(encoding="utf-8").replace("示例科技有限公司", "另一家公司"), encoding="utf-8"
    )
    assert "另一家公司" in page("/documents/2022-procurement-notice/").get_text()
