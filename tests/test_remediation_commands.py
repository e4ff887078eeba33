"""Every ``aws ec2`` command a remediation prints is one the AWS CLI accepts: checked with shlex and botocore's
service model (the operation and each option exist, lists are space-separated, JSON values are ones the model
accepts, ids are ids, no placeholders)."""

from __future__ import annotations

import json
import re
import shlex
from functools import lru_cache

import botocore.session
import pytest
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.validate import ParamValidator
from botocore import xform_name

from test_rule_fixtures import BASE, CASES, apply_patch
from vpclint.cli import main
from vpclint.engine import evaluate
from vpclint.findings import Report
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot

GLOBAL_OPTIONS = {"--region", "--query", "--output", "--profile"}
"""The AWS CLI's own options that take one value."""
ID_PREFIXES = {
    "VpcId": "vpc", "SubnetIds": "subnet", "AddSubnetIds": "subnet", "RouteTableId": "rtb", "RouteTableIds": "rtb",
    "AddRouteTableIds": "rtb", "VpcEndpointId": "vpce", "VpcEndpointIds": "vpce", "GroupId": "sg",
    "SecurityGroupIds": "sg", "AddSecurityGroupIds": "sg", "NetworkAclId": "acl", "DhcpOptionsId": "dopt", "DestinationPrefixListId": "pl",
    "TransitGatewayId": "tgw", "TransitGatewayRouteTableId": "tgw-rtb", "TransitGatewayAttachmentId": "tgw-attach",
    "VpcPeeringConnectionId": "pcx", "HostedZoneId": "Z", "PrefixListId": "pl",
}
"""The resource type each id-valued input member names (an unknown ``*Id``/``*Ids`` member fails the test)."""
ASSIGNMENT = re.compile(r"^([a-z_]+)=\$\((aws .*)\)$")
"""``name=$(aws ...)``: a command whose output (a new resource's id) later commands use as ``"$name"``."""


SERVICES = ("ec2", "route53")
"""The AWS CLI services remediations may call."""


@lru_cache(maxsize=None)
def service_model(service: str = "ec2") -> ServiceModel:
    """botocore's service model of ``service``."""
    return botocore.session.get_session().get_service_model(service)


@lru_cache(maxsize=None)
def cli_operations(service: str = "ec2") -> dict[str, str]:
    """AWS CLI command name (``create-vpc-endpoint``) -> operation name (``CreateVpcEndpoint``)."""
    return {xform_name(name, "-"): name for name in service_model(service).operation_names}


def extract_commands(remediation: str) -> list[tuple[str, str | None]]:
    """``(command, variable it assigns or None)`` for each line that is a command; a command that does not start
    its own line is an error."""
    commands: list[tuple[str, str | None]] = []
    for line in remediation.splitlines():
        line = line.strip()
        assignment = ASSIGNMENT.match(line)
        if assignment:
            commands.append((assignment.group(2), assignment.group(1)))
        elif line.startswith("aws "):
            commands.append((line, None))
        else:
            assert "aws ec2" not in line, f"a command must start its own line: {line!r}"
    return commands


def _check_values(option: str, member: str, shape: Shape, values: list[str], variables: set[str]) -> list[str]:
    """Problems with the values given to one option."""
    problems = []
    kind = shape.type_name
    if kind == "boolean":
        return [f"{option} takes no value, got {values}"] if values else []
    if kind in ("list", "structure") and len(values) == 1 and values[0][:1] in ("[", "{"):
        return _json_problems(option, member, shape, values[0], variables)
    if kind == "list":
        if not values:
            problems.append(f"{option} needs at least one value")
        if len(set(values)) != len(values):
            problems.append(f"{option} repeats a value: {values}")
    elif len(values) != 1:
        problems.append(f"{option} takes one value, got {values}")
    for value in values:
        if _is_placeholder(value) or value.endswith(","):
            problems.append(f"{option}: {value!r} is a placeholder or not a space-separated value")
        cidrs = re.findall(r"CidrIp=([^},]+)", value)
        if len(set(cidrs)) != len(cidrs):
            problems.append(f"{option}: {value!r} repeats a CIDR")
        problems += _id_problems(option, member, value, variables)
    return problems


def _is_placeholder(value: str) -> bool:
    return bool(re.search(r"<[^>]*>|, |…", value)) or value in ("-", "")


def _id_problems(option: str, member: str, value: str, variables: set[str]) -> list[str]:
    """An id-valued member's value must be an id of its resource type (or a variable an earlier command set)."""
    if not member.endswith(("Id", "Ids")):
        return []
    prefix = ID_PREFIXES.get(member)
    if prefix is None:
        return [f"{option}: add the id prefix of {member} to ID_PREFIXES"]
    if value.startswith("$"):
        return [] if value[1:] in variables else [f"{option}: {value} is not assigned by an earlier command"]
    if prefix == "Z":  # a Route 53 hosted zone id: upper-case letters and digits
        return [] if re.fullmatch(r"Z[0-9A-Z]+", value) else [f"{option}: {value!r} is not a hosted zone id"]
    return [] if re.fullmatch(rf"{prefix}-[0-9a-z]+(-[0-9a-z]+)*", value) else [f"{option}: {value!r} is not a {prefix}- id"]


