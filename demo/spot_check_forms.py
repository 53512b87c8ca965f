"""Form data for the authenticity spot check (R-EV-7), realistic Chinese content; used by the
demo and the tests as :mod:`demo.form_data` is for the review paths."""

from __future__ import annotations


def evidence(indicators: list[dict]) -> dict:
    """The unit's evidence for each core indicator the spot check asks about."""
    rows = indicators or [{"indicator": "改厕户数", "target_value": "≥1200户", "claimed_value": "1260户"}]
    return {
        "sc_indicators": [
            {**row, "evidence": f"{row['indicator']}：验收单、影像资料及资金支付凭证已上传，可现场复核。"}
            for row in rows
        ],
        "sc_unit_statement": "自评数据来源于项目验收资料，如实填报。",
    }


def findings(rows: list[dict], false_at: int | None = None, recovery: float | None = None) -> dict:
    """The checker's finding per core indicator: 不实 at index ``false_at``, 属实 elsewhere."""
    checked = []
    for index, row in enumerate(rows):
        false = index == false_at
        checked.append(
            {
                **row,
                "finding": "不实" if false else "属实",
                "note": "现场核查实际完成数与自评不符，佐证材料不能支撑" if false else "与佐证材料一致",
            }
        )
    data = {
        "sc_indicators": checked,
        "sc_check_comment": "自评核心指标存在不实，一票否决。"
        if false_at is not None
        else "核心指标自评属实。",
    }
    if recovery is not None:
        data["sc_recovery_amount"] = recovery
    return data
