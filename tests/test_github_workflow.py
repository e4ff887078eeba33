"""The composite action and the README's workflow run as written: actions pinned by commit, upload-sarif v4 and
conditional, vpclint pinned, forks guarded."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHA = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _readme_workflows() -> dict[str, dict]:
    """The README's workflows (the YAML blocks that define ``jobs``), by name."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    workflows = [yaml.safe_load(block) for block in blocks if block.startswith("name:") and "\njobs:" in block]
    assert sorted(w["name"] for w in workflows) == ["vpclint", "vpclint-organization"]
    return {w["name"]: w for w in workflows}


def _readme_workflow() -> dict:
    """The README's single-account workflow."""
    return _readme_workflows()["vpclint"]


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _uses(steps: list[dict]) -> list[str]:
    return [step["uses"] for step in steps if "uses" in step]


def test_every_action_is_pinned_to_a_commit():
    workflow_steps = [step for w in _readme_workflows().values() for job in w["jobs"].values() for step in job["steps"]]
    for uses in _uses(workflow_steps) + _uses(_action()["runs"]["steps"]):
        assert SHA.match(uses), f"{uses} is not pinned to a 40-hex commit"


def test_both_pin_the_same_commit_of_an_action_and_name_its_tag():
    texts = (ROOT / "README.md").read_text() + (ROOT / "action.yml").read_text()
    pins: dict[str, set[str]] = {}
    for action, sha, tag in re.findall(r"uses: ([\w./-]+)@([0-9a-f]{40})\s+# (v[\d.]+)", texts):
        pins.setdefault(action.split("/upload-sarif")[0], set()).add((sha, tag))
    assert all(len(found) == 1 for found in pins.values()), pins
    assert {"actions/checkout", "aws-actions/configure-aws-credentials", "actions/setup-python", "github/codeql-action",
            "actions/upload-artifact", "actions/download-artifact"} <= set(pins)


def test_upload_sarif_is_v4_and_conditional_on_the_sarif():
    job = next(iter(_readme_workflow()["jobs"].values()))
    upload = next(step for step in job["steps"] if "upload-sarif" in step.get("uses", ""))
    assert upload["if"] == "${{ !cancelled() && hashFiles('vpclint.sarif') != '' }}"
    assert "category" not in upload.get("with", {})  # the file's per-region ids decide
    action_steps = _action()["runs"]["steps"]
    action_upload = next(step for step in action_steps if "upload-sarif" in step.get("uses", ""))
    assert action_upload["if"] == "${{ !cancelled() && steps.scan.outputs.upload == 'true' }}"
    scan = next(step for step in action_steps if step.get("id") == "scan")
    assert '[ "$code" -eq 0 ] || [ "$code" -eq 1 ]' in scan["run"] and '[ -f "$SARIF" ]' in scan["run"]
    for text in ((ROOT / "README.md").read_text(), (ROOT / "action.yml").read_text()):
        tags = re.findall(r"upload-sarif@[0-9a-f]{40}\s+# (v\d+)", text)
        assert tags and all(tag == "v4" for tag in tags)


def test_vpclint_install_is_pinned_and_cached():
    job = next(iter(_readme_workflow()["jobs"].values()))
    installs = [step["run"] for step in job["steps"] if "pip install" in step.get("run", "")]
    assert installs == ["pip install vpclint==0.1.0"]
    setup = next(step for step in job["steps"] if "setup-python" in step.get("uses", ""))
    assert setup["with"]["cache"] == "pip"
    action = _action()
    assert re.fullmatch(r"\d+\.\d+\.\d+", action["inputs"]["version"]["default"])
    install = next(step for step in action["runs"]["steps"] if step.get("name") == "Install vpclint")
    assert '"vpclint==$VPCLINT_VERSION"' in install["run"]
    assert any("actions/cache@" in uses for uses in _uses(action["runs"]["steps"]))


