"""The start data of each review path, declared once: what a process reads when it starts.

``create_project`` and ``POST /api/v1/instances`` fill the project's facts (``from_project``)
from the project row; the loop's owners may add or override the rest. The API documents
these fields from here (``GET /api/v1/processes`` lists each process's, the OpenAPI
document describes ``data``), and the project page names them from here.
``tests/unit/test_start_data.py`` checks the declaration against ``bpmn/``: every name a
process is said to read occurs in its files, and every default a script sets
(``try: name / except: name = ...``) is declared.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..config import settings
from ..engine import names

REQUIRED = object()  # the process fails without it (a project's facts are filled for you)


@dataclass(frozen=True)
class StartField:
    name: str
    type: str  # JSON Schema type of the value
    title: str  # 中文 name, as pages show it
    description: str
    from_project: bool = False  # filled from the project row when the path starts for a project
    default: Any = REQUIRED  # what the process assumes when the field is absent

    @property
    def required(self) -> bool:
        return self.default is REQUIRED


FIELDS: dict[str, StartField] = {
    f.name: f
    for f in (
        StartField("project_id", "integer", "项目", "the project's id", from_project=True),
        StartField("project_code", "string", "项目编码", "项目编码", from_project=True),
        StartField("project_name", "string", "项目名称", "项目名称, named in notices", from_project=True),
        StartField("unit_id", "integer", "单位", "the budget unit's id", from_project=True),
        StartField(
            "fiscal_year", "integer", "年度", "预算年度: deadlines and monitoring dates", from_project=True
        ),
        StartField("amount_wan", "number", "项目金额（万元）", "项目金额, 万元", from_project=True),
        StartField(
            "amount", "number", "项目金额（万元）", "the same amount under its older name", from_project=True
        ),
        StartField(
            "fund_type",
            "string",
            "资金类型",
            "which of the four budgets (四本预算), or 扶贫/乡村振兴 funds (R-AS-2)",
            from_project=True,
        ),
        StartField(
            "is_new",
            "boolean",
            "新增项目",
            "项目属性: 新增项目 (ex-ante first, R-EA-1) or 延续项目",
            True,
            True,
        ),
        StartField("is_major", "boolean", "重大项目", "重大项目: an expert panel reviews it", True, False),
        StartField(
            "submitted_by",
            "string",
            "填报人",
            "the unit's staff member who filed the project (its creator, when a unit submitter of its "
            "unit): the unit's reports and targets of the project are theirs (我的任务); none sends "
            "them to the unit's 待认领",
            default=None,
        ),
        StartField(
            "is_specialised",
            "boolean",
            "专业性项目",
            "专业性项目: classified major whatever its amount",
            default=False,
        ),
        StartField("experts", "array", "评审专家", "usernames of the expert panel (R-EX-1)", default=[]),
        StartField(
            "monitoring_nodes",
            "array",
            "监控节点",
            'monitoring dates "MM-DD" (R-MN-1)',
            default=["05-31", "08-31"],
        ),
        StartField("monitoring_node", "string", "监控节点", 'this round\'s date "MM-DD" (R-MN-1)'),
        StartField(
            "rectification_max_rounds",
            "integer",
            "整改最多退回次数",
            "returns before leadership decides (R-RC-2)",
            default=3,
        ),
        StartField(
            "rectification_days",
            "integer",
            "整改期限（天）",
            "days to rectify when no date is set (R-RC-1)",
            default=15,
        ),
        StartField("rect_subject", "string", "整改事项", "what is being rectified", default="整改"),
        StartField("rect_reasons", "string", "整改原因", "the reviewer's reasons", default=""),
        StartField(
            "rect_due_at", "string", "整改期限", "ISO date-time the rectification is due", default=None
        ),
        StartField(
            "project_stage",
            "string",
            "项目阶段",
            "the stage to return to after rectifying",
            default="rectification",
        ),
        StartField(
            "project_grade_cap", "string", "等级上限", "a cap from monitoring (R-MN-4): 中", default=None
        ),
        StartField(
            "project_grade", "string", "评价等级", "the capped grade results application reads (R-RA-1)"
        ),
        StartField("project_score", "number", "评价得分", "the evaluation score (R-RA-1)"),
        StartField(
            "budget_approved_on",
            "string",
            "预算批复日期",
            'the date the budget was approved, "YYYY-MM-DD": targets due 20 days after (R-DW-1)',
        ),
        StartField(
            "unit_name", "string", "单位名称", "the budget unit's name, named in notices", default="本单位"
        ),
        StartField(
            "self_evaluation_due_month",
            "integer",
            "自评截止月份",
            "the month of the next year whose end the department-wide self-evaluation is due (R-DW-2): "
            "2 (February, seed 000) or 4 (April, seed 002)",
            default=2,
        ),
        StartField(
            "spot_check_false",
            "boolean",
            "真实性核查不实",
            "the spot check's one-vote veto (R-EV-7)",
            default=False,
        ),
        StartField(
            "sc_indicators", "array", "核心指标", "core indicators the self-evaluation claimed (R-EV-7)"
        ),
        StartField("sc_project_graded", "boolean", "已评定等级", "the project has a grade (R-EV-7)"),
        StartField("sc_project_score", "number", "评价得分", "the project's score when checked (R-EV-7)"),
        StartField("deadline_minutes", "number", "期限（分钟）", "minutes until the demo report is due"),
        StartField(
            "report_kind", "string", "报告类型", 'annual report: "evaluation" (R-RA-4) or "summary" (R-SM-1)'
        ),
        # target change (R-TG-3, R-TG-6) and the third-party rating (R-TP-1): filled by their commands
        StartField("tc_old_indicators", "array", "原批复绩效指标", "the approved indicators being changed"),
        StartField("tc_old_goal", "string", "原总体目标", "the approved overall goal", default=""),
        StartField("tc_old_amount", "number", "原项目金额（万元）", "the amount before the change"),
        StartField("tc_old_version", "integer", "原目标版本", "the version of the targets being changed"),
        StartField(
            "tc_new_amount",
            "number",
            "调整后项目金额（万元）",
            "a resized budget (R-TG-6); none keeps it",
            default=None,
        ),
        StartField("rating_year", "integer", "评级年度", "the year whose work is rated (R-TP-1)"),
    )
}

_RECTIFICATION = (
    "project_name",
    "rectification_max_rounds",
    "rectification_days",
    "rect_subject",
    "rect_reasons",
    "rect_due_at",
    "project_stage",
)
_RECTIFIES = ("project_name", "rectification_max_rounds", "rectification_days")  # calls rectification

# process id → the fields it (and the processes it calls) read at start. A process started for a
# project also receives every ``from_project`` field, read or not (the audit log keeps them).
PROCESSES: dict[str, tuple[str, ...]] = {
    "project_lifecycle": (
        "fiscal_year",
        "amount_wan",
        "is_new",
        "is_specialised",
        "experts",
        "monitoring_nodes",
        "submitted_by",
        *_RECTIFIES,
    ),
    "ex_ante_assessment": ("is_major", "experts", "submitted_by", *_RECTIFIES),
    "target_review": ("rectification_max_rounds", "submitted_by"),
    "monitoring_round": ("fiscal_year", "monitoring_node", *_RECTIFIES),
    "evaluation": (
        "fiscal_year",
        "amount_wan",
        "is_major",
        "experts",
        "project_grade_cap",
        "spot_check_false",
    ),
    "results_application": ("amount_wan", "project_grade", "project_score", *_RECTIFIES),
    "rectification": _RECTIFICATION,
    "demo_deadline": ("deadline_minutes",),
    "department_wide": (
        "fiscal_year",
        "budget_approved_on",
        "unit_name",
        "self_evaluation_due_month",
        "rectification_max_rounds",
    ),
    "annual_report": ("fiscal_year", "report_kind"),
    "target_change": ("tc_new_amount",),
    "annual_selection": ("fiscal_year",),
    "spot_check": ("fiscal_year", "amount_wan", "sc_indicators", "sc_project_graded", "sc_project_score"),
}


# started by their own commands with their own data: the unit assessment's year (R-AS-1), the
# poverty-fund month (R-AS-2)
OWN_START_DATA = ("assessment_year", "ranking_year", "ranking_month")
# lint may now tell a typo from start data: a name read that no form, script, decision table or
# start field sets is refused (workflows/engine/names.py)
names.START_DATA.update(FIELDS, OWN_START_DATA)
names.CHECKED.update(PROCESSES, ("unit_assessment", "poverty_fund_ranking"))


def fields_of(process_id: str) -> list[StartField]:
    """The start fields a process reads (none declared for a process this bundle does not know)."""
    return [FIELDS[name] for name in PROCESSES.get(process_id, ())]


def described(process_id: str) -> list[dict]:
    """A process's start fields as plain data (``GET /api/v1/processes``)."""
    return [
        {
            "name": f.name,
            "type": f.type,
            "title": f.title,
            "description": f.description,
            "required": f.required,
            "default": None if f.required else f.default,
            "from_project": f.from_project,
        }
        for f in fields_of(process_id)
    ]


