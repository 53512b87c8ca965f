"""Projects in and out: the one input schema for a new project (page and API alike), and what
the API answers about projects and processes: a project with its 申报表 header, the decisions
its processes took (``queries.decisions``), the start data each process reads
(``commands.start_data``). The OpenAPI document is generated from these.
"""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from workflows.commands.projects import AMOUNT_NOT_POSITIVE, PERIOD_FORMAT, header_errors, wan_problem
from workflows.queries.decisions import KINDS
from workflows.store import FUND_TYPES

from .fields import Text

_PERIOD = validate.Regexp(r"^\d{4}(-(0[1-9]|1[0-2]))?$", error=PERIOD_FORMAT)
_PHONE = validate.Regexp(r"^[0-9+\-() ]*$", error="电话号码只能包含数字、空格和 + - ( )")
_WAN_MAX = validate.Range(max=1e9, error="不能超过 1000000000 万元")


def _to_the_fen(value) -> None:
    """An amount in 万元 has at most two decimals: refused, never rounded (as the command checks)."""
    problem = wan_problem(value)
    if problem:
        raise ValidationError(problem)


# 资金来源 may be 0; the project's own amount is more than 0 (AMOUNT_NOT_POSITIVE)
_WAN = [validate.Range(min=0, error="不能小于 0 万元"), _WAN_MAX, _to_the_fen]
_PROJECT_AMOUNT = [
    validate.Range(min=0, min_inclusive=False, error=AMOUNT_NOT_POSITIVE),
    _WAN_MAX,
    _to_the_fen,
]


class ProjectCreate(Schema):
    """``POST /projects/new`` (page) and ``POST /api/v1/projects``: one set of rules."""

    code = Text(required=True, validate=validate.Length(min=1, max=40))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    unit_id = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1, max=2**31 - 1))
    fiscal_year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    amount = fields.Float(
        required=True,
        allow_nan=False,
        validate=_PROJECT_AMOUNT,
        metadata={"description": "项目金额 (万元): more than 0, at most two decimals"},
    )
    fund_type = Text(
        load_default="general_public",
        validate=validate.OneOf(FUND_TYPES),
    )
    is_new = fields.Boolean(
        load_default=True, metadata={"description": "项目属性: 新增项目 (true) or 延续项目"}
    )
    is_major = fields.Boolean(load_default=False)
    process_id = Text(allow_none=True, validate=validate.Length(min=1, max=120))
    # the 项目支出绩效目标申报表 header (R-EV-8 owner); what is left out is derived by create_project
    owner_name = Text(validate=validate.Length(max=80), metadata={"description": "项目负责人; default: you"})
    owner_phone = Text(validate=[validate.Length(max=40), _PHONE])
    competent_department = Text(validate=validate.Length(max=200), metadata={"description": "主管部门"})
    implementing_unit = Text(validate=validate.Length(max=200), metadata={"description": "实施单位"})
    period_start = Text(validate=_PERIOD, metadata={"description": '项目期 from, "2026" or "2026-03"'})
    period_end = Text(validate=_PERIOD, metadata={"description": "项目期 to; default: the fiscal year"})
    fiscal_funds = fields.Float(allow_nan=False, validate=_WAN, metadata={"description": "财政拨款 (万元)"})
    other_funds = fields.Float(allow_nan=False, validate=_WAN, metadata={"description": "其他资金 (万元)"})

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def _header(self, data, original, **kwargs):
        """项目期 and 资金来源 against the year and amount: :func:`header_errors`, as the command
        checks (not while one of them already has its own field error)."""
        header = ("period_start", "period_end", "fiscal_funds", "other_funds")
        given = original if isinstance(original, dict) else {}
        if (
            "fiscal_year" not in data
            or "amount" not in data
            or any(k in given and k not in data for k in header)
        ):
            return
        errors = header_errors(data["fiscal_year"], data["amount"], **{k: data.get(k) for k in header})
        if errors:
            raise ValidationError(errors)


