"""An English page speaks English (issue 10, item 1): the diagram's element names and the indicator
categories (一级/二级指标, stored in Chinese) come from the message catalogue at display time; the
stored file and values stay Chinese."""

from __future__ import annotations

import html
import re

from server import readable

from .test_history_steps import returned  # noqa: F401  (a project whose targets were returned)

CJK = re.compile(r"[\u4e00-\u9fff]")


def _names(xml: str) -> list[str]:
    return [html.unescape(n) for n in re.findall(r'\sname="([^"]*)"', xml)]


def test_the_diagram_names_its_steps_in_english_on_an_english_page(web, returned, db_of):  # noqa: F811
    from workflows.store import ProcessInstance

    with db_of.reading() as session:
        instance_id = session.query(ProcessInstance.id).filter_by(project_id=returned).scalar()
    office = web("zhou.perf")
    chinese = office.get(f"/instances/{instance_id}/diagram.json").json["xml"]
    assert any(CJK.search(n) for n in _names(chinese))
    office.get("/lang/en")
    english = office.get(f"/instances/{instance_id}/diagram.json").json["xml"]
    assert [n for n in _names(english) if CJK.search(n)] == []
    assert {"Setting targets", "Finance reviewing targets"} <= set(_names(english)), _names(english)
    assert len(_names(english)) == len(_names(chinese))  # the same elements, renamed


def test_indicator_categories_read_in_english_where_the_page_is_english(app):
    rows = [{"level1": "产出指标", "level2": "数量指标", "name": "清淤疏通管网长度", "direction": "定性"}]
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert readable.category_text("产出指标", "level1") == "Output indicators"
        assert readable.category_text("清淤疏通管网长度", "name") == "清淤疏通管网长度"  # its own name
        [table] = readable.readable_fields({"mn_indicator_progress": rows})
        assert table["rows"][0][:2] == ["Output indicators", "Quantity"]
    with app.test_request_context():  # a Chinese page: the stored value as it is
        assert readable.category_text("产出指标", "level1") == "产出指标"


def test_score_sheet_items_and_units_read_in_english_where_the_page_is_english(app):
    """A score sheet's standard items (forms' x-prefill rows: 决策 / 项目立项 / 立项依据充分性) and an
    indicator's usual unit are shown in the page's language; the stored values stay Chinese."""
    sheet = [{"level1": "决策", "level2": "项目立项", "name": "立项依据充分性", "max_points": 3, "score": 3}]
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert readable.category_text("决策", "level1") == "Decision"
        assert readable.category_text("项目立项", "level2") == "Project approval"
        assert readable.category_text("立项依据充分性", "name") == "Sufficient grounds for approval"
        assert readable.category_text("公里", "unit") == "km"
        assert readable.category_text("个", "unit") == "units"  # the unit, not 个 the count
        assert readable.category_text("立方米/秒", "unit") == "立方米/秒"  # not a usual unit: as typed
        [table] = readable.readable_fields({"ev_score_sheet": sheet})
        assert table["rows"][0][:3] == ["Decision", "Project approval", "Sufficient grounds for approval"]
    with app.test_request_context():  # a Chinese page: the stored values as they are
        assert readable.category_text("立项依据充分性", "name") == "立项依据充分性"
        assert readable.category_text("公里", "unit") == "公里"


def test_a_fields_fixed_error_reads_in_english_where_the_page_is_english(app):
    from server import formatting

    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        assert formatting.field_message("此项为必填项") == "Required"
        assert formatting.field_message("超过该项分值 3") == "超过该项分值 3"  # a figure in it: as written
    with app.test_request_context():
        assert formatting.field_message("此项为必填项") == "此项为必填项"


def test_labels_on_the_task_project_and_error_pages_read_without_chinese_punctuation_in_english(
    web,
    returned,  # noqa: F811
    db_of,
):
    """Issue 10/12, item 6: a translated label carries an English colon (Status: Open), the return
    banner its verdict in English, the funding line and the history no full-width ：；（）."""
    from lxml import html as lxml_html
    from sqlalchemy import select

    from workflows.store import HumanTask

    with db_of.reading() as session:
        task_id = session.scalar(
            select(HumanTask.id).where(
                HumanTask.project_id == returned, HumanTask.task_spec == "tg_set", HumanTask.status == "open"
            )
        )
    me = web("zhang.san")
    me.get("/lang/en")
    page = lxml_html.fromstring(me.get(f"/tasks/{task_id}").text)
    head = " ".join(page.xpath('//header[@class="task-head"]')[0].text_content().split())
    assert "Status: Open" in head and "No deadline" in head, head
    assert "Returned: Return for adjustment" in head and "Reason: " in head, head
    assert not re.search(r"[：；]", head), head
    history = " ".join(
        " ".join(v.text_content().split()) for v in page.xpath('//*[contains(@class, "verdict")]')
    )
    assert "Review decision: Return for adjustment" in history and "：" not in history, history
    project = lxml_html.fromstring(me.get(f"/projects/{returned}").text)
    funding = project.xpath('//*[@id="funding"]')[0].text_content()
    steps = " ".join(project.xpath('//*[@id="current-steps"]')[0].text_content().split())
    assert "；" not in funding and "Other funds" in funding, funding
    assert not CJK.search(steps.replace("张三（住建局填报）", "")), steps  # a person's name is data
    refused = me.get("/dashboard")
    assert refused.status_code == 403 and "You are not allowed to do this" in refused.text


def test_a_recorded_date_reads_as_every_other_date_on_the_page(app):
    """整改完成日期 as recorded (2026-12-01) reads 2026年12月1日 in the history, 1 Dec 2026 in English."""
    schema = {
        "properties": {"rect_completed_on": {"type": "string", "title": "整改完成日期", "format": "date"}}
    }
    with app.test_request_context():
        [field] = readable.readable_fields({"rect_completed_on": "2026-12-01"}, schema)
        assert field["value"] == "2026年12月1日"
        [typed] = readable.readable_fields({"rect_completed_on": "十二月初"}, schema)
        assert typed["value"] == "十二月初"  # not a date: as it was typed
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        [field] = readable.readable_fields({"rect_completed_on": "2026-12-01"}, schema)
        assert field["value"] == "1 Dec 2026"


def test_a_word_the_system_computed_reads_in_english_where_the_page_is_english(app):
    """按得分评定等级 (x-computed: 优/良/中/差) under 前序环节: the grade in the page's language."""
    schema = {
        "title": "财政评价复核",
        "properties": {"ev_sheet_grade": {"type": "string", "title": "按得分评定等级", "x-computed": "'中'"}},
    }
    with app.test_request_context():
        from flask import session

        session["lang"] = "en"
        [field] = readable.readable_fields({"ev_sheet_grade": "中"}, schema)
        assert (field["label"], field["value"]) == ("Grade by score", "Fair")
    with app.test_request_context():
        [field] = readable.readable_fields({"ev_sheet_grade": "中"}, schema)
        assert field["value"] == "中"
