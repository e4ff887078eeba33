"""The commands the console report prints at 80 columns fit the width and paste: run by real shells (bash and
dash, see :mod:`shell_check`), each printed command passes exactly the arguments of the finding's remediation
command, which ``test_remediation_commands`` checks against botocore's model.

Checked on every rule fixture's findings, the demo, and a moto-built VPC with many subnets in six AZs.
"""

from __future__ import annotations

import io
import json
import re
import shlex

import boto3
import pytest
from moto import mock_aws

from shell_check import SHELLS, shell_argv
from test_remediation_commands import FIXTURE_REPORTS, check_remediation, extract_commands
from vpclint.collect.scheduler import collect
from vpclint.demo import demo_snapshot_text
from vpclint.emitters import ScanResult
from vpclint.emitters.command_layout import CONTINUE, VALUE_INDENT, shell_words
from vpclint.emitters.console import CONTINUATION, FIX_INDENT, ConsoleEmitter
from vpclint.engine import evaluate
from vpclint.findings import Report
from vpclint.rules import load_rules
from vpclint.snapshot_files import parse

WIDTH = 80
LONGEST_FITTING = WIDTH - FIX_INDENT - CONTINUATION - len(CONTINUE) - len(VALUE_INDENT)
"""A token this long or shorter always fits on a line of its own; only a longer one may overflow the width."""
COMMAND_START = re.compile(r" {%d}(?:[a-z_]+=\$\()?aws " % FIX_INDENT)


def console_report(report: Report, monkeypatch: pytest.MonkeyPatch) -> str:
    """``report`` as the console prints it at :data:`WIDTH` columns, without colour."""
    monkeypatch.setenv("COLUMNS", str(WIDTH))
    out = io.StringIO()
    ConsoleEmitter().emit(ScanResult(report=report, rules=load_rules(), color="never"), out)
    return out.getvalue()


def printed_commands(text: str) -> list[str]:
    """Each command in a console report: its first line and the continuation lines indented under it."""
    commands: list[list[str]] = []
    for line in text.splitlines():
        if COMMAND_START.match(line):
            commands.append([line])
        elif commands and line.startswith(" " * (FIX_INDENT + CONTINUATION)) and commands[-1]:
            commands[-1].append(line)
        elif commands and commands[-1]:
            commands.append([])
    return ["\n".join(lines) for lines in commands if lines]


def _value(word: str) -> object:
    """A word as the AWS CLI reads it: a JSON document by its value (its whitespace is not part of it)."""
    if word[:1] in ("[", "{"):
        try:
            return json.loads(word)
        except ValueError:
            pass
    return word


def remediation_argv(remediation: str) -> list[list[str]]:
    """The arguments of each command of a remediation, with the variables earlier commands set read as ``ID``."""
    return [[("ID" if re.fullmatch(r"\$[a-z_]+", w) else w) for w in shlex.split(command)[1:]]
            for command, _ in extract_commands(remediation)]


def assert_report_fits_and_pastes(report: Report, monkeypatch: pytest.MonkeyPatch) -> str:
    """The console report of ``report`` at 80 columns: lines fit (or hold one token too long for any line), and
    its commands, run by each shell, pass the remediations' arguments. Returns the report text."""
    text = console_report(report, monkeypatch)
    for line in text.splitlines():
        if len(line) > WIDTH:
            token = line.strip().removesuffix(CONTINUE)
            assert len(shell_words(token)) == 1 and len(token) > LONGEST_FITTING, line
    expected = [argv for finding in report.findings for argv in remediation_argv(finding.remediation)]
    script = "\n".join(printed_commands(text))
    for shell in SHELLS:
        got = shell_argv(shell, script)
        assert [[_value(w) for w in argv] for argv in got] == [[_value(w) for w in argv] for argv in expected], shell
    for finding in report.findings:
        assert not check_remediation(finding.remediation)[1], finding.remediation
    return text


@pytest.mark.parametrize("label,report", FIXTURE_REPORTS, ids=[label for label, _ in FIXTURE_REPORTS])
def test_every_fixture_finding_prints_commands_that_fit_and_paste(label: str, report: Report, monkeypatch) -> None:
    assert_report_fits_and_pastes(report, monkeypatch)


def test_the_demo_report_fits_80_columns_and_its_commands_paste(monkeypatch) -> None:
    report = evaluate(parse(demo_snapshot_text(), "demo"), load_rules())
    text = assert_report_fits_and_pastes(report, monkeypatch)
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    assert "--ip-permissions '[{\"IpProtocol\": \"tcp\"" in text  # the JSON value, laid out inside its quotes
    assert "          --dhcp-configurations \\\n            Key=domain-name-servers,Values=AmazonProvidedDNS \\\n" in text


