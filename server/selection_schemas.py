"""Schemas of the year's selection (年度评价对象选取), shared by the workbench page and ``/api/v1``:
the same input schema accepts and refuses the same things from a form post and a JSON body.
DOMAIN R-EV-2, R-EV-3, R-EV-4, R-MN-7, R-EV-7.
"""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from workflows import quotas as rules
from workflows.queries.selection import Workbench

from .fields import Text

_IDS = dict(load_default=list, validate=validate.Length(max=100_000))


class SelectionStart(Schema):
    fiscal_year = fields.Integer(required=True, validate=validate.Range(min=2000, max=2100))


class SelectionSave(Schema):
    """The ticked projects per category (project ids); the spot-check sample is drawn, not ticked."""

    dept_eval = fields.List(fields.Integer(strict=False), **_IDS)
    expert_review = fields.List(fields.Integer(strict=False), **_IDS)
    third_party = fields.List(fields.Integer(strict=False), **_IDS)
    key_monitoring = fields.List(fields.Integer(strict=False), **_IDS)
    lock_version = fields.Integer(load_default=None, allow_none=True)
    unit_id = fields.Integer(
        load_default=None,
        allow_none=True,
        metadata={"description": "only this unit's ticks (the others kept)"},
    )
    shown = fields.List(
        fields.Integer(strict=False),
        load_default=None,
        validate=validate.Length(max=1000),
        metadata={"description": "the projects the page listed: only their ticks change (the others kept)"},
    )


class SelectionDraw(Schema):
    reason = Text(load_default="", validate=validate.Length(max=1000))


class SelectionConfirm(Schema):
    note = Text(load_default="", validate=validate.Length(max=2000))


class CandidateSchema(Schema):
    project_id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    amount = fields.Decimal(as_string=True, metadata={"description": "万元"})
    is_new = fields.Boolean(metadata={"description": "项目属性: 新增项目 / 延续项目"})
    one_off = fields.Boolean(metadata={"description": "一次性项目"})
    is_key = fields.Boolean(metadata={"description": "重点（重大）项目"})
    evaluated_before = fields.Boolean(metadata={"description": "以前年度已实施部门评价"})
    priority = fields.Boolean(metadata={"description": "优先选择 (R-EV-2)"})
    stage = fields.String()
    categories = fields.List(fields.String())


class CheckSchema(Schema):
    category = fields.String()
    scope = fields.String()
    passed = fields.Boolean()
    message = fields.String()


class QuotasSchema(Schema):
    dept_eval_share = fields.Decimal(as_string=True)
    expert_share = fields.Decimal(as_string=True)
    third_party_min_count = fields.Integer()
    third_party_not_below_last_year = fields.Boolean()
    spot_check_share = fields.Decimal(as_string=True)
    spot_check_min = fields.Integer()


class WorkbenchSchema(Schema):
    fiscal_year = fields.Integer()
    status = fields.String(metadata={"description": "draft | confirmed"})
    lock_version = fields.Integer(allow_none=True)
    spot_seed = fields.String(allow_none=True, metadata={"description": "the spot-check draw's seed"})
    spot_draws = fields.Integer()
    quotas = fields.Nested(QuotasSchema, allow_none=True)
    last_year_third_party_funds = fields.Decimal(as_string=True)
    passed = fields.Boolean()
    checks = fields.List(fields.Nested(CheckSchema))
    candidates = fields.List(fields.Nested(CandidateSchema))


class DrawnSchema(Schema):
    sample = fields.List(fields.Integer())
    spot_seed = fields.String()


def picked_of(body: dict) -> dict[str, list[int]]:
    return {c: body.get(c) or [] for c in rules.TICKED}


def workbench_json(bench: Workbench) -> dict:
    row = bench.selection
    marks: dict[int, list[str]] = {}
    for category in rules.CATEGORIES:
        for pid in bench.chosen.get(category, ()):
            marks.setdefault(pid, []).append(category)
    return {
        "fiscal_year": bench.year,
        "status": row.status if row else "not_started",
        "lock_version": row.lock_version if row else None,
        "spot_seed": row.spot_seed if row else None,
        "spot_draws": row.spot_draws if row else 0,
        "quotas": vars(bench.quotas) if bench.quotas else None,
        "last_year_third_party_funds": bench.last_year_third_party_funds,
        "passed": bench.quotas is not None and not bench.failures,
        "checks": [vars(c) for c in bench.checks],
        "candidates": [
            {
                **{k: v for k, v in r._asdict().items() if k != "candidate"},
                "categories": marks.get(r.project_id, []),
            }
            for r in bench.rows
        ],
    }
