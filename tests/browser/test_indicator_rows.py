"""The targets form's indicator table in Chromium (issue 10): 添加一行 adds rows on the page, as many
as needed, with no save between; the 三级指标 column is wide enough to read a phrase at 1440 and
390 px; the 二级指标 choice follows the chosen 一级指标 (产出: 数量/质量/时效/成本; 效益:
经济/社会/生态/可持续影响; 满意度: 服务对象满意度) as the server's check pairs them."""

# ruff: noqa: F811 - the fixtures below are imported from the bound-row tests and named as arguments

from __future__ import annotations

import pytest

from tests import factories
from tests.server.conftest import PASSWORD, db_of  # noqa: F401 - a fixture (the app's database)
from tests.server.test_bound_rows_pages import YEAR, actor, deployed, open_task  # noqa: F401
from workflows.store import HumanTask

pytestmark = [pytest.mark.browser, pytest.mark.slow]

OUTPUT = ["数量指标", "质量指标", "时效指标", "成本指标"]


@pytest.fixture
def targets_task(deployed):
    """张三's project on bpmn/, its 绩效目标 to set."""
    with deployed.unit_of_work() as uow:
        factories.project(
            uow,
            "WZ2027-101",
            actor=actor(deployed, "zhang.san"),
            fiscal_year=YEAR,
            is_new=False,
            amount="362.00",
        )
        uow.commit()
    return open_task(deployed, "tg_set")


def login(page, base, username):
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/inbox")


def offered(page, select: str) -> list[str]:
    return page.eval_on_selector_all(
        f"{select} option:not([hidden])", "os => os.filter(o => o.value).map(o => o.textContent)"
    )


@pytest.mark.parametrize(("width", "height"), [(1440, 900), (390, 844)])
def test_rows_are_added_on_the_page_and_level2_follows_level1(
    page, live_server, deployed, targets_task, tmp_path, width, height
):
    base = live_server
    page.set_viewport_size({"width": width, "height": height})
    login(page, base, "zhang.san")
    page.goto(f"{base}/tasks/{targets_task.id}")
    table = page.locator('table[data-table="indicators"] tbody tr')
    assert table.count() == 2  # one to fill, one left blank

    # 二级 follows 一级, on the first row and on a row added later
    assert len(offered(page, "#indicators-0-level2")) == 9  # nothing chosen yet: every option
    page.select_option("#indicators-0-level1", label="产出指标")
    assert offered(page, "#indicators-0-level2") == OUTPUT
    page.select_option("#indicators-0-level2", label="数量指标")
    page.select_option("#indicators-0-level1", label="满意度指标")  # 数量指标 no longer pairs
    assert page.input_value("#indicators-0-level2") == ""
    assert offered(page, "#indicators-0-level2") == ["服务对象满意度指标"]
    page.select_option("#indicators-0-level1", label="产出指标")
    page.select_option("#indicators-0-level2", label="数量指标")

    # three rows more, one click each, nothing saved in between
    for _ in range(3):
        page.click("button.add-row[data-table=indicators]")
    assert table.count() == 5
    assert page.locator("#indicators-4-name").is_visible()
    rows = [
        ("产出指标", "数量指标", "改造农户生活污水处理设施户数", "1200", 40),
        ("产出指标", "质量指标", "设施验收合格率", "100", 20),
        ("效益指标", "生态效益指标", "农村生活污水治理率提高百分点", "15", 30),
        ("满意度指标", "服务对象满意度指标", "受益农户满意度", "90", 10),
    ]
    for i, (level1, level2, name, target, weight) in enumerate(rows):
        if i:
            page.select_option(f"#indicators-{i}-level1", label=level1)
            assert level2 in offered(page, f"#indicators-{i}-level2")
            page.select_option(f"#indicators-{i}-level2", label=level2)
        page.fill(f"#indicators-{i}-name", name)
        page.select_option(f"#indicators-{i}-direction", label="≥")
        page.fill(f"#indicators-{i}-target_value", target)
        page.fill(f"#indicators-{i}-weight", str(weight))
    assert page.locator('table[data-table="indicators"] tbody tr:nth-child(4) td.row-no').inner_text() == "4"

    # the 三级指标 reads as a phrase: at least 12 characters wide on a desk and on a phone
    box = page.locator("#indicators-0-name").bounding_box()
    assert box["width"] >= 12 * 15, box
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    page.locator('[data-field="indicators"]').screenshot(path=tmp_path / f"indicators-{width}.png")

    # saved as a draft in one go: the four typed rows come back, the blank one is dropped
    page.click("button[name=action][value=draft]")
    page.wait_for_selector(".flash")
    with deployed.reading() as session:
        draft = session.get(HumanTask, targets_task.id).draft
    assert [(r["level1"], r["level2"], r["name"]) for r in draft["indicators"]] == [r[:3] for r in rows]
    assert page.input_value("#indicators-3-name") == "受益农户满意度"