def _members(value: object) -> list[tuple[str, object]]:
    """Every ``(key, value)`` pair of the objects anywhere in a JSON value."""
    if isinstance(value, dict):
        return [pair for key, item in value.items() for pair in [(key, item), *_members(item)]]
    if isinstance(value, list):
        return [pair for item in value for pair in _members(item)]
    return []


def _json_problems(option: str, member: str, shape: Shape, text: str, variables: set[str]) -> list[str]:
    """A JSON value (the AWS CLI's JSON form of a list or structure) must be one that botocore's model accepts,
    with no placeholder, no repeated CIDR and real ids; a Route 53 change batch names DNS names."""
    try:
        value = json.loads(text)
    except ValueError as exc:
        return [f"{option}: not JSON: {exc}"]
    problems = []
    report = ParamValidator().validate(value, shape)
    if report.has_errors():
        problems.append(f"{option}: {report.generate_report()}")
    pairs = _members(value)
    problems += [f"{option}: {key} {item!r} is a placeholder" for key, item in pairs if isinstance(item, str) and _is_placeholder(item)]
    cidrs = [item for key, item in pairs if key == "CidrIp"]
    if len(set(cidrs)) != len(cidrs):
        problems.append(f"{option}: repeats a CIDR: {cidrs}")
    problems += [problem for key, item in pairs if isinstance(item, str) for problem in _id_problems(f"{option} {key}", key, item, variables)]
    if member == "ChangeBatch":
        problems += _dns_name_problems(option, value)
    return problems


def _dns_name_problems(option: str, batch: object) -> list[str]:
    """The record names and alias targets of a Route 53 change batch must be DNS names."""
    problems = []
    for change in (batch or {}).get("Changes", []) if isinstance(batch, dict) else []:
        record = change.get("ResourceRecordSet", {})
        for name in (record.get("Name"), record.get("AliasTarget", {}).get("DNSName")):
            if not name or not re.fullmatch(r"(\*\.)?[0-9a-z-]+(\.[0-9a-z-]+)*\.?", name):
                problems.append(f"{option}: {name!r} is not a DNS name")
    return problems


def check_command(command: str, variables: set[str]) -> list[str]:
    """Problems with one ``aws ec2 ...`` command (empty when the AWS CLI would accept its arguments)."""
    if re.search(r"<[^>]*>", command):
        return [f"a <placeholder> in: {command!r}"]
    words = shlex.split(command)
    if len(words) < 3 or words[0] != "aws" or words[1] not in SERVICES:
        return [f"not an 'aws ec2|route53 <operation>' command: {command!r}"]
    name = cli_operations(words[1]).get(words[2])
    if name is None:
        return [f"unknown operation {words[2]!r}"]
    operation: OperationModel = service_model(words[1]).operation_model(name)
    members = {xform_name(member, "-"): (member, shape) for member, shape in operation.input_shape.members.items()}
    problems, given = [], set()
    index = 3
    while index < len(words):
        option = words[index]
        values = []
        index += 1
        while index < len(words) and not words[index].startswith("--"):
            values.append(words[index])
            index += 1
        if not option.startswith("--"):
            problems.append(f"stray word {option!r}")
            continue
        if option in GLOBAL_OPTIONS:
            if len(values) != 1:
                problems.append(f"{option} takes one value, got {values}")
            continue
        key = option[2:]
        if key.startswith("no-") and key[3:] in members and members[key[3:]][1].type_name == "boolean":
            key = key[3:]
        if key not in members:
            problems.append(f"{words[2]} has no option {option}")
            continue
        if key in given:
            problems.append(f"--{key} given twice")
        given.add(key)
        member, shape = members[key]
        problems += _check_values(option, member, shape, values, variables)
    for member in operation.input_shape.required_members:
        if xform_name(member, "-") not in given:
            problems.append(f"{words[2]} needs --{xform_name(member, '-')}")
    if "--region" not in words:
        problems.append("give --region (the finding's region)")
    return problems


def check_remediation(remediation: str) -> tuple[list[str], list[str]]:
    """The commands of a remediation and the problems found in them."""
    variables: set[str] = set()
    commands, problems = [], []
    for command, assigns in extract_commands(remediation):
        commands.append(command)
        problems += [f"{problem} in: {command}" for problem in check_command(command, variables)]
        if assigns:
            variables.add(assigns)
    return commands, problems


def _fixture_reports() -> list[tuple[str, Report]]:
    """``(label, report)`` of every rule fixture case that fires."""
    out = []
    for rule_id, case in CASES:
        if case["expect"] == "fire":
            report = evaluate(Snapshot.model_validate(apply_patch(BASE, case)), load_rules(select=[rule_id]),
                              settings=case.get("settings"))
            out.append((f"{rule_id}: {case['name']}", report))
    return out


