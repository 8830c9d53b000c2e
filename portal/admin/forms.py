"""The back office's forms (Flask-WTF: each carries its CSRF token, checked for every
back-office POST by the guard). Messages are Chinese msgids, translated when shown."""

from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from portal.accounts import MAX_LENGTH
from portal.text import N_


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class SignInForm(FlaskForm):
    """Account name and password."""

    username = StringField(
        filters=[_strip], validators=[DataRequired(N_("请填写账号名。")), Length(max=200)]
    )
    password = PasswordField(validators=[DataRequired(N_("请填写密码。"))])
    next = HiddenField()


class CodeForm(FlaskForm):
    """The six digits an authenticator app shows."""

    code = StringField(
        filters=[_strip],
        validators=[DataRequired(N_("请填写验证器应用显示的 6 位数字。")), Length(max=20)],
    )


class PasswordForm(FlaskForm):
    """The current password, and the new one twice."""

    current = PasswordField(validators=[DataRequired(N_("请填写当前密码。"))])
    new = PasswordField(
        validators=[
            DataRequired(N_("请填写新密码。")),
            Length(max=MAX_LENGTH, message=N_("密码不能超过 128 个字符。")),
        ]
    )
    confirm = PasswordField(
        validators=[
            DataRequired(N_("请再次输入新密码。")),
            EqualTo("new", message=N_("两次输入的新密码不一致。")),
        ]
    )


def problems(form: FlaskForm, translate) -> dict[str, str]:
    """A submitted form's problems: each field's first error, translated, by field name (empty
    when it is valid). A bad CSRF token raises CSRFError, as the guard's own check does: the
    form checks it again, so a view is safe even where the guard was not."""
    form.validate()
    if form.errors.get("csrf_token"):
        raise CSRFError(form.errors["csrf_token"][0])
    return {name: translate(messages[0]) for name, messages in form.errors.items() if messages}
