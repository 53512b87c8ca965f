"""The demo's pages read as their reader would have them (walk of session 14): an English page names
grades and a project column in English; a unit's clerk is offered their own unit to filter
by, not every unit of the county; a decided amount reads 80.00 as it does everywhere else."""

from __future__ import annotations

import re

from sqlalchemy import select

from workflows.store import BudgetUnit, HumanTask, Project, TargetVersion

CJK = re.compile(r"[\u4e00-\u9fff]")


def _unit_options(html: str) -> list[str]:
    select_ = re.search(r'<select name="unit"[^>]*>(.*?)</select>', html, re.S).group(1)
    return [
        re.sub(r"\s+", " ", o).strip()
        for o in re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', select_)
    ]


def _row(html: str, marker: str) -> str:
    start = html.index(marker)
    return html[html.rindex("<tr", 0, start) : html.index("</tr>", start)]


def test_a_units_clerk_filters_by_their_own_unit_and_the_office_by_every_unit(signed_in, demo_db):
    with demo_db.reading() as session:
        every = len(session.scalars(select(BudgetUnit.id)).all())
    assert every > 1
    clerk = signed_in("zhang.san")  # 万载县住房和城乡建设局's 单位填报人
    for page in ("/inbox?scope=completed", "/projects"):
        offered = _unit_options(clerk.get(page).text)
        assert len(offered) == 1 and "万载县住房和城乡建设局" in offered[0], (page, offered)
    office = signed_in("zhou.perf")  # the performance office works for the whole county
    assert len(_unit_options(office.get("/inbox").text)) == every
    assert len(_unit_options(office.get("/projects").text)) == every


def test_an_english_project_list_names_its_grades_in_english(signed_in, demo_db):
    with demo_db.reading() as session:
        graded = session.execute(select(Project.code, Project.grade).where(Project.grade.is_not(None))).all()
    assert {grade for _code, grade in graded} >= {"良", "差"}
    office = signed_in("zhou.perf")
    chinese = office.get("/projects?year=2025").text
    office.get("/lang/en")
    english = office.get("/projects?year=2025").text
    words = {"优": "Excellent", "良": "Good", "中": "Fair", "差": "Poor"}
    for code, grade in graded:
        if code in chinese:
            assert f">{grade}</td>" in _row(chinese, code)
            row = _row(english, code)
            assert f">{words[grade]}</td>" in row and f">{grade}<" not in row, row


def test_an_english_inbox_names_its_project_column_in_english(signed_in):
    office = signed_in("zhou.perf")
    office.get("/lang/en")
    english = office.get("/inbox?scope=completed").text
    headers = re.findall(r"<th[^>]*>([^<]*)</th>", english.split("<thead>")[1].split("</thead>")[0])
    assert "Project" in headers and "Projects" not in headers, headers
    assert ">Projects</a>" in english  # the menu still leads to the list of them


def _a_finished(demo_db, spec: str):
    """A finished task of the demo's (its id, and who completed it)."""
    with demo_db.reading() as session:
        done = session.execute(
            select(HumanTask.id, HumanTask.completed_by).where(
                HumanTask.task_spec == spec, HumanTask.status == "completed"
            )
        ).first()
    assert done is not None, f"the demo has no finished {spec}"
    return done


def test_a_decided_amount_reads_with_two_decimals(signed_in, demo_db):
    done = _a_finished(demo_db, "ea_write")
    page = signed_in(done.completed_by).get(f"/tasks/{done.id}").text
    field = re.search(r'<input[^>]*id="ea_requested_amount_wan"[^>]*>', page).group(0)
    assert "disabled" in field
    assert re.search(r'value="[\d,]+\.\d\d"', field), field


def _offered(html: str, name: str) -> list[str]:
    found = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S)
    return [
        re.sub(r"\s+", " ", o).strip()
        for o in re.findall(r'<option value="\d+"[^>]*>(.*?)</option>', found.group(1))
    ]


def test_a_finance_reviewer_filters_by_their_own_office_and_its_units(signed_in):
    """li.si reviews 经济建设科's units only: the project list and the dashboard offer that office
    and those units, as the figures beside them count."""
    reviewer = signed_in("li.si")
    for page in ("/projects", "/dashboard"):
        html = reviewer.get(page).text
        assert _offered(html, "office") == ["经济建设科"], page
        assert len(_offered(html, "unit")) == 1, (page, _offered(html, "unit"))
    assert len(_offered(signed_in("zhou.perf").get("/dashboard").text, "office")) == 4


