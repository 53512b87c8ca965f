"""The third-party pool's pages and API (DOMAIN R-TP-1..3, R-EV-4): the performance office admits,
engages, blacklists; bad input comes back beside its field; a firm sees its own page only."""

from __future__ import annotations

import re

from workflows import commands
from workflows.commands import third_party as tp
from workflows.store import ThirdPartyEngagement

from .conftest import project_id

FIRM = {
    "name": "江西华信资产评估有限公司",
    "credit_code": "91360900MA35ABCD1X",
    "contact": "黄经理 0795-8881234",
}


def admitted(web) -> tuple:
    office = web("zhou.perf")
    response = office.post("/third-party", data=FIRM)
    assert response.status_code == 302, response.text
    return office, int(response.headers["Location"].rsplit("/", 1)[1])


def test_R_TP_1_office_admits_an_institution_and_sees_it_listed(web):
    office, institution_id = admitted(web)
    page = office.get("/third-party")
    assert FIRM["name"] in page.text and "在库" in page.text
    assert office.get(f"/third-party/{institution_id}").status_code == 200


def test_admission_with_a_bad_credit_code_is_a_field_error(web):
    office = web("zhou.perf")
    response = office.post("/third-party", data={**FIRM, "credit_code": "12345"})
    assert response.status_code == 400
    assert 'data-field="credit_code"' in response.text and "18位" in response.text
    assert (
        FIRM["name"] not in office.get("/third-party").text.split('id="institutions"')[1].split("</table>")[0]
    )


def test_R_EV_4_engagement_form_records_the_procurement(web, db_of):
    office, institution_id = admitted(web)
    url = f"/third-party/{institution_id}/engagements"
    bad = office.post(
        url,
        data={
            "project_code": "WZ2026-001",
            "procurement_method": "公开招标",
            "contract_number": "",
            "fee": "0",
        },
    )
    assert bad.status_code == 400
    assert 'class="field-error" data-field="contract_number"' in bad.text
    assert 'class="field-error" data-field="fee"' in bad.text
    unknown = office.post(
        url,
        data={
            "project_code": "NO-SUCH",
            "procurement_method": "公开招标",
            "contract_number": "WZCG-1",
            "fee": "20",
        },
    )
    assert unknown.status_code == 400 and 'data-field="project_code"' in unknown.text
    good = office.post(
        url,
        data={
            "project_code": "WZ2026-001",
            "procurement_method": "公开招标",
            "contract_number": "WZCG-2026-018",
            "fee": "31.5",
        },
    )
    assert good.status_code == 302
    page = office.get(f"/third-party/{institution_id}")
    assert "WZCG-2026-018" in page.text and "城市污水处理厂提标改造" in page.text
    with db_of.reading() as session:
        (row,) = session.query(ThirdPartyEngagement).all()
        assert row.project_id == project_id(db_of, "WZ2026-001")


def test_R_TP_2_blacklisted_institution_cannot_be_engaged(web, api):
    office, institution_id = admitted(web)
    assert office.post(f"/third-party/{institution_id}/blacklist", data={"reason": ""}).status_code == 400
    assert (
        office.post(
            f"/third-party/{institution_id}/blacklist", data={"reason": "出具虚假评价报告"}
        ).status_code
        == 302
    )
    page = office.get(f"/third-party/{institution_id}")
    assert "黑名单" in page.text and "出具虚假评价报告" in page.text
    assert 'id="engage"' not in page.text
    refused = api("zhou.perf").post(
        f"/api/v1/third-party/institutions/{institution_id}/engagements",
        json={
            "project_code": "WZ2026-001",
            "procurement_method": "公开招标",
            "contract_number": "X-1",
            "fee": 10,
        },
    )
    assert refused.status_code == 422
    assert "虚假评价报告" in refused.json["message"]


def test_a_firm_sees_its_own_page_only(web, db_of):
    office, institution_id = admitted(web)
    other = tp.admit(
        db_of,
        tp.NewInstitution("宜春求实项目管理有限公司", "91360900MA35IJKL3Z"),
        actor=commands.Actor.system(),
    )
    assert (
        office.post(f"/third-party/{institution_id}/members", data={"username": "zhang.san"}).status_code
        == 400
    )
    assert (
        office.post(f"/third-party/{institution_id}/members", data={"username": "tp.audit"}).status_code
        == 302
    )
    firm = web("tp.audit")
    landing = firm.get("/third-party")
    assert landing.status_code == 302 and landing.headers["Location"].endswith(
        f"/third-party/{institution_id}"
    )
    page = firm.get(f"/third-party/{institution_id}")
    assert page.status_code == 200 and 'id="blacklist"' not in page.text
    assert firm.get(f"/third-party/{other}").status_code == 404
    assert web("zhang.san").get("/third-party").status_code == 404


def test_the_api_admits_engages_and_reads_an_institution(api):
    office = api("zhou.perf")
    created = office.post("/api/v1/third-party/institutions", json={**FIRM, "admitted_on": "2025-03-01"})
    assert created.status_code == 201, created.text
    institution_id = created.json["id"]
    bad = office.post("/api/v1/third-party/institutions", json={**FIRM, "credit_code": "abc"})
    assert bad.status_code == 400 and "credit_code" in bad.json["fields"]
    engaged = office.post(
        f"/api/v1/third-party/institutions/{institution_id}/engagements",
        json={
            "project_code": "WZ2026-002",
            "procurement_method": "竞争性磋商",
            "contract_number": "WZCG-7",
            "fee": "12.80",
        },
    )
    assert engaged.status_code == 201, engaged.text
    assert engaged.json["engagements"][0]["fee"] == "12.80"
    assert office.get("/api/v1/third-party/institutions").json[0]["status"] == "在库"
    assert api("zhang.san").get("/api/v1/third-party/institutions").status_code == 403
    assert api("zhang.san").get(f"/api/v1/third-party/institutions/{institution_id}").status_code == 404


def test_R_TG_3_no_change_button_before_approval_and_a_refusal_is_an_error_banner(web, db_of):
    """Before the targets are approved the page does not offer 申请调整绩效目标 (the command would
    refuse it); a request posted anyway comes back as a red error banner, not a green one."""
    unit = web("zhang.san")
    pid = project_id(db_of, "WZ2026-002")
    assert 'id="request-target-change"' not in unit.get(f"/projects/{pid}").text
    response = unit.post(f"/projects/{pid}/target-change", follow_redirects=True)
    banner = re.search(
        r'<div class="flash[^"]*" role="(\w+)" data-flash="(\w+)">([^<]*)</div>', response.text
    )
    assert banner and banner.groups() == ("alert", "error", "该项目的绩效目标尚未批复，不能申请调整")
    assert 'data-flash="done"' not in response.text
    assert 'id="request-target-change"' not in web("li.si").get(f"/projects/{pid}").text
