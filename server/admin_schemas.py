"""Marshmallow schemas of administration (role admin): units, users, finance offices, the
expert pool, panels and passwords; shared by the admin pages and ``/api/v1/admin``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

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
_ID = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class UnitCreate(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=40))
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitUpdate(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=200))


class UnitSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    office_id = fields.Integer(allow_none=True)


class UserUpdate(Schema):
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    roles = fields.List(
        fields.String(validate=validate.OneOf(ROLE_IDS)),
        required=True,
        validate=validate.Length(min=1, max=9),
    )
    unit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    office_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))
    is_active = fields.Boolean(load_default=True)


class UserCreate(UserUpdate):
    username = fields.String(required=True, validate=_USERNAME)

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
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
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
        fields.String(validate=validate.Length(min=1, max=40)),
        required=True,
        validate=validate.Length(min=1, max=20),
        data_key="fields",
    )
    organisation = fields.String(load_default="", validate=validate.Length(max=200))
    unit_code = fields.String(allow_none=True, validate=validate.Length(max=40))
    is_active = fields.Boolean(load_default=True)


class ExpertCreate(ExpertUpdate):
    username = fields.String(required=True, validate=_USERNAME)
    display_name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(allow_none=True, validate=validate.Length(max=200))

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
    expert = fields.String(required=True, validate=validate.Length(min=1, max=80))
    reason = fields.String(load_default="", validate=validate.Length(max=500))


class PasswordChange(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=80))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=200))
