"""The fiscal year (预算年度): opening one, and its department-wide status, for page and API alike."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema

from workflows.commands.fiscal_year import year_errors

DATE_FORMAT = "日期格式应为 年-月-日（如 2027-01-20）"


class FiscalYearOpen(Schema):
    """``POST /years`` (page) and ``POST /api/v1/fiscal-years``: one set of rules (R-DW-1)."""

    year = fields.Integer(
        required=True,
        strict=True,
        error_messages={"invalid": "应为年份数字"},
        metadata={"description": "预算年度"},
    )
    budget_approved_on = fields.Date(
        required=True,
        error_messages={"invalid": DATE_FORMAT},
        metadata={"description": "部门预算批复日期 (YYYY-MM-DD), within the year: targets due 20 days after"},
    )

    @validates_schema(skip_on_field_errors=False)
    def _within_year(self, data, **kwargs):
        """The command's own rule (:func:`year_errors`), once both fields parsed."""
        if "year" in data and "budget_approved_on" in data:
            errors = year_errors(data["year"], data["budget_approved_on"])
            if errors:
                raise ValidationError(errors)


class OpenedYearSchema(Schema):
    year = fields.Integer()
    budget_approved_on = fields.Date()
    started = fields.Dict(
        keys=fields.String(),
        values=fields.List(fields.Integer()),
        metadata={"description": "process id → instance ids this call started (none when all had one)"},
    )


class UnitStatusSchema(Schema):
    unit_id = fields.Integer()
    unit_code = fields.String()
    unit_name = fields.String()
    instance_id = fields.Integer()
    stage = fields.String(
        metadata={"description": "targets, targets_review, monitoring_wait, ..., completed"}
    )
    stage_label = fields.String(metadata={"description": "the stage in Chinese"})
    due_at = fields.DateTime(allow_none=True, metadata={"description": "the current stage's deadline"})
    overdue = fields.Boolean()
    targets_score = fields.Decimal(
        as_string=True, allow_none=True, metadata={"description": "finance's score"}
    )
    monitoring_score = fields.Decimal(as_string=True, allow_none=True)
    self_evaluation_score = fields.Decimal(as_string=True, allow_none=True)
    open_task_ids = fields.List(fields.String(), metadata={"description": "open tasks you may read"})


class YearStatusSchema(Schema):
    year = fields.Integer()
    budget_approved_on = fields.Date(allow_none=True)
    opened = fields.Boolean()
    units = fields.List(fields.Nested(UnitStatusSchema), metadata={"description": "the units you may read"})