def _change_batch_report() -> Report:
    """A fixture report whose finding's fix is a Route 53 change batch."""
    return next(r for label, r in FIXTURE_REPORTS if label.startswith("private-zone-record-missing")
                and any("--change-batch" in f.remediation for f in r.findings))


def test_the_printed_change_batch_is_laid_out_inside_its_quotes(monkeypatch) -> None:
    report = _change_batch_report()
    text = console_report(report, monkeypatch)
    lines = text[text.index("--change-batch '"):].splitlines()
    assert lines[0] == "--change-batch '{\"Changes\": [{\"Action\": \"UPSERT\","  # no backslash: inside the quotes
    assert lines[1].startswith("            \"ResourceRecordSet\": ") and lines[4].endswith("}}}]}'")
    assert all(len(line) <= WIDTH for line in text.splitlines())


def test_only_a_token_longer_than_any_line_overflows_it(monkeypatch) -> None:
    """A real interface endpoint's DNS name (here 74 characters) can't be broken: it alone overflows 80 columns."""
    report = _change_batch_report()
    name = "vpce-0a1b2c3d4e5f67890-abcd1234.dkr.ecr.ap-southeast-2.vpce.amazonaws.com."
    findings = [f.model_copy(update={"remediation": f.remediation.replace("vpce-dkr-x.dkr.ecr.us-east-1.vpce.amazonaws.com.", name)})
                for f in report.findings]
    assert all(name in f.remediation for f in findings if "--change-batch" in f.remediation)
    text = assert_report_fits_and_pastes(report.model_copy(update={"findings": findings}), monkeypatch)
    assert {line.strip() for line in text.splitlines() if len(line) > WIDTH} == {f'"{name}",'}


def _many_subnets(session: boto3.Session) -> None:
    """A VPC named at length with two isolated workload subnets in each of us-east-1's six AZs, custom DNS servers,
    and one ecr.api endpoint (in one AZ) whose security group admits nothing."""
    ec2 = session.client("ec2", region_name="us-east-1")
    name = [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "payments-platform-production-eks-workloads-" * 2}]}]
    vpc = ec2.create_vpc(CidrBlock="10.20.0.0/16", TagSpecifications=name)["Vpc"]["VpcId"]
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": True})
    options = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.20.0.53", "10.20.1.53"]}])
    ec2.associate_dhcp_options(DhcpOptionsId=options["DhcpOptions"]["DhcpOptionsId"], VpcId=vpc)
    image = ec2.describe_images()["Images"][0]["ImageId"]
    subnets = []
    for index in range(12):
        zone = f"us-east-1{'abcdef'[index % 6]}"
        subnets.append(ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.20.{100 + index}.0/24", AvailabilityZone=zone)["Subnet"]["SubnetId"])
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnets[-1])
    group = ec2.create_security_group(GroupName="endpoints", Description="endpoints", VpcId=vpc)["GroupId"]
    ec2.create_vpc_endpoint(VpcId=vpc, VpcEndpointType="Interface", ServiceName="com.amazonaws.us-east-1.ecr.api",
                            SubnetIds=subnets[:1], SecurityGroupIds=[group], PrivateDnsEnabled=True)


def test_a_vpc_with_many_subnets_prints_commands_that_fit_and_paste(aws_env, monkeypatch) -> None:
    with mock_aws():
        session = boto3.Session(region_name="us-east-1")
        _many_subnets(session)
        snapshot = collect(session, ["us-east-1"], "123456789012", "aws", max_workers=1)
    report = evaluate(snapshot, load_rules())
    rules = {f.rule_id for f in report.findings}
    assert {"ecr-dkr-endpoint-missing", "endpoint-https-ingress-missing", "interface-endpoint-az-gap", "vpc-custom-dns-servers"} <= rules
    text = assert_report_fits_and_pastes(report, monkeypatch)
    assert max(len(line) for line in text.splitlines()) <= WIDTH
    # The long Name tag wraps under its VPC id: the verdict and what breaks keep their columns.
    assert len(re.findall(r"^vpc-[0-9a-f]{17} +broken +subnet-[0-9a-f]{17}", text, re.M)) == 2
    assert "\npayments-platform-production-eks-" in text
    subnet_ids = next(c for c in printed_commands(text) if "--subnet-ids" in c)
    assert len(re.findall(r"subnet-[0-9a-f]{17}", subnet_ids)) == 6 and "\n            subnet-" in subnet_ids
    ingress = next(c for c in printed_commands(text) if "authorize-security-group-ingress" in c and "--group-id sg-" in c)
    assert len(re.findall(r'"CidrIp": "10\.20\.', ingress)) == 12 and len(ingress.splitlines()) >= 6
