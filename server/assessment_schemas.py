"""Shared marshmallow schemas of the unit assessment (R-AS-1) and disclosure (R-TG-3, R-RA-4, R-EV-4):
the page's forms and the API's bodies are loaded by the same ones."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows.commands._disclosure_items import PROJECT_KINDS

YEAR = validate.Range(min=2000, max=2100, error="年度应在 2000 至 2100 之间")


class StartYear(Schema):
    year = fields.Integer(required=True, strict=False, validate=YEAR, metadata={"description": "考核年度"})


class ScoreSheet(Schema):
    judgements = fields.Dict(
        keys=fields.String(),
        values=fields.Float(validate=validate.Range(min=0, max=10), allow_nan=False),
        required=True,
        metadata={"description": "综合评价分 per unit id (0–10)"},
    )
    notes = fields.Dict(keys=fields.String(), values=fields.String(validate=validate.Length(max=500)))


class PublishItem(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(PROJECT_KINDS))
    subject_id = fields.Integer(required=True, strict=False, metadata={"description": "the project"})


class YearQuery(Schema):
    year = fields.Integer(strict=False, validate=YEAR)


class CycleSchema(Schema):
    id = fields.Integer(allow_none=True)
    fiscal_year = fields.Integer()
    cycle = fields.String(metadata={"description": "july or december"})
    name = fields.String()
    status = fields.String(metadata={"description": "waiting, scoring, approving, published"})
    status_name = fields.String()
    opened_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    task_id = fields.String(allow_none=True)


class AssessmentYearSchema(Schema):
    fiscal_year = fields.Integer()
    instance_id = fields.Integer()
    cycles = fields.List(fields.Nested(CycleSchema))


class AssessmentStartedSchema(Schema):
    fiscal_year = fields.Integer()
    instance_id = fields.Integer()


class RankingRowSchema(Schema):
    rank = fields.Integer(allow_none=True)
    unit_name = fields.String()
    facts = fields.Dict()
    points = fields.Dict(keys=fields.String(), values=fields.Decimal(as_string=True, allow_none=True))
    judgement = fields.Decimal(as_string=True, allow_none=True)
    total = fields.Decimal(as_string=True, allow_none=True)


class RankingSchema(Schema):
    cycle = fields.Nested(CycleSchema)
    rows = fields.List(fields.Nested(RankingRowSchema))
    weights = fields.Dict(allow_none=True)


class RegisterRowSchema(Schema):
    kind = fields.String()
    kind_name = fields.String()
    subject_id = fields.Integer(allow_none=True)
    title = fields.String()
    unit_name = fields.String(allow_none=True)
    due_on = fields.Date(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    publishable = fields.Boolean()
    sensitive = fields.Boolean(metadata={"description": "withheld as 涉密或敏感, never published (R-RA-4)"})
    withheld = fields.String(
        allow_none=True,
        metadata={
            "description": "for a withheld item: 不予公开（涉密或敏感）：‹说明›, as the Excel register"
        },
    )
    withheld_reason = fields.String(
        allow_none=True, metadata={"description": "the reason given at the results feedback"}
    )


class RegisterSchema(Schema):
    fiscal_year = fields.Integer()
    rows = fields.List(fields.Nested(RegisterRowSchema))
    sensitive_count = fields.Integer(
        metadata={"description": "how many rows are withheld as sensitive (R-RA-4)"}
    )


class PublishedSchema(Schema):
    id = fields.Integer()
