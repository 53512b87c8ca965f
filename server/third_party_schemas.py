"""Marshmallow schemas of the third-party pool and target changes (R-TP-1..3, R-TG-3), shared
by the pages (:mod:`server.third_party`) and ``/api/v1`` (:mod:`server.third_party_api`)."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates

from workflows.commands.third_party import PROCUREMENT_METHODS

from .fields import Text

_ID = fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1))


class InstitutionCreate(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    credit_code = Text(required=True, validate=validate.Length(min=1, max=18))
    contact = Text(load_default="", validate=validate.Length(max=200))
    admitted_on = fields.Date(load_default=None)


class EngagementCreate(Schema):
    project_code = Text(required=True, validate=validate.Length(min=1, max=40))
    procurement_method = Text(
        required=True, validate=validate.OneOf(PROCUREMENT_METHODS, error="请选择政府采购方式")
    )
    contract_number = Text(required=True, validate=validate.Length(min=1, max=80))
    fee = fields.Decimal(required=True, places=2, metadata={"description": "委托费用 (万元), above 0"})
    engaged_on = fields.Date(load_default=None)

    @validates("fee")
    def _fee_positive(self, value, **_kwargs) -> None:
        # a Range on a Decimal field renders as a string bound in OpenAPI: checked here instead
        if not value.is_finite() or value <= 0 or value >= 10**9:
            raise ValidationError("委托费用应大于0")


class BlacklistBody(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=500))


class MemberAdd(Schema):
    username = Text(required=True, validate=validate.Length(min=1, max=80))


class RatingStart(Schema):
    year = fields.Integer(strict=True, required=True, validate=validate.Range(min=2000, max=2100))


class EngagementSchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    project_code = fields.String()
    project_name = fields.String()
    procurement_method = fields.String(metadata={"description": "政府采购方式 (R-EV-4)"})
    contract_number = fields.String()
    fee = fields.Decimal(as_string=True, metadata={"description": "委托费用 (万元)"})
    engaged_on = fields.Date()


class RatingSchema(Schema):
    year = fields.Integer()
    grade = fields.String(metadata={"description": "优秀 / 合格 / 不合格 (R-TP-1)"})
    score = fields.Decimal(as_string=True, allow_none=True)
    remarks = fields.String()
    fee_coefficient = fields.Decimal(
        as_string=True, allow_none=True, metadata={"description": "收费系数 (R-TP-3)"}
    )
    tender_bonus = fields.Decimal(
        as_string=True, allow_none=True, metadata={"description": "招标评分加减分 (R-TP-3)"}
    )
    published = fields.Boolean()


class InstitutionSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    credit_code = fields.String(metadata={"description": "统一社会信用代码"})
    contact = fields.String()
    admitted_on = fields.Date()
    status = fields.String(metadata={"description": "在库 / 停用 / 黑名单"})
    status_reason = fields.String(allow_none=True)


class InstitutionDetailSchema(InstitutionSchema):
    engagements = fields.List(fields.Nested(EngagementSchema))
    ratings = fields.List(fields.Nested(RatingSchema))
    members = fields.List(fields.String(), metadata={"description": "usernames of its third_party staff"})


class InstanceStartedSchema(Schema):
    instance_id = fields.Integer()


class TargetVersionSchema(Schema):
    id = fields.Integer()
    version = fields.Integer()
    indicators = fields.List(fields.Dict())
    overall_goal = fields.String(allow_none=True)
    amount = fields.Decimal(
        as_string=True, metadata={"description": "项目金额 (万元) at this version (R-TG-6)"}
    )
    reason = fields.String(allow_none=True)
    source = fields.String(metadata={"description": "target_review (first approval) or target_change"})
    approved_at = fields.DateTime()
    republish_pending = fields.Boolean(
        metadata={"description": "the change is still to be re-published (R-TG-3)"}
    )
    republished_at = fields.DateTime(allow_none=True)
