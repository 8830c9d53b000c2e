"""The bodies of the platform in the back office, for the platform administrator (管理员) alone:
the list, and a form to edit one body's file or add a body. The files are the source of truth
and stay editable by hand: portal.catalogue writes them as a person would, checks them with the
reader `portal check` uses, never overwrites a file changed since the form was opened, and
refuses a change of code that documents' 索引号 start with. Every save is logged."""

import logging

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField

from portal import catalogue, wiring
from portal.admin import access
from portal.admin.cookies import PREFIX
from portal.admin.forms import problems
from portal.text import N_
from portal.web import i18n, refusal

blueprint = Blueprint("bodies", __name__, url_prefix=PREFIX + "/organisations")
log = logging.getLogger(__name__)
# The form's fields, in the order of the page and its error summary.
FIELDS = ("version", "id", *catalogue.EDITABLE)
# What each field needs, said when the reader refuses its value.
FIELD_MESSAGES = {
    "id": N_(
        "单位编号只能使用小写英文字母、数字和连字符（以字母或数字开头，最多 63 个字符）。"
        "它是该单位栏目的网址，添加后不能修改。"
    ),
    "name": N_("请填写单位的中文名称。"),
    "name_en": N_("请填写单位的英文名称。"),
    "kind": N_("请选择单位类别。"),
    "code": N_(
        "机构代码应为 9 位组织机构代码或 18 位统一社会信用代码，由数字和大写字母组成；"
        "不知道时请留空。"
    ),
    "order": N_("排列顺序应为不超过 6 位的整数，数字小的排在前面。"),
    "since": N_("起始年份应为四位年份，例如 2022。"),
    "email": N_("请填写有效的电子邮箱地址，例如 xxgk@example.gov.cn。"),
    "postcode": N_("邮政编码应为 6 位数字。"),
}
# What each refusal says, and the field it is about.
REFUSALS = {
    catalogue.EXISTS: ("id", N_("已有编号为 %(id)s 的单位，请换一个编号。")),
    catalogue.STALE: (
        "version",
        N_(
            "您打开表单后，这个单位的文件已被修改（可能是另一位管理员，或有人直接编辑了文件）。"
            "为免覆盖别人的修改，本次修改没有保存。请重新打开表单，再做修改。"
        ),
    ),
    catalogue.CODE_TAKEN: (
        "code",
        N_("代码 %(code)s 已是另一个单位（%(other)s）的代码：每个单位的索引号以自己的代码开头。"),
    ),
    catalogue.CODE_IN_USE: (
        "code",
        N_(
            "有 %(count)d 份文件的索引号以原代码 %(code)s 开头（例如 %(example)s）。修改代码会使"
            "这些文件无法发布，因此没有保存。请先请技术人员把这些文件的索引号和本单位的代码"
            "一并修改（portal check 会核对）。"
        ),
    ),
    catalogue.DEFAULT_FIRST: (
        "id",
        N_("本站还没有单位文件。请先打开并保存本站单位（%(default)s）的信息，再添加其他单位。"),
    ),
}


class OrganisationForm(FlaskForm):
    """A body's file as fields (the id only when it is added); the version of the file it was
    opened on. The reader of organisation files checks the values, not the form."""

    version = HiddenField()
    id = StringField()
    name = StringField()
    name_en = StringField()
    kind = StringField()
    code = StringField()
    order = StringField()
    since = StringField()
    description = TextAreaField()
    address = StringField()
    office_hours = StringField()
    phone = StringField()
    fax = StringField()
    email = StringField()
    postcode = StringField()


@blueprint.before_request
def administrators_only() -> None:
    """Every page and action here is the platform administrator's: a logged 403 for others."""
    access.require_administrator()


def _store():
    return wiring.catalogue.store()


def _on_disk():
    """The bodies as their files say now (not as the site last read them), and the problems."""
    store = _store()
    return catalogue.read_organisations(store.content_dir, store.site.id, store.site)


@blueprint.route("/")
def index():
    """Every body, by kind, with what its file says."""
    organisations, found = _on_disk()
    return render_template(
        "admin/organisations/index.html",
        organisations=organisations,
        problems=[problem for problem in found if problem.severity == "error"],
        kinds=catalogue.KINDS,
        locale=i18n.select_locale(),
        implicit=not catalogue.organisation_files(_store().content_dir),
    )


def _values(organisation: catalogue.Organisation | None) -> dict[str, str]:
    if organisation is None:
        return {}
    values = {key: getattr(organisation, key) for key in catalogue.EDITABLE}
    return {key: "" if value is None else str(value) for key, value in values.items()}


def _form_page(form, errors: dict[str, str], organisation, status: int = 200):
    return render_template(
        "admin/organisations/form.html",
        form=form,
        values={name: form[name].data or "" for name in FIELDS},
        errors=errors,
        organisation=organisation,
        kinds=catalogue.KINDS,
        contact_fields=catalogue.CONTACT_FIELDS,
        fields=FIELDS,
        locale=i18n.select_locale(),
    ), (status if not errors else max(status, 400))


@blueprint.route("/new", methods=["GET", "POST"])
def new():
    """Add a body: its id (the file's name and the web address of its column) and fields."""
    form = OrganisationForm()
    if not form.is_submitted():
        form.version.data = ""
        return _form_page(form, {}, None)
    return _save(form, form.id.data or "", None)


@blueprint.route("/<organisation_id>/", methods=["GET", "POST"])
def edit(organisation_id: str):
    """Edit one body's file (for the site's own body without a file yet, make it)."""
    organisation = _on_disk()[0].get(organisation_id)
    if organisation is None:
        raise refusal(404, _("没有这个单位。请从单位列表中选择。"))
    form = OrganisationForm()
    if not form.is_submitted():
        form.process(data=_values(organisation))
        form.version.data = catalogue.file_version(organisation.path) if organisation.path else ""
        return _form_page(form, {}, organisation)
    return _save(form, organisation.id, organisation)


def _save(form: OrganisationForm, organisation_id: str, organisation):
    problems(form, _)
    store = _store()
    current = wiring.catalogue.current()
    who = access.member().username
    try:
        written = catalogue.save_organisation(
            store.content_dir,
            store.site,
            organisation_id,
            {key: form[key].data for key in catalogue.EDITABLE},
            form.version.data or "",
            [*current.documents, *current.drafts],
            new=organisation is None,
        )
    except catalogue.OrganisationFileError as error:
        log.warning("saving organisation %r by %r refused: %s", organisation_id, who, error)
        status = 409 if error.reason == catalogue.STALE else 400
        return _form_page(form, _messages(error), organisation, status)
    log.info(
        "organisation %r %s by %r", written.id, "added" if organisation is None else "saved", who
    )
    flash(_("已保存 %(name)s 的信息。公开网站会在几秒钟内显示修改。", name=written.name))
    return redirect(url_for("bodies.index"))


def _messages(error: catalogue.OrganisationFileError) -> dict[str, str]:
    """A refused save's messages in the page's language, by field."""
    if error.reason in REFUSALS:
        field, message = REFUSALS[error.reason]
        return {field: _(message, **error.details)}
    return {
        key: _(FIELD_MESSAGES[key])
        if key in FIELD_MESSAGES
        else _("此项无法保存：%(problem)s", problem=problem)
        for key, problem in error.problems.items()
    }
