"""What an online disclosure application (依申请公开) must contain (条例 第二十九条), its tracking
code and its deadline (第三十三条: 20 working days, once extended by 20). Messages are Chinese
msgids marked with N_; the caller translates them."""

import datetime
import re
import secrets
from collections.abc import Collection, Mapping
from dataclasses import dataclass, fields

from stdnum.cn import ric, uscc

from portal.reports import TABLE3_ROWS
from portal.text import N_
from portal.workflow import CHINA, add_working_days

WORKING_DAYS_TO_REPLY = 20
WORKING_DAYS_EXTENSION = 20

APPLICANT_KINDS = {
    "person": N_("公民（自然人）"),
    "business": N_("法人或其他组织：商业企业"),
    "research": N_("法人或其他组织：科研机构"),
    "nonprofit": N_("法人或其他组织：社会公益组织"),
    "legal": N_("法人或其他组织：法律服务机构"),
    "other": N_("法人或其他组织：其他"),
}
ID_TYPES = {
    "ric": N_("居民身份证"),
    "passport": N_("护照"),
    "hk_macau": N_("港澳居民来往内地通行证"),
    "taiwan": N_("台湾居民来往大陆通行证"),
    "foreign_permanent": N_("外国人永久居留身份证"),
    "other": N_("其他有效身份证件"),
}
FORMS = {"paper": N_("纸质"), "electronic": N_("电子")}
DELIVERIES = {"post": N_("邮寄"), "email": N_("电子邮件"), "collect": N_("当面领取")}
# The outcomes are exactly the result rows of table 3 (三、本年度办理结果).
OUTCOMES = {
    row.key: row.label
    for row in TABLE3_ROWS
    if row.key not in ("new", "carried_over", "total", "carried_forward")
}
STATUSES = {
    "received": N_("已收到，正在办理"),
    "correction": N_("已告知补正，等待申请人补正"),
    "consultation": N_("正在征求第三方意见"),
    "extended": N_("已延长答复期限"),
    "answered": N_("已答复"),
}

LIMITS = {
    "name": 100,
    "id_number": 40,
    "uscc": 18,
    "phone": 20,
    "email": 254,
    "address": 300,
    "description": 2000,
    "title": 200,
    "doc_number": 100,
    "index_number": 100,
}
# The fields of the form, in the order people fill them in: the body they apply to (受理机关),
# who applies, then what they ask for and how to reach them.
IDENTITY_FIELDS = ("applicant_kind", "name", "id_type", "id_number", "uscc")
REQUEST_FIELDS = (
    "phone",
    "email",
    "address",
    "description",
    "title",
    "doc_number",
    "index_number",
    "form",
    "delivery",
)
FORM_FIELDS = ("organisation", *IDENTITY_FIELDS, *REQUEST_FIELDS)
# Personal fields: erased after the retention period, never in the CSV export (id_number).
PERSONAL = (
    "name",
    "id_type",
    "id_number",
    *(name for name in REQUEST_FIELDS if name not in ("form", "delivery")),
)
# No 0/O, 1/I/L: a code read out over the phone or copied from paper cannot be misread.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 12

