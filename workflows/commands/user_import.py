"""``jixiao users import FILE.csv``: units, finance offices, users and pool experts from one file.

All or nothing: every row is checked first; any bad row refuses the whole file, naming every
bad row (``第3行``) with its reasons, and nothing is imported. Columns (README, "Users from a
CSV file"): username, display_name, roles (``;``-separated), unit_code, unit_name (creates the
unit when it does not exist), office (a finance office, created when absent), office_units
(``;`` unit codes that office reviews), email, password (the one-time password; generated when
empty), expert_fields (``;``; admits the user to the expert pool), expert_organisation.
Every imported user sets their own password at first sign-in.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import FormInvalid, JixiaoError
from ..policy import Actor
from ..store import BudgetUnit, Database, FinanceOffice, User, transaction
from . import accounts, people
from .accounts import ROLES, NewUser

Unit = Database | Session
COLUMNS = (
    "username",
    "display_name",
    "roles",
    "unit_code",
    "unit_name",
    "office",
    "office_units",
    "email",
    "password",
    "expert_fields",
    "expert_organisation",
)
REQUIRED_COLUMNS = ("username", "display_name", "roles")
USERNAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{1,79}$")
MAX_ROWS = 5000


@dataclass
class ImportReport:
    units: list[str] = field(default_factory=list)
    offices: list[str] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)  # (username, one-time password)
    experts: list[str] = field(default_factory=list)


def _split(value: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[;；]", value or "") if p.strip()]


def _rows(text: str) -> list[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    unknown = [c for c in header if c not in COLUMNS]
    if missing or unknown:
        problems = [f"缺少列 {', '.join(missing)}"] if missing else []
        problems += [f"不认识的列 {', '.join(unknown)}"] if unknown else []
        raise FormInvalid({"第1行": problems})
    rows = []
    for raw in reader:
        rows.append({(k or "").strip(): (v or "").strip() for k, v in raw.items() if k is not None})
        if len(rows) > MAX_ROWS:
            raise FormInvalid({"file": [f"一次最多导入 {MAX_ROWS} 行"]})
    if not rows:
        raise FormInvalid({"file": ["文件中没有数据行"]})
    return rows


def _check(session: Session, rows: list[dict[str, str]]) -> dict[str, list[str]]:
    existing_units = set(session.scalars(select(BudgetUnit.code)))
    new_units = {r["unit_code"] for r in rows if r.get("unit_code") and r.get("unit_name")}
    known_units = existing_units | new_units
    existing_users = set(session.scalars(select(User.username)))
    seen: dict[str, int] = {}
    errors: dict[str, list[str]] = {}
    for line, row in enumerate(rows, start=2):
        problems = []
        username = row.get("username", "")
        if not username:
            problems.append("username 必填")
        elif not USERNAME.match(username):
            problems.append(f"用户名 {username} 只能包含字母、数字和 . _ -")
        elif username in existing_users:
            problems.append(f"用户名 {username} 已存在")
        elif username in seen:
            problems.append(f"用户名 {username} 与第{seen[username]}行重复")
        seen.setdefault(username, line)
        if not row.get("display_name"):
            problems.append("display_name 必填")
        roles = _split(row.get("roles"))
        if not roles:
            problems.append("roles 必填")
        unknown = sorted(set(roles) - ROLES)
        if unknown:
            problems.append(f"未知角色 {', '.join(unknown)}")
        unit = row.get("unit_code")
        if unit and unit not in known_units:
            problems.append(f"预算单位 {unit} 不存在（新单位请同时填写 unit_name）")
        if roles and set(roles) & {"unit_submitter", "unit_head"} and not unit:
            problems.append("单位填报人和单位负责人必须填写 unit_code")
        for code in _split(row.get("office_units")):
            if code not in known_units:
                problems.append(f"office_units 中的预算单位 {code} 不存在")
        if row.get("office_units") and not row.get("office"):
            problems.append("填写 office_units 时必须填写 office")
        if row.get("office") and "finance_reviewer" not in roles and not row.get("office_units"):
            problems.append("只有财政业务科室人员（finance_reviewer）属于业务科室")
        if row.get("expert_fields") and "expert" not in roles:
            problems.append("填写 expert_fields 的用户须有 expert 角色")
        if "expert" in roles and not _split(row.get("expert_fields")):
            problems.append("专家须填写 expert_fields（专业领域）")
        password = row.get("password", "")
        if password and len(password) < people.MIN_PASSWORD_LENGTH:
            problems.append(f"password 至少 {people.MIN_PASSWORD_LENGTH} 个字符")
        if problems:
            errors[f"第{line}行"] = problems
    return errors


def import_users(uow: Unit, text: str, *, actor: Actor) -> ImportReport:
    """Import the CSV ``text``; refuses the whole file (:class:`FormInvalid`, a key per bad row)."""
    accounts._require_admin(actor)
    rows = _rows(text)
    report = ImportReport()
    with transaction(uow) as session:
        errors = _check(session, rows)
        if errors:
            raise FormInvalid(errors)
        units = {u.code: u for u in session.scalars(select(BudgetUnit))}
        for row in rows:
            code, name = row.get("unit_code"), row.get("unit_name")
            if code and name and code not in units:
                accounts.create_unit(session, code, name, actor=actor)
                units[code] = session.scalar(select(BudgetUnit).where(BudgetUnit.code == code))
                report.units.append(code)
        offices: dict[str, set[str]] = {}
        for row in rows:
            if row.get("office"):
                offices.setdefault(row["office"], set()).update(_split(row.get("office_units")))
        for name, codes in offices.items():
            office = session.scalar(select(FinanceOffice).where(FinanceOffice.name == name))
            keep = {u.id for u in office.units} if office else set()
            people.save_office(
                session,
                name,
                sorted(keep | {units[c].id for c in codes}),
                actor=actor,
                office_id=office.id if office else None,
            )
            report.offices.append(name)
        for line, row in enumerate(rows, start=2):
            roles = tuple(_split(row["roles"]))
            password = row.get("password") or people.one_time_password()
            new = NewUser(
                row["username"],
                row["display_name"],
                password,
                roles,
                unit_code=row.get("unit_code") or None,
                email=row.get("email") or None,
                office=row.get("office") if "finance_reviewer" in roles else None,
                must_change_password=True,
            )
            try:
                accounts.create_user(session, new, actor=actor)
                if "expert" in roles:
                    people.add_expert(
                        session,
                        people.NewExpert(
                            row["username"],
                            row["display_name"],
                            tuple(_split(row.get("expert_fields"))),
                            row.get("expert_organisation", ""),
                            unit_code=row.get("unit_code") or None,
                        ),
                        actor=actor,
                    )
                    report.experts.append(row["username"])
            except JixiaoError as exc:  # the checks above should have caught it; refuse all the same
                errors[f"第{line}行"] = [str(exc)]
                continue
            report.users.append((row["username"], password))
        if errors:
            raise FormInvalid(errors)
    return report
