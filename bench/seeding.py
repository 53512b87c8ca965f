"""The people and the work of a load on ``make run-prod``, made through the product's doors:
``jixiao users import`` (a CSV) for the people, their first sign-in to set their own
password, ``/api/v1`` for projects and timed instances. Nothing here writes a table.
"""

from __future__ import annotations

import csv
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests
from prodkit import FISCAL_YEAR, PANEL, PASSWORD, RunProd, jixiao


@dataclass(frozen=True)
class Person:
    username: str
    kind: str  # unit (submitter or head), reviewer, expert, office (starts timed work)
    role: str
    unit: str | None = None


def people_for(count: int) -> list[Person]:
    """``count`` simulated people: 3/5 unit staff (four submitters to a head), 1/5 finance
    reviewers in offices of five units, 1/5 pool experts (at least a panel's worth); plus one performance-office user."""
    reviewers = max(1, count // 5)
    experts = max(PANEL, count // 5)  # a draw of PANEL must find them, however small the load
    unit_staff = max(2, count - reviewers - experts)
    units = max(1, unit_staff // 5)
    people = []
    for i in range(unit_staff):
        unit = f"L{i % units + 1:03d}"
        head = i < units  # the first round: one head per unit
        people.append(Person(f"load.u{i + 1:03d}", "unit", "unit_head" if head else "unit_submitter", unit))
    people += [Person(f"load.r{i + 1:03d}", "reviewer", "finance_reviewer") for i in range(reviewers)]
    people += [Person(f"load.e{i + 1:03d}", "expert", "expert") for i in range(experts)]
    people.append(Person("load.office", "office", "performance_office"))
    return people


def unit_codes(people: list[Person]) -> list[str]:
    return sorted({p.unit for p in people if p.unit})


def offices_of(people: list[Person]) -> dict[str, list[str]]:
    """Office name → its units: five units an office."""
    units = unit_codes(people)
    return {f"负荷测试科{n // 5 + 1}": units[n : n + 5] for n in range(0, len(units), 5)}


def people_csv(people: list[Person]) -> str:
    """The ``jixiao users import`` file for these people (README: Users from a CSV file)."""
    offices = offices_of(people)
    office_names = list(offices)
    reviewers = [p for p in people if p.kind == "reviewer"]
    rows = []
    for person in people:
        row = {
            "username": person.username,
            "display_name": f"测试{person.username[5:]}",
            "roles": person.role,
        }
        row["password"] = f"Once-{person.username}"
        if person.unit:
            row.update(unit_code=person.unit, unit_name=f"负荷测试单位{person.unit[1:]}")
        if person.kind == "reviewer":
            office = office_names[reviewers.index(person) % len(office_names)]
            row.update(office=office, office_units=";".join(offices[office]))
        if person.kind == "expert":
            row.update(expert_fields="工程造价;财务管理", expert_organisation="负荷测试专家库")
        rows.append(row)
    columns = ["username", "display_name", "roles", "unit_code", "unit_name", "office", "office_units"]
    columns += ["email", "password", "expert_fields", "expert_organisation"]
    out = []
    writer = csv.DictWriter(_Lines(out), fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    return "".join(out)


class _Lines:
    def __init__(self, out: list[str]):
        self.write = out.append


class Api:
    """One person's ``/api/v1`` session (bearer token)."""

    def __init__(self, base: str, username: str, password: str = PASSWORD):
        self.base = base
        self.http = requests.Session()
        answer = self.http.post(
            f"{base}/api/v1/auth/token", json={"username": username, "password": password}
        )
        answer.raise_for_status()
        self.http.headers["Authorization"] = f"Bearer {answer.json()['token']}"

    def call(self, method: str, path: str, expect: tuple[int, ...] = (200, 201, 204), **kwargs):
        answer = self.http.request(method, f"{self.base}/api/v1{path}", timeout=60, **kwargs)
        if answer.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {answer.status_code} {answer.text[:300]}")
        return answer.json() if answer.content else None


def set_own_password(base: str, person: Person) -> None:
    """A first sign-in: the one-time password from the import is replaced by the person's own."""
    answer = requests.post(
        f"{base}/api/v1/auth/password",
        json={"username": person.username, "password": f"Once-{person.username}", "new_password": PASSWORD},
        timeout=60,
    )
    if answer.status_code != 204:
        raise RuntimeError(f"password of {person.username}: {answer.status_code} {answer.text[:300]}")


def create_project(api: Api, code: str, amount: float = 120.5) -> dict:
    """A new project of the caller's unit; its lifecycle (ex-ante assessment first) starts."""
    return api.call(
        "POST",
        "/projects",
        json={"code": code, "name": f"负荷测试项目{code}", "fiscal_year": FISCAL_YEAR, "amount": amount},
    )


def start_deadline(api: Api, project_id: int, seconds: float, key: str) -> dict:
    """``demo_deadline`` for a project: a reminder half-way, the deadline after ``seconds``."""
    return api.call(
        "POST",
        "/instances",
        json={
            "process_id": "demo_deadline",
            "business_key": key,
            "project_id": project_id,
            "data": {"deadline_minutes": round(seconds / 60, 3)},
        },
    )


@dataclass
class Seeded:
    people: list[Person]
    projects: list[int]
    deadlines: int


def seed(
    server: RunProd,
    count: int,
    *,
    projects_per_unit: int = 2,
    deadlines: int = 0,
    deadline_window: tuple[float, float] = (20.0, 240.0),
    threads: int = 8,
) -> Seeded:
    """People through ``jixiao users import`` and their first sign-in; projects created by
    each unit's submitters; ``deadlines`` timed instances due across ``deadline_window`` seconds."""
    people = people_for(count)
    csv_path = server.instance_dir / "people.csv"
    csv_path.write_text(people_csv(people), encoding="utf-8")
    jixiao(server.database_url, "users", "import", str(csv_path))
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(lambda p: set_own_password(server.url, p), people))
        submitters = {}
        for person in people:
            if person.role == "unit_submitter":
                submitters.setdefault(person.unit, person)
        apis = dict(
            zip(submitters, pool.map(lambda p: Api(server.url, p.username), submitters.values()), strict=True)
        )
        jobs = [(unit, n) for unit in apis for n in range(projects_per_unit)]
        created = list(
            pool.map(lambda job: create_project(apis[job[0]], f"{job[0]}-{job[1] + 1:02d}")["id"], jobs)
        )
    office = Api(server.url, "load.office")
    low, high = deadline_window
    for n in range(deadlines):
        seconds = low + (high - low) * n / max(1, deadlines - 1)
        start_deadline(office, created[n % len(created)], seconds, f"load-deadline-{n + 1}")
    return Seeded(people, created, deadlines)
