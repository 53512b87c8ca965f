"""Typed errors of the engine service. ``server/`` maps them to HTTP in one place."""

from __future__ import annotations

from dataclasses import dataclass


class JixiaoError(Exception):
    """Base of every error a command raises on purpose."""

    code = "error"


class NotFound(JixiaoError):
    code = "not_found"


class TaskNotFound(NotFound):
    code = "task_not_found"


class InstanceNotFound(NotFound):
    code = "instance_not_found"


class ProcessNotFound(NotFound):
    code = "process_not_found"


class Forbidden(JixiaoError):
    """The actor may not do this (role, unit scope or assignment)."""

    code = "forbidden"


class Conflict(JixiaoError):
    """Someone else changed the same thing first; reload and try again."""

    code = "conflict"


class TaskAlreadyCompleted(Conflict):
    code = "task_already_completed"


class NotClaimedByYou(Conflict):
    code = "not_claimed_by_you"


class FormInvalid(JixiaoError):
    """Submitted form data breaks the form's JSON Schema; nothing was saved."""

    code = "form_invalid"

    def __init__(self, fields: dict[str, list[str]]):
        self.fields = fields
        super().__init__(
            "form data is invalid: " + "; ".join(f"{k}: {', '.join(v)}" for k, v in fields.items())
        )


class SignInLocked(JixiaoError):
    """Too many failed sign-ins for this account or from this address; try again later."""

    code = "too_many_attempts"

    def __init__(self, retry_after: int):
        self.retry_after = retry_after  # seconds
        super().__init__(f"登录失败次数过多，请 {(retry_after + 59) // 60} 分钟后再试")


class BusinessRuleRefused(JixiaoError):
    code = "business_rule_refused"


class TreeTooDeep(JixiaoError):
    """ENGINE-NOTES 7: the task tree nears SpiffWorkflow's 1,000-level iteration limit."""

    code = "tree_too_deep"


class ScriptError(JixiaoError):
    """A BPMN expression or script failed or was refused by the sandbox at run time."""

    code = "script_error"


@dataclass(frozen=True)
class LocatedError:
    """One reason a bundle is refused, located at a file and element."""

    file: str
    element: str | None
    message: str

    def __str__(self) -> str:
        where = self.file + (f"#{self.element}" if self.element else "")
        return f"{where}: {self.message}"


class DeployRejected(JixiaoError):
    code = "deploy_rejected"

    def __init__(self, errors: list[LocatedError]):
        self.errors = errors
        super().__init__(f"{len(errors)} error(s):\n" + "\n".join(str(e) for e in errors))


class MigrationRefused(BusinessRuleRefused):
    """An instance cannot move to the chosen version (a task it waits on was removed …)."""

    code = "migration_refused"
