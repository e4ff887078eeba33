"""The composite action and the README's workflow run as written: actions pinned by commit, upload-sarif v4 and
conditional, vpclint pinned, forks guarded."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHA = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _readme_workflow() -> dict:
    """The README's workflow: the YAML block that defines ``jobs``."""
    blocks = re.findall(r"```yaml\n(.*?)```", (ROOT / "README.md").read_text(), re.S)
    workflows = [yaml.safe_load(block) for block in blocks if block.startswith("name:") and "\njobs:" in block]
    assert len(workflows) == 1
    return workflows[0]


def _action() -> dict:
    return yaml.safe_load((ROOT / "action.yml").read_text())


def _uses(steps: list[dict]) -> list[str]:
    return [step["uses"] for step in steps if "uses" in step]


def test_every_action_is_pinned_to_a_commit():
    workflow_steps = [step for job in _readme_workflow()["jobs"].values() for step in job["steps"]]
    for uses in _uses(workflow_steps) + _uses(_action()["runs"]["steps"]):
        assert SHA.match(uses), f"{uses} is not pinned to a 40-hex commit"


def test_both_pin_the_same_commit_of_an_action_and_name_its_tag():
    texts = (ROOT / "README.md").read_text() + (ROOT / "action.yml").read_text()
    pins: dict[str, set[str]] = {}
    for action, sha, tag in re.findall(r"uses: ([\w./-]+)@([0-9a-f]{40})\s+# (v[\d.]+)", texts):
        pins.setdefault(action.split("/upload-sarif")[0], set()).add((sha, tag))
    assert all(len(found) == 1 for found in pins.values()), pins
    assert {"actions/checkout", "aws-actions/configure-aws-credentials", "actions/setup-python", "github/codeql-action"} <= set(pins)


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
