"""Marshmallow schemas of the poverty-fund monthly evaluation API (扶贫资金项目月度评价, DOMAIN R-AS-2).

The bodies name units and items by id, as the page's fields do (``adjustment_<unit id>``,
``reason_<unit id>``, ``measure_<item id>``); the command checks what only the month knows (the
DMN's adjustment bound, a reason for every adjustment, a measure for every item) and answers with
the page's field names.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from .fields import Text


def _id_key() -> Text:
    return Text(max_length=10, validate=validate.Regexp(r"^\d{1,10}$", error="应为单位或问题的编号"))


class PovertyReviewBody(Schema):
    adjustments = fields.Dict(
        keys=_id_key(),
        values=fields.Float(allow_nan=False, metadata={"description": "调整分"}),
        load_default=dict,
        metadata={
            "description": "调整分 per unit id, within the month's ±adjust_max (DMN poverty_fund_rules)"
        },
    )
    reasons = fields.Dict(
        keys=_id_key(),
        values=Text(max_length=500),
        load_default=dict,
        metadata={"description": "调整理由 per unit id: required for every non-zero adjustment"},
    )


class PovertyRectifyBody(Schema):
    measures = fields.Dict(
        keys=_id_key(),
        values=Text(max_length=1000),
        required=True,
        metadata={"description": "整改措施 per item id: one for every item fed back to the unit"},
    )


class PovertyMonthSchema(Schema):
    id = fields.Integer(allow_none=True)
    fiscal_year = fields.Integer()
    month = fields.Integer()
    name = fields.String()
    status = fields.String(
        metadata={"description": "not_started, waiting, reviewing, approving, published, empty"}
    )
    status_name = fields.String()
    opens_on = fields.Date()
    opened_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    task_id = fields.String(allow_none=True, metadata={"description": "the staff's open task"})
    task_spec = fields.String(allow_none=True)
    items = fields.Integer(metadata={"description": "items fed back that the reader may see"})
    rectified = fields.Integer()


class PovertyYearSchema(Schema):
    fiscal_year = fields.Integer()
    months = fields.List(fields.Nested(PovertyMonthSchema))


class PovertyStartedSchema(Schema):
    fiscal_year = fields.Integer()
    started = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "month → instance id"}
    )


class PovertyIssueSchema(Schema):
    id = fields.Integer()
    unit_id = fields.Integer()
    unit_name = fields.String()
    project_id = fields.Integer()
    project_code = fields.String()
    project_name = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    detail = fields.String()
    measure = fields.String(allow_none=True)
    rectified_at = fields.DateTime(allow_none=True)


class PovertyRowSchema(Schema):
    rank = fields.Integer(allow_none=True)
    unit_id = fields.Integer()
    unit_name = fields.String()
    facts = fields.Dict(metadata={"description": "projects, amount and the counts the month opened with"})
    points = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "items of each kind"}
    )
    deduction = fields.Decimal(as_string=True, allow_none=True)
    adjustment = fields.Decimal(as_string=True, allow_none=True, attribute="judgement")
    reason = fields.String(allow_none=True)
    total = fields.Decimal(as_string=True, allow_none=True)
    supervise = fields.Boolean(metadata={"description": "督导: the month's bottom units"})


class PovertyRankingSchema(Schema):
    month = fields.Nested(PovertyMonthSchema)
    rules = fields.Dict(allow_none=True)
    rows = fields.List(fields.Nested(PovertyRowSchema))
    issues = fields.List(fields.Nested(PovertyIssueSchema))
    all_units = fields.Boolean(metadata={"description": "issues of every unit, or of the reader's own"})


class PovertyUnitRowSchema(Schema):
    month = fields.Nested(PovertyMonthSchema)
    row = fields.Nested(PovertyRowSchema)
    issues = fields.List(fields.Nested(PovertyIssueSchema))


class PovertySheetRowSchema(Schema):
    unit_id = fields.Integer()
    unit_name = fields.String()
    projects = fields.Integer()
    amount = fields.Float()
    red_lights = fields.Integer()
    amount_errors = fields.Integer()
    indicator_issues = fields.Integer()
    small_projects = fields.Integer()
    adjustment = fields.Float(load_default=0)
    adjustment_reason = fields.String(allow_none=True)


class PovertyReviewSheetSchema(Schema):
    task_id = fields.String()
    month = fields.Nested(PovertyMonthSchema)
    rules = fields.Dict()
    rows = fields.List(fields.Nested(PovertySheetRowSchema))
    issues = fields.List(fields.Nested(PovertyIssueSchema))


class PovertyRectifySheetSchema(Schema):
    task_id = fields.String()
    status = fields.String()
    month = fields.Nested(PovertyMonthSchema)
    issues = fields.List(fields.Nested(PovertyIssueSchema))
