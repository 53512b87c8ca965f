"""Marshmallow schemas of the score table (R-EV-3) and the spot checks (R-EV-7), shared by the
pages and ``/api/v1``."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

YEAR = validate.Range(min=2000, max=2100)


class SpotCheckStart(Schema):
    year = fields.Integer(
        required=True, validate=YEAR, metadata={"description": "预算年度 (the self-evaluated year)"}
    )
    project_ids = fields.List(
        fields.Integer(validate=validate.Range(min=1, max=2**31 - 1)),
        required=True,
        validate=validate.Length(min=1, max=1000),
    )


class SpotCheckStarted(Schema):
    spot_check_ids = fields.List(fields.Integer())


class YearQuery(Schema):
    year = fields.Integer(required=True, validate=YEAR)


class FindingSchema(Schema):
    indicator = fields.String()
    finding = fields.String(metadata={"description": "属实 / 不实"})
    note = fields.String()


class SpotCheckSchema(Schema):
    id = fields.Integer()
    project_id = fields.Integer()
    project_code = fields.String()
    project_name = fields.String()
    unit = fields.String()
    fiscal_year = fields.Integer()
    instance_id = fields.Integer(allow_none=True)
    status = fields.String()
    current_step = fields.String(allow_none=True)
    verdict = fields.String(allow_none=True)
    findings = fields.List(fields.Nested(FindingSchema))
    overdue = fields.Boolean()
    veto_applied = fields.Boolean()
    veto_grade = fields.String(allow_none=True)
    recovery_wan = fields.Float(allow_none=True)
    started_by = fields.String()
    started_at = fields.String()


class AccountabilitySchema(Schema):
    unit = fields.String()
    owner = fields.String(allow_none=True)
    reason = fields.String()
    recorded_at = fields.String()


class ProjectSpotChecksSchema(Schema):
    spot_checks = fields.List(fields.Nested(SpotCheckSchema))
    accountability = fields.List(fields.Nested(AccountabilitySchema))


class ScoreLineSchema(Schema):
    project_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit = fields.String()
    amount = fields.Float()
    self_total = fields.Float(allow_none=True)
    finance_score = fields.Float(allow_none=True)
    panel_score = fields.Float(allow_none=True)
    third_party_score = fields.Float(allow_none=True)
    final_score = fields.Float(allow_none=True)
    grade = fields.String(allow_none=True)
    cap_reason = fields.String(allow_none=True)
    budget_cut_ratio = fields.Float(allow_none=True)
    spot_check = fields.String(allow_none=True)
    vetoed = fields.Boolean()
    changed_after_confirmation = fields.Boolean()
    remark = fields.String()


class ConfirmationSchema(Schema):
    year = fields.Integer()
    confirmed_by = fields.String()
    confirmed_at = fields.String()
    row_count = fields.Integer()


class ScoreTableSchema(Schema):
    year = fields.Integer()
    title = fields.String()
    confirmation = fields.Nested(ConfirmationSchema, allow_none=True)
    rows = fields.List(fields.Nested(ScoreLineSchema))


def line_json(line) -> dict:
    def num(value):
        return None if value is None else float(value)

    return {
        "project_id": line.project_id,
        "code": line.code,
        "name": line.name,
        "unit": line.unit,
        "amount": float(line.amount),
        "self_total": num(line.self_total),
        "finance_score": num(line.finance_score),
        "panel_score": num(line.panel_score),
        "third_party_score": num(line.third_party_score),
        "final_score": num(line.final_score),
        "grade": line.grade,
        "cap_reason": line.cap_reason,
        "budget_cut_ratio": num(line.budget_cut_ratio),
        "spot_check": line.spot_check,
        "vetoed": line.vetoed,
        "changed_after_confirmation": line.changed_after_confirmation,
        "remark": line.remark,
    }


def confirmation_json(year: int, found) -> dict | None:
    if found is None:
        return None
    return {
        "year": year,
        "confirmed_by": found.confirmed_by,
        "confirmed_at": found.confirmed_at.isoformat(),
        "row_count": found.row_count,
    }
