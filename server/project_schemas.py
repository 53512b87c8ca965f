"""What the API answers about projects and processes: a project with its 申报表 header, the
decisions its processes took (``queries.decisions``), the start data each process reads
(``commands.start_data``). The OpenAPI document is generated from these.
"""

from __future__ import annotations

from marshmallow import Schema, fields

from workflows.queries.decisions import KINDS


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
