"""Staff accounts, without Flask: roles per organisation, Argon2 passwords and their policy,
the authenticator's codes (TOTP), the sign-in throttle and sessions, all kept in portal.db's
tables. The back office (portal.admin) and `portal users` (cli.py, a second door) call these;
every function takes the database session and the moment `now`, so nothing here keeps state
or reads a clock."""

from portal.accounts.management import (
    AccountError,
    StaffMember,
    add_account,
    grant_role,
    list_accounts,
    normalise_username,
    reset_account,
    revoke_role,
    set_disabled,
)
from portal.accounts.passwords import MAX_LENGTH, MIN_LENGTH, hash_password, password_problems
from portal.accounts.roles import (
    ADMINISTRATOR,
    PLATFORM,
    ROLES,
    SECOND_FACTOR_ROLES,
    Role,
    parse_role,
)
from portal.accounts.second_factor import code_at, grouped, provisioning_uri
from portal.accounts.signing_in import (
    DISABLED,
    EXPIRED,
    LOCKED,
    SAME,
    WEAK,
    WRONG,
    Outcome,
    Policy,
    account_of,
    change_password,
    confirm_code,
    enrol,
    pending_secret,
    sign_in,
    sign_out,
    signed_in,
)
from portal.accounts.throttle import Limits, address_key

__all__ = [
    "ADMINISTRATOR",
    "DISABLED",
    "EXPIRED",
    "LOCKED",
    "MAX_LENGTH",
    "MIN_LENGTH",
    "PLATFORM",
    "ROLES",
    "SAME",
    "SECOND_FACTOR_ROLES",
    "WEAK",
    "WRONG",
    "AccountError",
    "Limits",
    "Outcome",
    "Policy",
    "Role",
    "StaffMember",
    "account_of",
    "add_account",
    "address_key",
    "change_password",
    "code_at",
    "confirm_code",
    "enrol",
    "grant_role",
    "grouped",
    "hash_password",
    "list_accounts",
    "normalise_username",
    "parse_role",
    "password_problems",
    "pending_secret",
    "provisioning_uri",
    "reset_account",
    "revoke_role",
    "set_disabled",
    "sign_in",
    "sign_out",
    "signed_in",
]