def test_forks_are_skipped_and_the_summary_written():
    workflow = _readme_workflow()
    job = next(iter(workflow["jobs"].values()))
    assert "head.repo.full_name == github.repository" in job["if"]
    assert job["permissions"]["id-token"] == "write" and workflow["permissions"] == {"contents": "read"}
    scan = next(step for step in job["steps"] if "vpclint scan" in step.get("run", ""))
    assert '--summary "$GITHUB_STEP_SUMMARY"' in scan["run"]


def test_the_action_passes_the_exit_code_through():
    steps = _action()["runs"]["steps"]
    assert steps[-1]["run"] == 'exit "${CODE:-2}"' and steps[-1]["env"]["CODE"] == "${{ steps.scan.outputs.exit-code }}"
    scan = next(step for step in steps if step.get("id") == "scan")
    assert "--summary \"$GITHUB_STEP_SUMMARY\"" in scan["run"] and "set +e" in scan["run"]


def test_the_organization_workflow_collects_shards_merges_them_gates_and_uploads_each_sarif_file():
    workflow = _readme_workflows()["vpclint-organization"]
    jobs = workflow["jobs"]
    assert workflow["permissions"] == {"contents": "read"} and list(jobs) == ["collect", "scan", "upload"]
    collect, scan, upload = jobs["collect"], jobs["scan"], jobs["upload"]
    shards = collect["strategy"]["matrix"]["shard"]
    run = next(step["run"] for step in collect["steps"] if "vpclint collect" in step.get("run", ""))
    assert shards == list(range(1, len(shards) + 1)) and f'--shard "${{{{ matrix.shard }}}}/{len(shards)}"' in run
    assert "--org" in run and "--role-name vpclint-readonly" in run and '[ "$code" -eq 3 ]' in run
    stored = next(step for step in collect["steps"] if "upload-artifact" in step.get("uses", ""))
    assert stored["with"]["path"] == "shard-${{ matrix.shard }}.json" and stored["with"]["name"].startswith("vpclint-shard-")
    assert collect["permissions"]["id-token"] == "write" and "security-events" not in collect["permissions"]

    assert scan["needs"] == "collect" and "id-token" not in scan["permissions"]
    fetched = next(step for step in scan["steps"] if "download-artifact" in step.get("uses", ""))
    assert fetched["with"] == {"pattern": "vpclint-shard-*", "path": "shards", "merge-multiple": True}
    gate = next(step["run"] for step in scan["steps"] if "vpclint scan" in step.get("run", ""))
    assert "--snapshot shards" in gate and "--baseline vpclint-baseline.json" in gate and "--sarif-dir sarif" in gate

    assert upload["needs"] == "scan" and upload["permissions"]["security-events"] == "write"
    assert upload["strategy"]["matrix"]["file"] == "${{ fromJSON(needs.scan.outputs.sarif) }}"
    sent = next(step for step in upload["steps"] if "upload-sarif" in step.get("uses", ""))
    assert sent["with"] == {"sarif_file": "${{ matrix.file }}"}  # one file per upload; the runs' ids are the categories


def test_the_organization_workflow_lists_the_sarif_files_as_json(tmp_path):
    scan = _readme_workflows()["vpclint-organization"]["jobs"]["scan"]
    listing = next(step for step in scan["steps"] if step.get("id") == "sarif")["run"]
    output = tmp_path / "output"
    for files in ([], ["vpclint-2.sarif", "vpclint-1.sarif"]):
        (tmp_path / "sarif").mkdir(exist_ok=True)
        for name in files:
            (tmp_path / "sarif" / name).write_text("{}")
        output.write_text("")
        subprocess.run(["bash", "-c", listing], cwd=tmp_path, env={**os.environ, "GITHUB_OUTPUT": str(output)}, check=True)
        key, _, value = output.read_text().strip().partition("=")
        assert key == "files" and json.loads(value) == [f"sarif/{name}" for name in sorted(files)]