def from_project(project) -> dict:
    """What a review path knows about its project when it starts (amounts in 万元)."""
    return {
        "project_id": project.id,
        "project_code": project.code,
        "project_name": project.name,
        "unit_id": project.unit_id,
        "fiscal_year": project.fiscal_year,
        "amount_wan": float(project.amount),  # the name the review paths and DMN tables read
        "amount": float(project.amount),
        "fund_type": project.fund_type,
        "is_new": project.is_new,
        "is_major": project.is_major,
    }


def json_schema(field: StartField, processes: list[str] | None = None) -> dict:
    """One field as a JSON Schema property (the OpenAPI document's description of ``data``)."""
    prop: dict[str, Any] = {"type": field.type, "title": field.title, "description": field.description}
    text = {"type": "string", "maxLength": settings().max_text_length}  # the forms' default bound
    if field.type == "string":
        prop["maxLength"] = text["maxLength"]
    if field.type == "array":
        prop["items"] = text
    if not field.required:
        prop["default"] = field.default
    notes = []
    if field.from_project:
        notes.append("filled from the project")
    if processes:
        notes.append("read by " + ", ".join(processes))
    if notes:
        prop["description"] += f" ({'; '.join(notes)})"
    return prop


def openapi_properties() -> dict[str, dict]:
    """Every declared field, with the processes that read it."""
    readers = {name: [p for p, names in PROCESSES.items() if name in names] for name in FIELDS}
    return {name: json_schema(field, readers[name]) for name, field in FIELDS.items()}
