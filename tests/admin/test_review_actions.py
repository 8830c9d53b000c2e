"""The audit trail of review (portal.approvals): every approval and return recorded with the
account, stage, time, digest, document and comment in the same step as the file's change, so
that neither is kept when the other fails; rows only ever added; the versions acted on kept
with the files they cover; approvals recorded by a person's name before there were accounts
still counted for the separation of duties."""

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from portal import accounts, approvals, db
from portal.catalogue import load_catalogue

from .test_review import write_draft

NOW = datetime.datetime(2026, 12, 1, 1, 0, tzinfo=datetime.UTC)


@pytest.fixture
def desk(site) -> approvals.Desk:
    return approvals.Desk(site, "lingwu-kjj")


@pytest.fixture
def member(database, staff):
    """Make an account and return it as portal.accounts sees it."""

    def make(username: str, roles=(), second_factor: str | None = None) -> accounts.StaffMember:
        staff(username, roles, second_factor=second_factor)
        found = {m.username: m for m in accounts.list_accounts(database)}
        return found[username]

    return make


def rows(database) -> list[db.ReviewAction]:
    database.expire_all()
    return list(database.scalars(select(db.ReviewAction).order_by(db.ReviewAction.id)))


def test_every_approval_and_return_is_recorded_with_who_what_when_and_why(
    site, database, desk, member
):
    path = write_draft(site)
    first, second = member("first", ("初审",)), member("second", ("复审",))
    approvals.approve(database, desk, first, path, "初审", NOW, "同意。")
    later = NOW + datetime.timedelta(hours=2)
    approvals.send_back(database, desk, second, path, "请补充依据。", later)
    approved, returned = rows(database)
    digest = load_catalogue(site).drafts[0].digest
    assert (approved.account_id, approved.username, approved.action, approved.stage) == (
        first.id,
        "first",
        "approve",
        "初审",
    )
    assert (approved.at, approved.digest, approved.comment) == (NOW, digest, "同意。")
    assert (approved.path, approved.slug, approved.organisation) == (
        "normative-documents/2026-00001.md",
        "2026-00001",
        "lingwu-kjj",
    )
    assert (returned.username, returned.action, returned.stage, returned.at) == (
        "second",
        "return",
        "复审",
        later,
    )
    assert returned.comment == "请补充依据。" and returned.digest == digest
    assert returned.version_id == approved.version_id  # one version, acted on twice
    assert "初审" not in path.read_text(encoding="utf-8")


def test_a_change_after_approval_is_recorded_as_voiding_the_earlier_approvals(
    site, database, desk, member
):
    # Moved here from tests/test_workflow.py, where the JSONL AUDIT_LOG's entries said it.
    path = write_draft(site)
    first, second = member("first", ("初审",)), member("second", ("复审",))
    approvals.approve(database, desk, first, path, "初审", NOW)
    approvals.approve(database, desk, second, path, "复审", NOW)
    path.write_text(path.read_text(encoding="utf-8").replace("一次", "两次"), encoding="utf-8")
    approvals.approve(database, desk, first, path, "初审", NOW)
    recorded = rows(database)
    assert [r.stage for r in recorded] == ["初审", "复审", "初审"]
    assert [r.voided_earlier for r in recorded] == [False, False, True]
    assert recorded[0].digest == recorded[1].digest != recorded[2].digest
    versions = database.scalars(select(db.ReviewedVersion).order_by(db.ReviewedVersion.id))
    assert ["两次" in v.text for v in versions] == [False, True]


def test_the_audit_trail_only_grows(site, database, desk, member):
    # Moved here from tests/test_workflow.py (the JSONL file only grew).
    path = write_draft(site)
    first, second = member("first", ("初审",)), member("second", ("复审",))
    approvals.approve(database, desk, first, path, "初审", NOW)

    def snapshot():
        return [
            (r.id, r.at, r.username, r.action, r.stage, r.digest, r.comment, r.version.text)
            for r in rows(database)
        ]

    before = snapshot()
    approvals.send_back(database, desk, second, path, "退回。", NOW)
    assert snapshot()[: len(before)] == before and len(snapshot()) == 2


def test_the_version_approved_records_every_file_it_covers(site, database, desk, member):
    # Moved here from tests/test_workflow.py (the JSONL entries' "covers").
    path = site / "policy" / "2024-tech-commissioner-measures.md"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("\n---\n", "\nreview: []\n---\n", 1), encoding="utf-8")
    attachment = site / "policy" / "2024-tech-commissioner-measures-form.csv"
    approvals.approve(database, desk, member("first", ("初审",)), path, "初审", NOW)
    version = rows(database)[0].version
    sha256 = hashlib.sha256(attachment.read_bytes()).hexdigest()
    assert [attachment.name, sha256] in json.loads(version.files)


def test_when_the_file_cannot_be_written_nothing_is_recorded(site, database, desk, member):
    path = write_draft(site)
    before = path.read_text(encoding="utf-8")
    (path.parent / f".{path.name}.tmp").mkdir()  # where the new text would be written first
    with pytest.raises(approvals.Refused) as refused:
        approvals.approve(database, desk, member("first", ("初审",)), path, "初审", NOW)
    assert refused.value.reason == approvals.FILE and "could not be written" in str(refused.value)
    assert path.read_text(encoding="utf-8") == before
    assert rows(database) == []