FIXTURE_REPORTS = _fixture_reports()
FIXTURE_REMEDIATIONS = [(f"{label}: {f.resource_id}", f.remediation) for label, report in FIXTURE_REPORTS for f in report.findings]
"""``(label, remediation)`` of every finding of every rule fixture case that fires."""


@pytest.mark.parametrize("label,remediation", FIXTURE_REMEDIATIONS, ids=[label for label, _ in FIXTURE_REMEDIATIONS])
def test_fixture_remediation_commands_are_valid(label: str, remediation: str) -> None:
    commands, problems = check_remediation(remediation)
    assert not problems, problems


def test_every_rule_prints_a_command() -> None:
    rules_with_commands = {label.split(":")[0] for label, text in FIXTURE_REMEDIATIONS if extract_commands(text)}
    assert rules_with_commands == {rule.id for rule in load_rules()}


def test_demo_remediation_commands_are_valid(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["scan", "--demo", "--format", "json"]) == 1
    findings = json.loads(capsys.readouterr().out)["findings"]
    assert findings
    for finding in findings:
        commands, problems = check_remediation(finding["remediation"])
        assert commands and not problems, (finding["rule_id"], problems)


INGRESS = "aws ec2 authorize-security-group-ingress --region r --group-id sg-a --ip-permissions"


@pytest.mark.parametrize("command,problem", [
    ("aws ec2 create-vpc-endpoint --region r --vpc-id vpc-a --service-name s --route-table-ids rtb-a, rtb-a", "rtb-a,"),
    ("aws ec2 create-vpc-endpoint --region r --vpc-id vpc-a --service-name s --route-table-ids rtb-a rtb-a", "repeats"),
    ("aws ec2 create-vpc-endpoint --region r --vpc-id vpc-a --service-name s --subnet-ids <one per AZ>", "placeholder"),
    ("aws ec2 create-vpc-endpoint --region r --vpc-id vpc-a --service-name s --security-group-ids $sg", "not assigned"),
    ("aws ec2 create-vpc-endpoint --region r --vpc-id vpc-a --service-name s --subnet-id subnet-a", "no option"),
    ("aws ec2 modify-vpc-endpoint --region r --private-dns-enabled", "needs --vpc-endpoint-id"),
    ("aws ec2 modify-vpc-endpoint --region r --vpc-endpoint-id vpce-a --vpc-endpoint-id vpce-b", "twice"),
    ("aws ec2 create-vpc-endpoints --region r", "unknown operation"),
    ("aws ec2 modify-vpc-endpoint --region r --vpc-endpoint-id vpce-a --private-dns-enabled true", "no value"),
    ("aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-a", "--region"),
    ("aws route53 change-resource-record-sets --region r --hosted-zone-id zone --change-batch '{}'", "hosted zone id"),
    ("aws route53 change-resource-record-sets --region r --hosted-zone-id Z1 --change-batch '{\"Changes\": [}'", "not JSON"),
    ("aws route53 change-resource-record-sets --region r --hosted-zone-id Z1 --change-batch '{\"Changes\":[]}'", "Invalid length"),
    ("aws route53 change-resource-record-sets --region r --hosted-zone-id Z1 --change-batch '{\"Changes\":[{\"Action\":"
     "\"UPSERT\",\"ResourceRecordSet\":{\"Name\":\"ENDPOINT NAME\",\"Type\":\"A\"}}]}'", "is not a DNS name"),
    ("aws s3 ls --region r", "not an 'aws ec2|route53"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"FromPort\":443,\"ToPort\":443,\"IpRanges\":[{{\"CidrIp\":\"10.0.1.0/24\"}},"
     "{\"CidrIp\":\"10.0.1.0/24\"}]}]'", "repeats a CIDR"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"FromPort\":\"443\",\"ToPort\":443}}]'", "Invalid type"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"Ports\":443}}]'", "Unknown parameter"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"IpRanges\":[{{\"CidrIp\":\"<workload CIDR>\"}}]}}]'", "placeholder"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"UserIdGroupPairs\":[{{\"GroupId\":\"workloads\"}}]}}]'", "not a sg- id"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\",\"PrefixListIds\":[{{\"PrefixListId\":\"$pl\"}}]}}]'", "not assigned"),
    (f"{INGRESS} '[{{\"IpProtocol\":\"tcp\"}},]'", "not JSON"),
])
def test_the_checker_rejects_broken_commands(command: str, problem: str) -> None:
    assert any(problem in p for p in check_command(command, set())), check_command(command, set())


def test_a_command_inside_prose_is_rejected() -> None:
    with pytest.raises(AssertionError, match="own line"):
        extract_commands("Run aws ec2 describe-vpcs --region r to see them")
