"""The second factor: time-based one-time codes (TOTP, RFC 6238) from an authenticator app,
by pyotp. A code is accepted in its 30-second step or the one either side (a phone's clock
drifts), and never twice: the step of the last accepted code is kept with the account."""

import datetime
import re

import pyotp

STEP_SECONDS = 30
DRIFT_STEPS = 1
_CODE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """A random secret (160 bits, base32) for a new authenticator."""
    return pyotp.random_base32(32)


def provisioning_uri(secret: str, username: str, issuer: str) -> str:
    """The otpauth:// address an authenticator app reads from the QR code."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def grouped(secret: str) -> str:
    """The secret in groups of four, for typing it into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def normalise_code(text: str) -> str:
    """The digits of a code as typed: spaces and hyphens dropped, full-width digits folded."""
    folded = "".join(
        chr(ord(c) - 0xFEE0) if "０" <= c <= "９" else c for c in text if c not in " -\u3000"
    )
    return folded if _CODE.match(folded) else ""


def accepted_step(
    secret: str, code: str, now: datetime.datetime, last_step: int | None
) -> int | None:
    """The time step the code belongs to when it is right for now and newer than last_step;
    None otherwise."""
    code = normalise_code(code)
    if not code:
        return None
    totp = pyotp.TOTP(secret, interval=STEP_SECONDS)
    current = totp.timecode(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if pyotp.utils.strings_equal(totp.generate_otp(step), code):
            return step
    return None


def code_at(secret: str, now: datetime.datetime) -> str:
    """The code an authenticator shows at this moment (for `portal users` tests and scripts)."""
    return pyotp.TOTP(secret, interval=STEP_SECONDS).at(now)