def test_when_the_record_cannot_be_committed_the_file_is_put_back(site, database, desk, member):
    path = write_draft(site)
    first = member("first", ("初审",))
    before = path.read_text(encoding="utf-8")

    def fail(_session):
        # The commit that follows the file's change (not the lock's savepoint) fails.
        if path.read_text(encoding="utf-8") != before:
            raise OperationalError("COMMIT", {}, Exception("disk I/O error"))

    event.listen(database, "before_commit", fail)
    with pytest.raises(db.DatabaseUnavailable, match="could not be recorded, so it was undone"):
        approvals.approve(database, desk, first, path, "初审", NOW)
    event.remove(database, "before_commit", fail)
    assert path.read_text(encoding="utf-8") == before
    assert rows(database) == []
    approvals.approve(database, desk, first, path, "初审", NOW)  # and it can be done again
    assert [r.stage for r in rows(database)] == ["初审"]


def test_refused_actions_record_nothing_and_leave_the_file(site, database, desk, member):
    path = write_draft(site)
    before = path.read_text(encoding="utf-8")
    cases = (
        (member("drafter", ("起草",)), "初审", approvals.NO_ROLE),
        (member("second", ("复审",)), "复审", approvals.NOT_WAITING),
        (member("final", ("终审",)), "终审", approvals.SECOND_FACTOR),
    )
    for who, stage, reason in cases:
        with pytest.raises(approvals.Refused) as refused:
            approvals.approve(database, desk, who, path, stage, NOW)
        assert refused.value.reason == reason, who.username
    with pytest.raises(approvals.Refused) as refused:
        approvals.send_back(database, desk, member("first", ("初审",)), path, " \n ", NOW)
    assert refused.value.reason == approvals.NO_COMMENT
    assert path.read_text(encoding="utf-8") == before and rows(database) == []


def test_an_approval_recorded_by_a_name_before_accounts_counts_for_the_separation_of_duties(
    site, database, desk, member
):
    # The shipped drafts carry approvals by a name typed after --by (张某某); an account whose
    # name is that name is the same person and cannot approve the next stage.
    path = write_draft(site)
    digest = load_catalogue(site).drafts[0].digest
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "review: []",
            f'review:\n  - {{stage: 初审, by: "Zhang", at: "2026-11-30T09:00:00+08:00", '
            f'digest: "{digest}"}}',
        ),
        encoding="utf-8",
    )
    zhang = member("zhang", ("复审",))  # the fixture names each account username.title()
    with pytest.raises(approvals.Refused) as refused:
        approvals.approve(database, desk, zhang, path, "复审", NOW)
    assert refused.value.reason == approvals.SAME_ACCOUNT
    approvals.approve(database, desk, member("li", ("复审",)), path, "复审", NOW)
    assert 'by: "li"' in path.read_text(encoding="utf-8")


def test_the_diff_is_a_line_diff_with_context():
    before = "\n".join(f"第{n}行" for n in range(1, 21))
    after = before.replace("第3行", "第三行").replace("第18行\n", "")
    hunks = approvals.line_diff(before, after)
    assert len(hunks) == 2
    assert [(line.kind, line.old, line.new) for line in hunks[0] if line.kind != "same"] == [
        ("removed", 3, None),
        ("added", None, 3),
    ]
    assert [line.text for line in hunks[1] if line.kind == "removed"] == ["第18行"]
    assert approvals.line_diff(before, before) == []


def test_sending_back_a_fully_approved_document_is_refused(site, database, desk, member, staff):
    path: Path = write_draft(site)
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    people = [
        member("first", ("初审",)),
        member("second", ("复审",)),
        member("final", ("终审",), second_factor=secret),
        member("secrecy", ("保密审查",), second_factor=secret),
    ]
    for person, stage in zip(people, ("初审", "复审", "终审", "保密审查"), strict=True):
        approvals.approve(database, desk, person, path, stage, NOW)
    assert rows(database)[-1].published
    with pytest.raises(approvals.Refused) as refused:
        approvals.send_back(database, desk, people[-1], path, "晚了。", NOW)
    assert refused.value.reason == approvals.NOT_WAITING


def test_two_reviewers_acting_at_once_are_recorded_one_after_the_other(
    app, site, database, desk, member
):
    import threading

    from sqlalchemy.orm import Session

    path = write_draft(site)
    approvals.approve(database, desk, member("first", ("初审",)), path, "初审", NOW)
    second, other = member("second", ("复审",)), member("other", ("复审",))
    engine = db.make_engine(app.config["DATABASE_URL"])
    outcome = []

    def act():
        with Session(engine, expire_on_commit=False) as session:
            try:
                approvals.approve(session, desk, second, path, "复审", NOW)
                outcome.append("approved")
            except approvals.Refused as refused:
                outcome.append(refused.reason)

    # Another reviewer is in the middle of approving 复审: it holds the document's lock.
    database.connection()
    db.serialise(database, f"portal-review:{path.stem}")
    racer = threading.Thread(target=act)
    racer.start()
    approvals.approve(database, desk, other, path, "复审", NOW)  # commits, releasing the lock
    racer.join(timeout=30)
    engine.dispose()
    assert outcome == [approvals.NOT_WAITING], "the second read the file the first wrote"
    assert [r.username for r in rows(database)] == ["first", "other"]
    assert 'by: "other"' in path.read_text(encoding="utf-8")
