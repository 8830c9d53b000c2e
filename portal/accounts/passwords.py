"""Passwords: Argon2id hashes (OWASP's recommended minimum: 19 MiB, 2 passes, 1 lane; about
35 ms here, where RFC 9106's 64 MiB over 4 lanes took 0.5 s a sign-in on a busy 2-core server) and
the policy a new password must meet. The policy follows NIST SP 800-63B: a minimum length, no
composition rules, and a check against passwords attackers try first (common-passwords.txt.gz:
the 19,640 most common passwords, the list Django ships under its BSD licence, drawn from
Royce Williams' analysis of leaked passwords; it holds the usual Chinese ones, such as
woaini1314 and 5201314)."""

import gzip
import re
import secrets
import unicodedata
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from portal.text import N_

MIN_LENGTH = 12
# Long enough for any passphrase; bounded because every sign-in hashes what it is given.
MAX_LENGTH = 128
COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")
# Temporary passwords: 16 characters from an alphabet without look-alikes (0/O, 1/l/I).
TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

_HASHER = PasswordHasher(time_cost=2, memory_cost=19 * 1024, parallelism=1)
# Verified when an account name is unknown, so a wrong name costs the same time as a wrong
# password and the answer's timing does not tell which names exist.
_DUMMY = _HASHER.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    """The Argon2id hash of a password, with its own random salt."""
    return _HASHER.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether password matches the stored hash; with no hash, False after the same work."""
    if len(password) > MAX_LENGTH:
        return False
    try:
        return _HASHER.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """Whether a hash was made with weaker parameters than today's (rehash at sign-in)."""
    return _HASHER.check_needs_rehash(stored)


def temporary_password() -> str:
    """A random password to give a new or reset account, changed at its first sign-in."""
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(16))


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of common passwords, lower-cased."""
    with gzip.open(COMMON_PASSWORDS, "rt", encoding="utf-8") as lines:
        return frozenset(line.strip().lower() for line in lines if line.strip())


# What people add to a common password to pass a length rule: digits, punctuation, spaces.
_TRAILING = re.compile(r"[\d\W_]+$")


def _is_common(password: str) -> bool:
    folded = unicodedata.normalize("NFKC", password).lower()
    stripped = _TRAILING.sub("", folded)
    words = common_passwords()
    return folded in words or (len(stripped) >= 4 and stripped in words)


def password_problems(password: str, *, username: str = "", name: str = "") -> list[str]:
    """What is wrong with a new password (messages to translate), empty when it is accepted."""
    problems = []
    length = len(password)
    if length < MIN_LENGTH:
        problems.append(N_("密码至少需要 12 个字符。较长的一句话比复杂的短密码更好记，也更安全。"))
    elif length > MAX_LENGTH:
        problems.append(N_("密码不能超过 128 个字符。"))
    elif _is_common(password):
        problems.append(N_("这个密码是常见密码，很容易被猜中。请换一个。"))
    elif len(set(password)) < 4:
        problems.append(N_("密码至少要包含 4 个不同的字符。"))
    folded = password.casefold()
    if any(word and len(word) >= 3 and word.casefold() in folded for word in (username, name)):
        problems.append(N_("密码不能包含您的账号名或姓名。"))
    return problems