def test_an_english_review_names_its_computed_grade_in_english(signed_in, demo_db):
    done = _a_finished(demo_db, "ev_finance_review")
    reader = signed_in(done.completed_by)
    chinese = reader.get(f"/tasks/{done.id}").text
    grade = re.search(r'<output id="ev_sheet_grade"[^>]*>([^<]*)</output>', chinese)
    assert grade and grade.group(1) in {"优", "良", "中", "差"}, "the finished review shows its grade"
    reader.get("/lang/en")
    english = reader.get(f"/tasks/{done.id}").text
    shown = re.search(r'<output id="ev_sheet_grade"[^>]*>([^<]*)</output>', english).group(1)
    assert shown == {"优": "Excellent", "良": "Good", "中": "Fair", "差": "Poor"}[grade.group(1)]


def test_english_project_and_assessment_pages_name_categories_months_and_ranges_in_english(
    signed_in, demo_db
):
    with demo_db.reading() as session:
        project_id = session.scalar(select(TargetVersion.project_id).order_by(TargetVersion.id).limit(1))
    office = signed_in("zhou.perf")
    office.get("/lang/en")
    versions = (
        office.get(f"/projects/{project_id}").text.split('id="target-versions"')[1].split("</section>")[0]
    )
    assert "Output indicators" in versions and "产出指标" not in versions
    cycles = office.get("/assessment").text
    assert re.search(r"<td>(July|December) 20\d\d</td>", cycles) and not re.search(r"20\d\d年\d+月", cycles)
    audit = office.get("/audit").text
    assert re.search(r"<label>To <input name=\"date_to\"", audit), (
        "the audit log's range ends with To, not Due"
    )


def test_an_english_project_page_writes_english_punctuation(signed_in, demo_db):
    """30%（255.00 (10k CNY)） read as Chinese punctuation around English words: an English page
    puts 30% (255.00 (10k CNY)), a Chinese one keeps its full-width brackets."""
    with demo_db.reading() as session:
        project_id = session.scalar(select(Project.id).where(Project.budget_cut_ratio > 0).limit(1))
    office = signed_in("zhou.perf")
    cut = re.search(r'<dd id="budget-cut">(.*?)</dd>', office.get(f"/projects/{project_id}").text).group(1)
    assert "（" in cut and "）" in cut
    office.get("/lang/en")
    english = office.get(f"/projects/{project_id}").text
    cut = re.search(r'<dd id="budget-cut">(.*?)</dd>', english).group(1)
    assert re.fullmatch(r"\d+(\.\d+)?% \([\d,.]+ \(10k CNY\)\)", cut), cut


def test_an_english_project_page_names_its_rulings_in_english(signed_in, demo_db):
    """流程判定 on an English page: the tables' labels and worded outputs in English (等级 中 →
    Grade Fair; 可报送上级 → May be reported upward)."""
    with demo_db.reading() as session:
        project_id = session.scalar(select(Project.id).where(Project.grade.is_not(None)).order_by(Project.id))
    office = signed_in("zhou.perf")
    office.get("/lang/en")
    rulings = office.get(f"/projects/{project_id}").text.split('id="decisions"')[1].split("</section>")[0]
    said = re.sub(r"<[^>]+>", " ", rulings)
    bold = re.findall(r"<b>([^<]*)</b>", rulings)
    assert bold and not [b for b in bold if CJK.search(b)], bold
    labels = re.findall(r"(?:</strong>|；|; )\s*([^<]+?) <b>", rulings)
    assert labels and not [label for label in labels if CJK.search(label)], labels
    assert "May be reported upward" in said


def test_an_english_project_page_names_a_spot_checks_verdict_and_a_rulings_inputs_in_english(
    signed_in, demo_db
):
    """真实性核查 不实 → False; a ruling's input (最终评价等级（封顶后） 差) → Final grade (after the cap) Poor."""
    from workflows.store import SpotCheck

    with demo_db.reading() as session:
        project_id = session.scalar(select(SpotCheck.project_id).where(SpotCheck.verdict == "不实").limit(1))
    assert project_id is not None, "the demo has a spot check that found a false self-evaluation"
    office = signed_in("zhou.perf")
    office.get("/lang/en")
    page = office.get(f"/projects/{project_id}").text
    verdict = re.search(r'<p data-verdict="不实">(.*?)</p>', page, re.S).group(1)
    assert "False" in verdict and "不实" not in verdict, verdict
    given = re.findall(r"Given: (.*?)</small>", page, re.S)
    assert given and not [g for g in given if re.search(r" [优良中差](;|$)", g)], given
