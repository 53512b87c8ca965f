def test_login_then_inbox_lists_own_units_submission(web):
    page = web("zhang.san").get("/inbox?scope=claimable")
    assert page.status_code == 200
    assert "填报绩效目标" in page.text