class StartFieldSchema(Schema):
    name = fields.String()
    type = fields.String(metadata={"description": "JSON Schema type of the value"})
    title = fields.String(metadata={"description": "中文 name"})
    description = fields.String()
    required = fields.Boolean(metadata={"description": "the process fails without it"})
    default = fields.Raw(allow_none=True, metadata={"description": "what the process assumes when absent"})
    from_project = fields.Boolean(metadata={"description": "filled from the project when started for one"})


class ProcessSchema(Schema):
    process_id = fields.String()
    version = fields.Integer()
    name = fields.String()
    start_data = fields.List(
        fields.Nested(StartFieldSchema),
        metadata={"description": "the data this process (and the paths it calls) reads at start"},
    )


class ProjectInstanceSchema(Schema):
    id = fields.Integer()
    process_id = fields.String()
    status = fields.String()
    current_step = fields.String(allow_none=True)


class ProjectSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    unit_id = fields.Integer()
    unit_name = fields.String()
    fiscal_year = fields.Integer()
    amount = fields.Decimal(as_string=True, metadata={"description": "项目金额 (万元), after any cut"})
    fund_type = fields.String()
    is_new = fields.Boolean(metadata={"description": "项目属性: true 新增项目, false 延续项目"})
    is_major = fields.Boolean()
    owner_name = fields.String(allow_none=True, metadata={"description": "项目负责人 (R-EV-8)"})
    owner_phone = fields.String(allow_none=True)
    competent_department = fields.String(allow_none=True, metadata={"description": "主管部门"})
    implementing_unit = fields.String(allow_none=True, metadata={"description": "实施单位"})
    period_start = fields.String(
        allow_none=True, metadata={"description": '项目期 from: "2026" or "2026-03"'}
    )
    period_end = fields.String(allow_none=True, metadata={"description": "项目期 to"})
    fiscal_funds = fields.Decimal(
        as_string=True, allow_none=True, metadata={"description": "资金来源 财政拨款 (万元), as declared"}
    )
    other_funds = fields.Decimal(as_string=True, allow_none=True, metadata={"description": "其他资金 (万元)"})
    stage = fields.String()
    score = fields.Decimal(as_string=True, allow_none=True)
    grade = fields.String(allow_none=True, metadata={"description": "the final grade, after any cap"})
    grade_cap = fields.String(allow_none=True)
    budget_cut_ratio = fields.Decimal(as_string=True, allow_none=True)
    consecutive_failures = fields.Integer()
    overdue = fields.Boolean()
    instances = fields.List(fields.Nested(ProjectInstanceSchema))


class ProjectPageSchema(Schema):
    items = fields.List(fields.Nested(ProjectSchema))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


class RuleInputSchema(Schema):
    label = fields.String(allow_none=True)
    expression = fields.String()
    value = fields.Raw(allow_none=True)


class MatchedRuleSchema(Schema):
    id = fields.String()
    row = fields.Integer()
    description = fields.String(metadata={"description": "the rule's reason, citing DOMAIN"})


class DecisionEntrySchema(Schema):
    at = fields.DateTime()
    kind = fields.String(
        metadata={
            "enum": list(KINDS),
            "description": "start: a path started with this data; task: a person's form; rule: a DMN "
            "table's decision; script: a computed value; notice: a warning the process raised",
        }
    )
    instance_id = fields.Integer()
    process_id = fields.String(metadata={"description": "the process the step belongs to"})
    step = fields.String(allow_none=True, metadata={"description": "BPMN element id"})
    title = fields.String(allow_none=True)
    task_id = fields.String(allow_none=True)
    actor = fields.String(metadata={"description": "who completed the task, or whose action ran the step"})
    role = fields.String(allow_none=True)
    inputs = fields.List(fields.Nested(RuleInputSchema), metadata={"description": "rule: what it read"})
    values = fields.Dict(metadata={"description": "what was decided, entered or computed"})
    labels = fields.Dict(metadata={"description": "rule: 中文 names of its outputs"})
    rules = fields.List(
        fields.Nested(MatchedRuleSchema), metadata={"description": "rule: the rule(s) that matched"}
    )


class ProjectDetailSchema(ProjectSchema):
    decisions = fields.List(
        fields.Nested(DecisionEntrySchema),
        metadata={"description": "every decision the processes took, oldest first"},
    )