_PHONE = re.compile(r"^\+?[0-9][0-9 -]{5,18}[0-9]$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ApplicationError(Exception):
    """A staff action the rules do not allow; the message says why."""


@dataclass
class Application:
    """One application as stored: the applicant, the request, and how it was handled."""

    code: str
    received: str
    organisation: str  # id of the body it was made to (受理机关)
    applicant_kind: str
    name: str | None
    id_type: str | None
    id_number: str | None
    phone: str | None
    email: str | None
    address: str | None
    description: str | None
    title: str | None
    doc_number: str | None
    index_number: str | None
    form: str
    delivery: str
    due: str
    calendar_known: int
    correction_requested: str | None = None
    corrected: str | None = None
    extended: int = 0
    outcome: str | None = None
    replied: str | None = None
    purged: str | None = None
    correction_note: str | None = None  # what the applicant was asked to correct (补正)
    consultation_started: str | None = None  # a third party consulted (第三十二条) ...
    consultation_ended: str | None = None  # ... until its opinion arrived (or the time ran out)
    paused_days: int = 0  # working days the consultation took, added to `due`
    reply_text: str | None = None
    replied_by: int | None = None  # the account that recorded the reply in the desk

    @property
    def status(self) -> str:
        """received, correction, consultation, extended or answered (keys of STATUSES)."""
        if self.outcome:
            return "answered"
        if self.correction_requested and not self.corrected:
            return "correction"
        if self.consultation_started and not self.consultation_ended:
            return "consultation"
        return "extended" if self.extended else "received"

    @property
    def clock_running(self) -> bool:
        """Whether the reply period is running now (not while a correction or a third party's
        opinion is awaited, not once answered)."""
        return self.status in ("received", "extended")

    @property
    def masked_id(self) -> str:
        """The ID number or credit code with its middle hidden: 1101**********1234."""
        return mask(self.id_number or "")


COLUMNS = tuple(f.name for f in fields(Application))


def today() -> datetime.date:
    """Today in China, where the deadlines run."""
    return datetime.datetime.now(CHINA).date()


def mask(number: str) -> str:
    """Keep the first four and last four characters of a long number, hide the rest."""
    if len(number) > 8:
        return number[:4] + "*" * (len(number) - 8) + number[-4:]
    return "*" * max(len(number) - 2, 0) + number[-2:]


def new_code() -> str:
    """A random tracking code (查询码) of unambiguous characters."""
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def format_code(code: str) -> str:
    """The code in groups of four, as shown to people: ABCD-EFGH-JKMN."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_code(text: str) -> str:
    """What a person typed as a code, without spaces or dashes, upper-case."""
    return re.sub(r"[\s-]", "", text or "").upper()


def reply_due(received: datetime.date) -> tuple[datetime.date, bool]:
    """The reply deadline: 20 working days counted from the day after receipt, and whether
    the holiday calendar covered every day counted."""
    return add_working_days(received, WORKING_DAYS_TO_REPLY)


# --- The form ---------------------------------------------------------------------------------


def validate(
    form: Mapping[str, str], organisations: Collection[str]
) -> tuple[dict, dict[str, str]]:
    """The cleaned application fields, and a message per field that is wrong (N_ msgids).

    organisations are the ids of the bodies an application may be made to (受理机关). With
    one body there is nothing to choose, and a form naming none is made to it; with more,
    the applicant chooses one of them."""
    value = {name: _CONTROL.sub("", (form.get(name) or "")).strip() for name in FORM_FIELDS}
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(value[name]) > limit and name not in ("id_number", "uscc"):
            errors[name] = N_("内容过长，请精简。")
    organisation = value["organisation"]
    if not organisation and len(organisations) == 1:
        [organisation] = organisations
    if not organisation:
        errors["organisation"] = N_("请选择受理机关。")
    elif organisation not in organisations:
        errors["organisation"] = N_("没有这个受理机关，请从列表中选择。")
    kind = value["applicant_kind"]
    if kind not in APPLICANT_KINDS:
        errors["applicant_kind"] = N_("请选择申请人类型。")
    if not value["name"]:
        errors.setdefault("name", N_("请填写姓名或者名称。"))
    cleaned = {"organisation": organisation, "applicant_kind": kind, "name": value["name"]}
    if kind == "person":
        id_type, number = value["id_type"], value["id_number"]
        if id_type not in ID_TYPES:
            errors["id_type"] = N_("请选择证件类型。")
        if not number:
            errors["id_number"] = N_("请填写证件号码。")
        elif id_type == "ric":
            try:
                number = ric.validate(number.upper())
            except ric.InvalidChecksum:
                errors["id_number"] = N_("身份证号码的校验位不对，请核对每一位。")
            except ric.InvalidComponent:
                errors["id_number"] = N_("身份证号码中的出生日期或地区代码不对，请核对。")
            except ric.ValidationError:
                errors["id_number"] = N_("身份证号码应为18位，前17位是数字，最后一位是数字或X。")
        elif len(number) > LIMITS["id_number"]:
            errors["id_number"] = N_("证件号码过长，请核对。")
        cleaned.update(id_type=id_type, id_number=number)
    elif kind in APPLICANT_KINDS:
        code = value["uscc"].upper().replace(" ", "")
        try:
            code = uscc.validate(code) if code else ""
        except uscc.InvalidChecksum:
            errors["uscc"] = N_("统一社会信用代码的校验位不对，请核对每一位。")
        except uscc.ValidationError:
            errors["uscc"] = N_("统一社会信用代码应为18位数字或大写字母。")
        if not code and "uscc" not in errors:
            errors["uscc"] = N_("请填写统一社会信用代码。")
        cleaned.update(id_type="uscc", id_number=code)
    phone = value["phone"]
    if not phone:
        errors["phone"] = N_("请填写联系电话。")
    elif not _PHONE.match(phone) or len(digits(phone)) < 7:
        errors["phone"] = N_("联系电话只能包含数字、空格、短横线，可以“+”开头，至少7位数字。")
    if value["email"] and "email" not in errors and not _EMAIL.match(value["email"]):
        errors["email"] = N_("电子邮箱的格式不对，例如 name@example.com。")
    if not value["description"]:
        errors.setdefault("description", N_("请描述您需要的政府信息。"))
    if value["form"] not in FORMS:
        errors["form"] = N_("请选择信息的提供形式。")
    delivery = value["delivery"]
    if delivery not in DELIVERIES:
        errors["delivery"] = N_("请选择获取信息的方式。")
    elif delivery == "post" and not value["address"]:
        errors.setdefault("address", N_("选择邮寄时，请填写通信地址。"))
    elif delivery == "email" and not value["email"]:
        errors.setdefault("email", N_("选择电子邮件时，请填写电子邮箱。"))
    for name in REQUEST_FIELDS:
        cleaned[name] = value[name]
    return cleaned, errors


def digits(text: str) -> str:
    """The ASCII digits of text, in order."""
    # ASCII only: str.isdigit() also passes ² and ١, which hmac.compare_digest refuses.
    return re.sub("[^0-9]", "", text)
