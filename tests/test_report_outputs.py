"""What a scan leaves behind: files with the user's umask and named in the closing line, the quiet report, the
Markdown summary with its pull-path diagrams, the SARIF file of an incomplete scan, the progress display on stderr
and ``cost`` fitting the console width."""

from __future__ import annotations

import argparse
import io
import json
import os
import re
import sys

import pytest

from vpclint.cli import main
from vpclint.collect.scheduler import collect_account
from vpclint.commands.common import collect_live
from vpclint.demo import demo_snapshot_text
from vpclint.emitters import ScanResult
from vpclint.emitters.remedy import Block, split_remediation
from vpclint.emitters import sarif as sarif_module
from vpclint.emitters.summary import summary_lines
from vpclint.engine import evaluate
from vpclint.rules import load_rules
from vpclint.snapshot_files import parse


def _files_line(report: str) -> str:
    """The closing "Files written" line, joined again where the console wrapped it (at word boundaries)."""
    tail = report[report.rindex("Files written:"):]
    return " ".join(tail.split())


def _outputs(tmp_path) -> dict[str, str]:
    return {"json": str(tmp_path / "f.json"), "sarif": str(tmp_path / "f.sarif"), "summary": str(tmp_path / "s.md")}


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_every_output_file_gets_the_umask_and_is_named_at_the_end(tmp_path, monkeypatch, capsys, umask):
    monkeypatch.setenv("COLUMNS", "200")
    files = _outputs(tmp_path)
    old = os.umask(umask)
    try:
        code = main(["scan", "--demo", "--json", files["json"], "--sarif", files["sarif"], "--summary", files["summary"],
                     "-o", str(tmp_path / "report.txt")])
    finally:
        os.umask(old)
    assert code == 1
    for path in [*files.values(), str(tmp_path / "report.txt")]:
        assert os.stat(path).st_mode & 0o777 == 0o666 & ~umask, path
    assert not [p for p in os.listdir(tmp_path) if p.startswith(".")]  # no temporary file left
    last = _files_line((tmp_path / "report.txt").read_text())
    assert last == f"Files written: {files['json']}, {files['sarif']}, {files['summary']}, {tmp_path / 'report.txt'}"
    assert capsys.readouterr().out == ""


