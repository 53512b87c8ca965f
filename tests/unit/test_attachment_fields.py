"""A form's file field (评估报告附件, ``"x-widget": "file"``) names a file uploaded to the instance."""

from __future__ import annotations

import json
from pathlib import Path

from workflows.commands import attachment_fields

FORM = json.loads((Path(__file__).resolve().parents[2] / "forms" / "ex_ante_report.json").read_text("utf-8"))
REPORT = "城区排水管网改造事前绩效评估报告.pdf"


def test_the_ex_ante_report_declares_its_attachment_a_file_field():
    assert attachment_fields.file_fields(FORM) == ["ea_report_attachment"]


def test_a_name_among_the_uploaded_files_passes():
    assert attachment_fields.unknown_files(FORM, {"ea_report_attachment": REPORT}, {REPORT, "照片.jpg"}) == {}


def test_a_typed_name_no_file_was_uploaded_under_is_refused_beside_the_field():
    unknown = attachment_fields.unknown_files(FORM, {"ea_report_attachment": "随便写的.pdf"}, {REPORT})
    assert unknown == {"ea_report_attachment": ["请选择已上传的附件"]}


def test_with_nothing_uploaded_any_name_is_refused():
    assert list(attachment_fields.unknown_files(FORM, {"ea_report_attachment": REPORT}, set())) == [
        "ea_report_attachment"
    ]


def test_an_empty_field_is_left_to_the_forms_required():
    assert attachment_fields.unknown_files(FORM, {"ea_report_attachment": ""}, set()) == {}


def test_a_form_without_file_fields_checks_nothing():
    plain = {"properties": {"ea_report_attachment": {"type": "string"}}}
    assert attachment_fields.unknown_files(plain, {"ea_report_attachment": "x.pdf"}, set()) == {}


def test_the_uploaded_file_is_chosen_in_the_empty_file_field():
    chosen = attachment_fields.chosen_after_upload(FORM, {"ea_risks": "雨季"}, REPORT)
    assert chosen == {"ea_risks": "雨季", "ea_report_attachment": REPORT}


def test_a_chosen_file_is_not_replaced_by_a_later_upload():
    assert attachment_fields.chosen_after_upload(FORM, {"ea_report_attachment": REPORT}, "照片.jpg") is None
