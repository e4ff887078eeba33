"""Hardening of what vpclint writes: data escaped for terminals and SARIF, atomic files (temporary files cleaned,
umask, symbolic links), full disks, SIGTERM, flow-log line limits and the ip-ranges source."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from vpclint import writer
from vpclint.cli import main
from vpclint.cost import ipranges
from vpclint.cost.flowlogs import MAX_LINE_BYTES, Attributor
from vpclint.cost.ipranges import PrefixSet, cached_ip_ranges
from vpclint.demo import demo_snapshot_text
from vpclint.errors import VpclintError
from vpclint.text import one_line, plain, sarif_markdown, sarif_text, terminal_safe

HOSTILE = "[/x][link=http://evil]click[/link]\x1b]8;;http://evil\x07osc\x1b]8;;\x07\x1b[2J\x9b31m[a](http://x)<b>`c`"
NAT_ENI = "eni-024f1e6a76e008ddf"


def _hostile_snapshot(tmp_path: Path) -> Path:
    data = json.loads(demo_snapshot_text())
    east = next(r for r in data["accounts"][0]["regions"] if r["region"] == "us-east-1")
    for vpc in east["vpcs"]:
        vpc["tags"]["Name"] = HOSTILE
    data["accounts"][0]["regions"][0]["errors"].append({"region": data["accounts"][0]["regions"][0]["region"], "api": "ec2:DescribeX",
                                         "code": "[/x]" + HOSTILE, "message": HOSTILE})
    path = tmp_path / "snap.json"
    path.write_text(json.dumps(data))
    return path


def _assert_clean(text: str) -> None:
    assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text


def test_text_helpers():
    assert plain("a\x1b[31mb\x1b]0;title\x07c\x00d\x9b31m") == "abcd"
    assert plain("\ud800x") == "\ufffdx"
    assert one_line("a\nb\r\tc") == "a b c"
    assert terminal_safe("[/x]") == "\\[/x]"
    assert sarif_text("[a](http://x)") == "\\[a\\](http://x)"
    assert sarif_markdown("[a](http://x) <b> `c`") == "\\[a\\]\\(http://x\\) \\<b\\> \\`c\\`"


def test_console_scan_escapes_error_codes_and_ids(tmp_path, capsys):
    code = main(["scan", "--snapshot", str(_hostile_snapshot(tmp_path))])
    out, err = capsys.readouterr()
    assert code == 3, err
    _assert_clean(out)
    assert "[/x]" in out and "DescribeX" in out


def test_cost_table_shows_name_tags_as_text(tmp_path, capsys):
    code = main(["cost", "--snapshot", str(_hostile_snapshot(tmp_path))])
    out, err = capsys.readouterr()
    assert code == 3, err
    _assert_clean(out)
    assert "([/x][link=http://evil]click" in out  # shown as text, not a link


def test_json_keeps_the_data_and_sarif_escapes_it(tmp_path, capsys):
    snap = _hostile_snapshot(tmp_path)
    assert main(["scan", "--snapshot", str(snap), "--format", "json", "-o", str(tmp_path / "f.json")]) == 3
    assert HOSTILE in json.loads((tmp_path / "f.json").read_text())["errors"][0]["message"]
    assert main(["scan", "--snapshot", str(snap), "--format", "sarif", "-o", str(tmp_path / "f.sarif")]) == 3
    run = json.loads((tmp_path / "f.sarif").read_text())["runs"][0]
    for note in run["invocations"][0]["toolExecutionNotifications"]:
        text = note["message"]["text"]
        _assert_clean(text)
        assert "[" not in text.replace("\\[", "")  # every bracket escaped: no embedded link


def test_sarif_rule_markdown_escapes_custom_rule_text(tmp_path):
    import yaml

    from vpclint.emitters.sarif import rule_descriptor
    from vpclint.rules import parse_rule_file
    base = yaml.safe_load((Path(__file__).resolve().parents[1] / "rules" / "ecr-dkr-endpoint-missing.yaml").read_text())
    rule = parse_rule_file(yaml.safe_dump(base | {"title": "[t](http://x) <img>", "remediation": "run ```evil```"}), "r.yaml")
    help_ = rule_descriptor(rule).help
    assert "\\[t\\]\\(http://x\\) \\<img\\>" in help_.markdown
    assert "````sh\nrun ```evil```\n````" in help_.markdown


def test_error_lines_stay_one_line(capsys, tmp_path):
    path = tmp_path / "bad\nname\x1b[2J.json"
    assert main(["scan", "--snapshot", str(path)]) == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "\x1b" not in err


# --- files -------------------------------------------------------------------------------------------------------


def test_output_respects_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        writer.write_atomic(tmp_path / "out.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "out.json").stat().st_mode & 0o777 == 0o644


def test_stale_temporary_files_of_dead_processes_are_removed(tmp_path):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".out.json.vpclint-{dead.pid}.tmp"
    alive = tmp_path / f".out.json.vpclint-{os.getppid()}.tmp"
    stale.write_text("x")
    alive.write_text("x")
    writer.write_atomic(tmp_path / "out.json", "{}")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["out.json", alive.name])


def test_sigterm_removes_the_temporary_file(tmp_path):
    """A process killed with SIGTERM while writing leaves no temporary file behind."""
    script = (
        "import sys, time\n"
        "from vpclint import writer\n"
        "def slow_replace(src, dst):\n"
        "    print('writing', flush=True); time.sleep(30)\n"
        "writer.os.replace = slow_replace\n"
        "from vpclint.cli import main\n"
        f"sys.exit(main(['scan', '--demo', '-o', {str(tmp_path / 'out.txt')!r}]))\n"
    )
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert process.stdout.readline().strip() == "writing"
    process.send_signal(signal.SIGTERM)
    _, err = process.communicate(timeout=20)
    assert process.returncode == 128 + signal.SIGTERM
    assert err.strip() == "vpclint: terminated"
    assert list(tmp_path.iterdir()) == []


def test_a_symbolic_link_output_is_refused(tmp_path, capsys):
    link = tmp_path / "out.json"
    link.symlink_to(os.devnull)
    assert main(["scan", "--demo", "-o", str(link)]) == 2
    err = capsys.readouterr().err
    assert "is a symbolic link" in err and len(err.strip().splitlines()) == 1
    assert link.is_symlink()


def test_device_names_in_dev_are_written_in_place(capsys):
    writer.write_atomic(Path("/dev/stdout"), "")
    assert Path("/dev/stdout").is_symlink() or Path("/dev/stdout").exists()


def test_full_disk_is_exit_2_with_one_line(tmp_path):
    for args in (["scan", "--demo"], ["scan", "--demo", "-o", "/dev/full"], ["cost", "--demo", "--format", "json"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run([sys.executable, "-m", "vpclint", *args], stdout=full, stderr=subprocess.PIPE,
                                    text=True, timeout=60)
        assert result.returncode == 2, result.stderr
        assert len(result.stderr.strip().splitlines()) == 1 and "No space left on device" in result.stderr


# --- flow logs and ip ranges -------------------------------------------------------------------------------------


def test_a_line_without_newline_is_one_malformed_record_in_constant_time(tmp_path):
    path = tmp_path / "f.log"
    header = b"version account-id interface-id srcaddr dstaddr srcport dstport protocol packets bytes start end action log-status\n"
    good = f"2 1 {NAT_ENI} 10.0.0.1 52.216.0.1 1 443 6 1 100 1 2 ACCEPT OK\n".encode()
    path.write_bytes(header + good + b"x" * 20_000_000 + b"\n" + good + b"y" * (MAX_LINE_BYTES * 3))
    attributor = Attributor({NAT_ENI: PrefixSet(["52.216.0.0/15"])})
    start = time.monotonic()
    attributor.feed(path)
    assert time.monotonic() - start < 2
    assert attributor.totals[NAT_ENI] == [200, 0]
    assert attributor.stats.malformed == 2 and attributor.stats.records == 4
    assert attributor.stats.malformed_examples[0].startswith(f"{path}:3: xxx")
    first = tmp_path / "g.log"
    first.write_bytes(b"z" * (MAX_LINE_BYTES * 2) + b"\n" + good.replace(b"100", b"-5") + good)
    attributor.feed(first)
    assert attributor.stats.malformed == 4 and attributor.totals[NAT_ENI] == [300, 0]


def test_ip_ranges_url_must_be_https(cli_env, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("VPCLINT_IP_RANGES_URL", "file:///etc/passwd")
    logs = tmp_path / "f.log"
    logs.write_text("")
    assert main(["cost", "--demo", "--flow-logs", str(logs)]) == 2
    err = capsys.readouterr().err
    assert "VPCLINT_IP_RANGES_URL" in err and "https://" in err and len(err.strip().splitlines()) == 1


def test_a_stale_cache_is_used_with_a_warning_of_its_age(tmp_path, capsys, monkeypatch):
    cache = tmp_path / ipranges.CACHE_NAME
    cache.write_text(json.dumps({"syncToken": "1", "createDate": "x", "prefixes": []}))
    old = time.time() - 3 * 86400
    os.utime(cache, (old, old))

    def refuse(*args, **kwargs):
        raise OSError("network down")
    monkeypatch.setattr(ipranges.urllib.request, "urlopen", refuse)
    assert cached_ip_ranges("https://example.invalid/ip.json", cache_dir=tmp_path).syncToken == "1"
    err = capsys.readouterr().err
    assert "warning" in err and "3.0 days old" in err and "network down" in err


@pytest.fixture
def cli_env(no_aws):
    return no_aws


def test_vpclint_error_is_still_the_one_error_type():
    assert issubclass(VpclintError, Exception)
