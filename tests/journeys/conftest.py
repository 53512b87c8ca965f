"""Journeys: a year of one project, from an empty database, through the front door only.

The database is made as an operator makes it — ``jixiao db upgrade``, ``jixiao deploy bpmn/``,
``jixiao users import people.csv`` (the real CLI, through click's runner) — and the app is
served by werkzeug on 127.0.0.1 in a thread, as the browser tests serve it. Time passes the
way the scheduler makes it pass: the clock is set to the day (as ``jixiao --now`` sets it)
and ``jixiao timers run-due --as-of`` fires what is due. Nothing here writes a table.
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import socket
import threading
import time
from dataclasses import dataclass, field
from email import message_from_bytes
from email.header import decode_header, make_header
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from werkzeug.serving import make_server

from server import create_app
from tests.conftest import ON_POSTGRES
from workflows import cli, clock
from workflows.config import reload_settings
from workflows.store import outbox

ROOT = Path(__file__).resolve().parents[2]
BPMN = ROOT / "bpmn"
SHOTS = Path("/tmp/journey-shots")  # a person looks at these after a run

CSV_COLUMNS = (
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
ZJ, YJ = "360922-001", "360922-002"  # 住建局 (the journey's unit) and 应急局 (another office's unit)
# One account per role, as a bureau's administrator lists them (README: "Users from a CSV file").
# Two units, each reviewed by its own finance office (R-RL-1); five pool experts, one of them
# from 住建局 itself and so never on a panel for its projects (R-EX-1).
PEOPLE = [
    {"username": "zj.tian", "display_name": "田甜（住建局填报）", "roles": "unit_submitter",
     "unit_code": ZJ, "unit_name": "万载县住房和城乡建设局", "email": "tian@zj.wanzai.example"},
    {"username": "zj.head", "display_name": "王局长（住建局负责人）", "roles": "unit_head", "unit_code": ZJ,
     "email": "head@zj.wanzai.example"},
    {"username": "yj.lin", "display_name": "林立（应急局填报）", "roles": "unit_submitter",
     "unit_code": YJ, "unit_name": "万载县应急管理局"},
    {"username": "yj.head", "display_name": "陈局长（应急局负责人）", "roles": "unit_head", "unit_code": YJ,
     "email": "head@yj.wanzai.example"},
    {"username": "fin.li", "display_name": "李四（经济建设科）", "roles": "finance_reviewer",
     "office": "经济建设科", "office_units": ZJ, "email": "lisi@czj.wanzai.example"},
    {"username": "fin.he", "display_name": "何芳（行政政法科）", "roles": "finance_reviewer",
     "office": "行政政法科", "office_units": YJ, "email": "hefang@czj.wanzai.example"},
    {"username": "perf.zhou", "display_name": "周敏（绩效科）", "roles": "performance_office"},
    {"username": "lead.liu", "display_name": "刘副县长（分管领导）", "roles": "leadership"},
    {"username": "ex.wang", "display_name": "王教授（南昌大学）", "roles": "expert",
     "expert_fields": "给排水;环境工程", "expert_organisation": "南昌大学"},
    {"username": "ex.zhao", "display_name": "赵高工（应急局）", "roles": "expert", "unit_code": YJ,
     "expert_fields": "安全工程;应急管理", "expert_organisation": "万载县应急管理局"},
    {"username": "ex.sun", "display_name": "孙会计师", "roles": "expert",
     "expert_fields": "财务会计;工程造价", "expert_organisation": "宜春市注册会计师协会"},
    {"username": "ex.zhou", "display_name": "周研究员（江西财经大学）", "roles": "expert",
     "expert_fields": "公共财政;绩效评价", "expert_organisation": "江西财经大学"},
    {"username": "ex.qian", "display_name": "钱工（住建局）", "roles": "expert", "unit_code": ZJ,
     "expert_fields": "建筑工程", "expert_organisation": "万载县住房和城乡建设局"},
]  # fmt: skip
POOL = ["ex.sun", "ex.wang", "ex.zhao", "ex.zhou"]  # the pool outside 住建局: whom a panel may hold
PANEL = ["ex.sun", "ex.wang", "ex.zhao"]  # a panel picked from it
OWN_PASSWORD = "Wanzai#2027"  # what each person chooses at first sign-in


def people_csv() -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for person in PEOPLE:
        writer.writerow({c: person.get(c, "") for c in CSV_COLUMNS})
    return out.getvalue()


@dataclass
class Jixiao:
    """The ``jixiao`` command on one database, run as an operator runs it (click's runner)."""

    url: str

    def __call__(self, *args: str) -> str:
        obj: dict = {}
        result = CliRunner().invoke(cli.main, ["--database-url", self.url, *args], obj=obj)
        if "db" in obj:
            obj["db"].dispose()
        assert result.exit_code == 0, f"jixiao {' '.join(args)}: {result.output}{result.exception!r}"
        return result.output

    def run_due(self, when: str) -> str:
        """The day is ``when``: the clock reads it (``jixiao --now``) and the scheduler's pass fires
        what is due by then (``jixiao timers run-due --as-of``)."""
        clock.set_now(clock.parse_moment(when))
        return self("--now", when, "timers", "run-due", "--as-of", when)


@dataclass
class Year:
    """A database made by the operator's commands: migrated, bundle deployed, people imported."""

    jixiao: Jixiao
    url: str
    mail: MailDrop
    one_time: dict[str, str] = field(default_factory=dict)  # username → password the import printed


class MailDrop:
    """A real SMTP server on a free local port (aiosmtpd); what it received, by recipient."""

    def __init__(self):
        self.received: list[tuple[list[str], object]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.received.append((envelope.rcpt_tos, message_from_bytes(envelope.content)))
        return "250 OK"

    def subjects(self, address: str, *, wait_for: int = 0, seconds: float = 5.0) -> list[str]:
        """Subjects of the mail ``address`` received (waiting until there are ``wait_for``)."""
        deadline = time.monotonic() + seconds
        while True:
            found = [
                str(make_header(decode_header(message["Subject"])))
                for to, message in self.received
                if address in to
            ]
            if len(found) >= wait_for or time.monotonic() > deadline:
                return found
            time.sleep(0.02)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def mail_server():
    """The bureau's mail server, configured as an operator configures it (JIXIAO_SMTP_*)."""
    drop = MailDrop()
    controller = Controller(drop, hostname="127.0.0.1", port=_free_port())
    controller.start()
    wanted = {"JIXIAO_SMTP_HOST": "127.0.0.1", "JIXIAO_SMTP_PORT": str(controller.port),
              "JIXIAO_MAIL_FROM": "jixiao@czj.wanzai.example"}  # fmt: skip
    before = {k: os.environ.get(k) for k in wanted}
    os.environ.update(wanted)
    reload_settings()
    outbox.set_mailer(None)  # the next mail reads the settings
    yield drop
    for key, value in before.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    reload_settings()
    outbox.set_mailer(None)
    controller.stop()


@pytest.fixture
def empty_database(tmp_path, request) -> str:
    """A URL to a database holding nothing but the schema, made by ``jixiao db upgrade``."""
    if ON_POSTGRES:
        url = request.getfixturevalue("database_url")  # this worker's database, emptied
    else:
        url = f"sqlite:///{tmp_path / 'year.db'}"
    Jixiao(url)("db", "upgrade")
    return url


@pytest.fixture
def year(empty_database, mail_server, tmp_path) -> Year:
    """``jixiao deploy bpmn/`` and ``jixiao users import people.csv`` on the empty database."""
    jixiao = Jixiao(empty_database)
    deployed = jixiao("deploy", str(BPMN), "--note", "首次部署")
    assert "deployed project_lifecycle v1" in deployed
    people = tmp_path / "people.csv"
    people.write_text(people_csv(), encoding="utf-8")
    printed = jixiao("users", "import", str(people))
    assert f"imported {len(PEOPLE)} user(s), 2 new unit(s), 2 office(s), 5 expert(s)" in printed
    one_time = dict(line.split("\t") for line in printed.splitlines() if "\t" in line)
    assert set(one_time) == {p["username"] for p in PEOPLE}
    return Year(jixiao, empty_database, mail_server, one_time)


@pytest.fixture
def app_on(tmp_path):
    """``app_on(url)`` → the Flask app on that database (closed at the end of the test)."""
    made = []

    def _app(url: str):
        app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "journey-secret",
                "JIXIAO_DATABASE_URL": url,
                "JIXIAO_ATTACHMENTS_DIR": str(tmp_path / "attachments"),
                "JIXIAO_TRANSLATIONS_DIR": str(tmp_path / "translations"),
            }
        )
        made.append(app)
        return app

    yield _app
    for app in made:
        app.extensions["jixiao_db"].dispose()


@pytest.fixture
def people(year, app_on):
    """``people("zj.tian")`` → that person's program on ``/api/v1`` (their first call sets their
    own password, as a one-time password gets no token)."""
    from tests.journeys.caller import Caller

    app = app_on(year.url)
    signed_in: dict = {}

    def person(username: str):
        if username not in signed_in:
            signed_in[username] = Caller(app, username, year.one_time[username])
        return signed_in[username]

    person.app = app
    return person


@pytest.fixture
def serve(app_on):
    """``serve(url)`` → the base URL of the app on that database, on 127.0.0.1 in a thread."""
    running = []

    def _serve(url: str) -> str:
        server = make_server("127.0.0.1", 0, app_on(url), threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        running.append((server, thread))
        return f"http://127.0.0.1:{server.server_port}"

    yield _serve
    for server, thread in running:
        server.shutdown()
        thread.join(timeout=5)


@pytest.fixture
def shots(tmp_path, request):
    """Where a test's screenshots go: its tmp dir, copied to /tmp/journey-shots/<test> at the end."""
    folder = tmp_path / "shots"
    folder.mkdir()
    yield folder
    target = SHOTS / request.node.name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(folder, target)
