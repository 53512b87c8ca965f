"""``jixiao designer``: export, import, deploy with a note, migrate, from the shell."""

from __future__ import annotations

from click.testing import CliRunner

from workflows import commands
from workflows.cli import main


def test_export_import_deploy_and_migrate_from_the_shell(db, deploy, database_url, tmp_path, submitter):
    deploy("approval")
    started = commands.start(db, "approval", actor=submitter, business_key="P-1")
    runner = CliRunner()
    url = ["--database-url", database_url]
    bundle = tmp_path / "bundle.zip"
    assert runner.invoke(main, [*url, "designer", "export", str(bundle)]).exit_code == 0

    import io
    import zipfile

    files = {n: zipfile.ZipFile(bundle).read(n).decode() for n in zipfile.ZipFile(bundle).namelist()}
    files["approval.bpmn"] = files["approval.bpmn"].replace("填报 Submit", "填报材料 Submit")
    edited = io.BytesIO()
    with zipfile.ZipFile(edited, "w") as z:
        for name, text in files.items():
            z.writestr(name, text)
    (tmp_path / "edited.zip").write_bytes(edited.getvalue())
    result = runner.invoke(main, [*url, "designer", "import", str(tmp_path / "edited.zip")])
    assert result.exit_code == 0 and "0 lint error(s)" in result.output

    assert runner.invoke(main, [*url, "designer", "deploy"]).exit_code != 0  # the note is required
    result = runner.invoke(main, [*url, "designer", "deploy", "--note", "填报步骤改名"])
    assert "deployed approval v2" in result.output

    preview = runner.invoke(main, [*url, "designer", "migrate", "approval", "--dry-run"])
    assert f"instance {started.instance_id} → v2: ok" in preview.output
    moved = runner.invoke(main, [*url, "designer", "migrate", "approval"])
    assert "moved 1, refused 0" in moved.output
