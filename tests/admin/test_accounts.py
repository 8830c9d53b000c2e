"""Accounts without the web: Argon2id hashes, the password policy and its common-password list,
roles and where they may be held, the address a throttle counts."""

import pytest
from argon2 import PasswordHasher
from argon2.exceptions import VerifyMismatchError

from portal import accounts
from portal.accounts import hash_password, password_problems

from .conftest import PASSWORD, sign_in


def test_passwords_are_stored_as_salted_argon2id_hashes_that_verify_only_the_password():
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)
    assert first.startswith("$argon2id$") and first != second
    assert PASSWORD not in first
    hasher = PasswordHasher()
    assert hasher.verify(first, PASSWORD)
    with pytest.raises(VerifyMismatchError):
        hasher.verify(first, PASSWORD + "!")


def test_a_hash_made_with_weaker_parameters_is_replaced_at_the_next_sign_in(
    client, staff, database
):
    from sqlalchemy import select, update

    from portal import db

    staff("zhang")
    weak = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1).hash(PASSWORD)
    database.execute(update(db.Account).values(password_hash=weak))
    database.commit()
    assert sign_in(client, "zhang").status_code == 302
    stored = database.scalar(select(db.Account.password_hash))
    database.commit()
    assert stored != weak and "m=19456,t=2,p=1" in stored


@pytest.mark.parametrize(
    ("password", "problem"),
    [
        ("short one", "至少需要 12 个字符"),
        ("x" * 129, "不能超过 128 个字符"),
        ("qwertyuiop12", "常见密码"),
        ("1qaz2wsx3edc", "常见密码"),
        ("woaini1314520", "常见密码"),
        ("Password123456!", "常见密码"),
        ("abababababababab", "4 个不同的字符"),
        ("zhangsan-at-work", "不能包含您的账号名或姓名"),
        ("I am Zhang San at work", "不能包含您的账号名或姓名"),
    ],
)
def test_the_policy_refuses_short_common_repetitive_and_personal_passwords(password, problem):
    problems = password_problems(password, username="zhangsan", name="Zhang San")
    assert any(problem in message for message in problems), problems


@pytest.mark.parametrize(
    "password", ["correct horse battery staple", "灵武市科技局的春天已经来了", "Tr0ub4dor&3-long"]
)
def test_the_policy_accepts_long_uncommon_passwords_without_composition_rules(password):
    assert password_problems(password, username="zhangsan", name="Zhang San") == []


def test_the_common_password_list_is_shipped_and_holds_the_chinese_favourites():
    words = accounts.common_passwords()
    assert len(words) > 19000
    assert {"woaini1314", "5201314", "qq123456", "a123456789"} <= words


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("初审", "初审"),
        ("first-review", "初审"),
        (" admin ", "管理员"),
        ("secrecy-review", "保密审查"),
    ],
)
def test_roles_are_named_in_chinese_or_by_their_ascii_alias(text, name):
    assert accounts.parse_role(text).name == name


def test_an_unknown_role_names_the_roles_there_are():
    with pytest.raises(ValueError, match=r"起草 \(drafter\)"):
        accounts.parse_role("局长")


@pytest.mark.parametrize(
    ("address", "key"),
    [
        ("203.0.113.9", "203.0.113.9"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.9", "203.0.113.9"),
        ("not an address", "not an address"),
        ("", "unknown"),
    ],
)
def test_addresses_are_counted_as_one_subscriber_holds_them(address, key):
    assert accounts.address_key(address) == key


def test_every_step_up_opens_a_new_token_and_the_one_before_opens_nothing(database, staff, clock):
    secret = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    staff("chief", ("终审",), second_factor=secret)
    policy, address = accounts.Policy(), "203.0.113.9"
    half_open = accounts.sign_in(database, "chief", PASSWORD, address, policy, clock())
    assert half_open.awaiting_code
    assert accounts.signed_in(database, half_open.token, policy, clock()) is None
    code = accounts.code_at(secret, clock())
    opened = accounts.confirm_code(database, half_open.token, code, address, policy, clock())
    assert opened.token not in (None, half_open.token)
    assert accounts.signed_in(database, opened.token, policy, clock()).username == "chief"
    again = accounts.confirm_code(database, half_open.token, code, address, policy, clock())
    assert again.refused == accounts.EXPIRED


def test_sessions_that_timed_out_are_deleted_when_anyone_signs_in(database, staff, clock):
    from sqlalchemy import func, select

    from portal import db

    staff("zhang")
    staff("li")
    policy, address = accounts.Policy(), "203.0.113.9"
    for _ in range(3):  # three browsers closed without signing out
        accounts.sign_in(database, "zhang", PASSWORD, address, policy, clock())
    clock.advance(minutes=31)
    accounts.sign_in(database, "li", PASSWORD, address, policy, clock())
    assert database.scalar(select(func.count()).select_from(db.StaffSession)) == 1
    database.commit()


def test_a_member_holds_a_role_only_in_the_body_it_was_granted_in(database, clock):
    member, _password = accounts.add_account(
        database,
        "li",
        "Li",
        [("初审", "lingwu-kjj"), ("申请办理", "other-body")],
        ["lingwu-kjj", "other-body"],
        clock(),
    )
    assert member.holds("初审", "lingwu-kjj")
    assert not member.holds("初审", "other-body")
    assert not member.holds("复审", "lingwu-kjj")
    assert member.organisations_for("申请办理") == ["other-body"]
    assert member.organisations_for("终审") == []
