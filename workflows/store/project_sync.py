"""The project row's columns the BPMN sets (DESIGN 3), beside the models (re-exported by workflows.store)."""

# Workflow data keys ``project_<column>`` are copied into these project columns when an
# instance is saved, so the BPMN (not Python) decides when a project's stage or score changes.
PROJECT_SYNC_COLUMNS = (
    "stage",
    "amount",  # leadership's 调减预算 / 收回资金 (R-MN-4)
    "score",
    "grade",
    "grade_cap",
    "consecutive_failures",
    "budget_cut_ratio",
    "overdue",
    "executed_amount",  # monitoring (R-MN-2): the bureau's execution rate against 序时进度
    "execution_rate",
    "schedule_progress",
    "execution_node",  # the monitoring node the three above are at ("08-31")
    "year_executed_amount",  # self-evaluation (R-EV-1): the year's 全年执行数 and 预算执行率
    "year_execution_rate",
)