def test_quiet_prints_the_summary_only(monkeypatch, capsys):
    assert main(["scan", "--demo", "--format", "json"]) == 1
    total = json.loads(capsys.readouterr().out)["summary"]["total"]
    assert main(["scan", "--demo", "--quiet"]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "" and len(lines) == 4
    assert lines[1].startswith(f"{total} findings: ") and lines[3].endswith("not in scope")


def test_plurals_and_counts_of_the_summary():
    rules = load_rules(select=["ecr-dkr-endpoint-missing"])
    report = evaluate(parse(demo_snapshot_text(), "demo"), rules, vpc_ids=["vpc-1656829017e958567"])
    lines = summary_lines(ScanResult(report=report, rules=rules, written=("a.sarif",)))
    assert lines == [
        "1 finding: 1 high; 1 at or above --fail-on low",
        "1 rule evaluated, 0 not evaluated; 2 regions; scan complete",
        "0 VPCs private, 1 via NAT, 0 broken, 0 unknown, 0 not in scope",
        "Files written: a.sarif",
    ]


def test_markdown_has_the_verdicts_and_a_diagram_per_broken_or_nat_vpc(capsys):
    assert main(["scan", "--demo", "--format", "markdown"]) == 1  # the format changes nothing in the exit code
    text = capsys.readouterr().out
    assert "| us-east-1 | `vpc-88f31e9a47a594c80` | prod | ❌ broken |" in text
    diagrams = re.findall(r"```mermaid\n(.*?)```", text, re.S)
    titles = re.findall(r"### Pull path of `(vpc-\w+)`", text)
    assert titles == ["vpc-1656829017e958567", "vpc-88f31e9a47a594c80"] and len(diagrams) == 2  # batch (NAT), prod
    prod = diagrams[1]
    assert prod.startswith("flowchart LR\n") and ":::broken" in prod and "linkStyle " in prod
    assert "✗ endpoint-policy: vpce-835280818b286619a" in prod and "✗ route: rtb-9de70569fbbb6dfc9" in prod
    assert "NAT gateway nat-" in diagrams[0] and ":::broken" not in diagrams[0]
    assert "  ```sh\n  aws ec2 create-vpc-endpoint --region us-east-1 --vpc-id vpc-88f31e9a47a594c80" in text
    assert '  ```json\n  {\n    "Sid": "AllowEcrImageLayers",' in text
    assert text.rstrip().endswith("not in scope")


def test_mermaid_labels_cannot_break_out_of_their_quotes():
    from vpclint.emitters.mermaid import label

    assert label('a"b<script>|`#\nc') == "a#quot;b#lt;script#gt;#124;#96;#35;<br/>c"


def test_sarif_of_a_scan_that_read_no_region_in_full_is_not_written(tmp_path, monkeypatch, capsys):
    data = json.loads(demo_snapshot_text())
    for region in data["accounts"][0]["regions"]:
        region["errors"] = [{"region": region["region"], "api": "ec2:DescribeVpcEndpoints", "code": "AccessDenied", "message": "no"}]
        region["collected"] = [c for c in region["collected"] if c != "vpc_endpoints"]
    (tmp_path / "snap.json").write_text(json.dumps(data))
    files = _outputs(tmp_path)
    code = main(["scan", "--snapshot", str(tmp_path / "snap.json"), "--sarif", files["sarif"], "--json", files["json"]])
    assert code == 3
    captured = capsys.readouterr()
    assert not os.path.exists(files["sarif"]) and os.path.exists(files["json"])
    assert "--sarif not written: no region was read in full" in captured.err
    assert _files_line(captured.out) == f"Files written: {files['json']}"


def test_more_runs_than_github_accepts_in_one_file_is_an_error_and_sarif_dir_splits_them(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sarif_module, "GITHUB_MAX_RUNS", 1)
    assert main(["scan", "--demo", "--sarif", str(tmp_path / "one.sarif"), "--json", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("vpclint: error: SARIF: 2 runs") and "--sarif-dir DIR" in err and len(err.splitlines()) == 1
    assert not (tmp_path / "one.sarif").exists() and not (tmp_path / "r.json").exists()  # nothing half-written
    folder = tmp_path / "sarif"
    folder.mkdir()
    (folder / "vpclint-7.sarif").write_text("stale")
    (folder / "other.sarif").write_text("not ours")
    assert main(["scan", "--demo", "--sarif-dir", str(folder), "--quiet"]) == 1
    out = " ".join(capsys.readouterr().out.split())
    assert sorted(p.name for p in folder.iterdir()) == ["other.sarif", "vpclint-1.sarif", "vpclint-2.sarif"]
    ids = [json.loads((folder / f"vpclint-{n}.sarif").read_text())["runs"][0]["automationDetails"]["id"] for n in (1, 2)]
    assert ids == ["vpclint/123456789012/eu-west-1/", "vpclint/123456789012/us-east-1/"]
    assert f"Files written: {folder / 'vpclint-1.sarif'}, {folder / 'vpclint-2.sarif'}".replace(" ", "") in out.replace(" ", "")


def test_remediation_splits_into_prose_commands_and_policies():
    text = ('Add this: {"Effect": "Allow", "Action": "s3:GetObject"} then run: aws ec2 modify-vpc-endpoint '
            "--vpc-endpoint-id vpce-1 --policy-document file://p.json (the VPC needs DNS)\naws ec2 describe-vpcs --vpc-ids <a; b>")
    assert split_remediation(text) == [
        Block("text", "Add this:"),
        Block("json", '{\n  "Effect": "Allow",\n  "Action": "s3:GetObject"\n}'),
        Block("text", "then run:"),
        Block("command", "aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-1 --policy-document file://p.json"),
        Block("text", "(the VPC needs DNS)"),
        Block("command", "aws ec2 describe-vpcs --vpc-ids <a; b>"),
    ]


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_names_region_and_api_on_stderr_never_stdout(moto_server, monkeypatch):
    calls: list[tuple[str, str]] = []
    collect_account(None, ["us-east-1"], False, 1, on_call=lambda region, api: calls.append((region, api)))
    assert ("us-east-1", "ec2:DescribeVpcs") in calls and all(api.startswith(("ec2:", "sts:", "route53:", "route53resolver:", "route53profiles:")) for _, api in calls)

    out, err = io.StringIO(), _Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    args = argparse.Namespace(profile=None, region=["us-east-1"], all_regions=False, max_workers=1, no_progress=False)
    assert [r.region for r in collect_live(args).regions] == ["us-east-1"]
    assert out.getvalue() == "" and err.getvalue() != ""
    quiet = _Terminal()
    monkeypatch.setattr(sys, "stderr", quiet)
    collect_live(argparse.Namespace(**{**vars(args), "no_progress": True}))
    assert quiet.getvalue() == ""

    several = _Terminal()
    monkeypatch.setattr(sys, "stderr", several)
    snapshot = collect_live(argparse.Namespace(**{**vars(args), "accounts": ["123456789012", "111122223333"]}))
    assert [a.account_id for a in snapshot.accounts] == ["111122223333", "123456789012"] and out.getvalue() == ""
    assert "Accounts" in several.getvalue() and "Regions" in several.getvalue()


@pytest.mark.parametrize("columns", [80, 160])
def test_cost_fits_the_console_width(monkeypatch, capsys, columns):
    monkeypatch.setenv("COLUMNS", str(columns))
    assert main(["cost", "--demo"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert all(len(line) <= columns for line in lines), max(lines, key=len)
    assert ("Saves/month $1,894.35" in "\n".join(lines)) == (columns < 150)


@pytest.mark.parametrize(("color", "tty", "no_color", "coloured"), [
    ("auto", True, False, True), ("auto", True, True, False), ("auto", False, False, False),
    ("always", False, True, True), ("never", True, False, False),
])
def test_color_choice(monkeypatch, color, tty, no_color, coloured):
    from vpclint.emitters.console import make_console

    monkeypatch.delenv("FORCE_COLOR", raising=False)
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    console, buffer = make_console(_Terminal() if tty else io.StringIO(), color)
    console.print("x", style="red")
    assert ("\x1b[" in buffer.getvalue()) == coloured
