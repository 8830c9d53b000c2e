"""The roles staff hold, per organisation: what each is called, how the command line may name
it, and which need a second factor."""

from dataclasses import dataclass

from portal.db import ADMINISTRATOR, PLATFORM, ROLE_VALUES
from portal.text import N_


@dataclass(frozen=True)
class Role:
    """A role: its stored name (the workflow's word, shown translated), an ASCII alias for
    scripts, and whether it needs a second factor."""

    name: str
    alias: str
    second_factor: bool


ROLES = (
    Role(N_("起草"), "drafter", False),
    Role(N_("初审"), "first-review", False),
    Role(N_("复审"), "second-review", False),
    Role(N_("终审"), "final-review", True),
    Role(N_("保密审查"), "secrecy-review", True),
    Role(N_("申请办理"), "applications", False),
    Role(N_("管理员"), "admin", True),
)
BY_NAME = {role.name: role for role in ROLES}
assert tuple(BY_NAME) == ROLE_VALUES, "portal.db.models.ROLE_VALUES and ROLES must agree"

# The roles that cannot be held without an authenticator (TOTP): they publish, clear secrecy or
# manage every account.
SECOND_FACTOR_ROLES = frozenset(role.name for role in ROLES if role.second_factor)


def parse_role(text: str) -> Role:
    """The role named by its Chinese name or ASCII alias; ValueError naming the choices."""
    wanted = text.strip()
    for role in ROLES:
        if wanted in (role.name, role.alias):
            return role
    choices = ", ".join(f"{role.name} ({role.alias})" for role in ROLES)
    raise ValueError(f"unknown role {text!r}; the roles are {choices}")


def needs_second_factor(roles: list[tuple[str, str]]) -> bool:
    """Whether an account holding these (organisation, role) pairs must use an authenticator."""
    return any(role in SECOND_FACTOR_ROLES for _organisation, role in roles)


__all__ = ["ADMINISTRATOR", "PLATFORM", "ROLES", "Role", "needs_second_factor", "parse_role"]
