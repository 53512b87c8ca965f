"""Marshmallow schemas of administration (role admin): units, users, finance offices, the
expert pool, panels and passwords; shared by the admin pages and ``/api/v1/admin``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import Text

# --- administration (role admin): units, users, finance offices, the expert pool ---------

ROLE_IDS = [
    "unit_submitter",
    "unit_head",
    "finance_reviewer",
    "performance_office",
    "expert",
    "third_party",
    "leadership",
    "designer",
    "admin",
]
_USERNAME = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$", error="只能包含字母、数字和 . _ -（2 到 80 个字符）"
)
_EMAIL = [validate.Length(max=200), validate.Email(error="邮箱地址格式不正确")]
_ID = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class UnitCreate(Schema):
    code = Text(required=True, validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class UnitUpdate(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))


class UnitSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    office_id = fields.Integer(allow_none=True)


class UserUpdate(Schema):
    display_name = Text(required=True, validate=validate.Length(min=1, max=120))
    roles = fields.List(
        Text(validate=validate.OneOf(ROLE_IDS)),
        required=True,
        validate=validate.Length(min=1, max=9),
    )
    unit_code = Text(allow_none=True, validate=validate.Length(max=40))
    office_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    email = Text(allow_none=True, validate=_EMAIL)
    is_active = fields.Boolean(load_default=True)


class UserCreate(UserUpdate):
    username = Text(required=True, validate=_USERNAME)

    class Meta:
        exclude = ("is_active",)  # a new account is active


class UserSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    roles = fields.List(fields.String())
    unit_code = fields.String(allow_none=True)
    office_id = fields.Integer(allow_none=True)
    office = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    is_active = fields.Boolean()
    must_change_password = fields.Boolean()


class OneTimePasswordSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    one_time_password = fields.String(
        allow_none=True, metadata={"description": "shown once; set at first sign-in"}
    )


class OfficeSave(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=120))
    unit_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        validate=validate.Length(max=1000),
    )


class OfficeSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    unit_ids = fields.List(fields.Integer())
    unit_codes = fields.List(fields.String())


class ExpertUpdate(Schema):
    expert_fields = fields.List(  # 专业领域; "fields" on the wire
        Text(validate=validate.Length(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=20),
        data_key="fields",
    )
    organisation = Text(load_default="", validate=validate.Length(max=200))
    unit_code = Text(allow_none=True, validate=validate.Length(max=40))
    is_active = fields.Boolean(load_default=True)


class ExpertCreate(ExpertUpdate):
    username = Text(required=True, validate=_USERNAME)
    display_name = Text(required=True, validate=validate.Length(min=1, max=120))
    email = Text(allow_none=True, validate=_EMAIL)

    class Meta:
        exclude = ("is_active",)  # a new pool member is active


class ExpertSchema(Schema):
    id = fields.Integer()
    username = fields.String()
    display_name = fields.String()
    expert_fields = fields.List(fields.String(), data_key="fields", attribute="fields")
    organisation = fields.String()
    unit_code = fields.String(allow_none=True)
    is_active = fields.Boolean()
    one_time_password = fields.String(allow_none=True)


class PanelReplace(Schema):
    expert = Text(required=True, validate=validate.Length(min=1, max=80))
    reason = Text(load_default="", validate=validate.Length(max=500))


class PasswordChange(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=80))
    password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=200), strip=False)
    new_password = Text(required=True, load_only=True, validate=validate.Length(min=1, max=200), strip=False)
