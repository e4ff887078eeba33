"""Every shortcut of the path model on random worlds: the fixture base's VPC with random network ACLs (one per
subnet), security-group rules and extra routes gives the same subnet paths with every shortcut turned off."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_shortcuts import without_shortcuts

from vpclint.path.index import build_index
from vpclint.path.verdicts import subnet_path
from vpclint.snapshot import Snapshot

BASE = yaml.safe_load((Path(__file__).resolve().parents[1] / "rule_fixtures" / "base.yaml").read_text())
REGION = BASE["regions"][0]
SUBNETS = [s["subnet_id"] for s in REGION["subnets"]]
CIDRS = ["0.0.0.0/0", "10.0.0.0/8", "10.0.0.0/16", "52.216.0.0/15", "3.5.0.0/19"] + [s["cidr_block"] for s in REGION["subnets"]] \
    + [f"{a}/32" for i in REGION["network_interfaces"] for a in i.get("private_ips", [])][:4]
PORTS = [{}, {"port_range": {"from_port": 443, "to_port": 443}}, {"port_range": {"from_port": 1024, "to_port": 65535}},
         {"port_range": {"from_port": 0, "to_port": 1000}}]

acl_entry = st.builds(
    lambda number, egress, protocol, action, cidr, ports: {
        "rule_number": number, "egress": egress, "protocol": protocol, "rule_action": action, "cidr_block": cidr,
        **({"from_port": ports["port_range"]["from_port"], "to_port": ports["port_range"]["to_port"]} if ports else {}),
    },
    st.integers(1, 300), st.booleans(), st.sampled_from(["-1", "6", "17"]), st.sampled_from(["allow", "allow", "deny"]),
    st.sampled_from(CIDRS), st.sampled_from(PORTS),
)
group_rule = st.one_of(
    st.builds(lambda cidr, tcp: {"protocol": "tcp" if tcp else "-1", **({"from_port": 443, "to_port": 443} if tcp else {}),
                                 "cidr_ipv4": cidr}, st.sampled_from(CIDRS), st.booleans()),
    st.builds(lambda group: {"protocol": "-1", "referenced_group_id": group}, st.sampled_from(["sg-endpoints", "sg-workloads"])),
)
extra_route = st.builds(
    lambda cidr, target: {"destination_cidr_block": cidr, **target},
    st.sampled_from(CIDRS[1:]),
    st.sampled_from([{"target_type": "nat_gateway", "target_id": "nat-x"}, {"target_type": "transit_gateway", "target_id": "tgw-1"},
                     {"target_type": "local", "target_id": "local"}, {"target_type": "network_interface", "target_id": "eni-fw", "state": "blackhole"}]),
)


@st.composite
def worlds(draw: st.DrawFn) -> dict:
    data = copy.deepcopy(BASE)
    region = data["regions"][0]
    region["network_acls"] = [
        {"network_acl_id": f"acl-{n}", "vpc_id": "vpc-app", "subnet_ids": [subnet_id],
         "entries": draw(st.lists(acl_entry, max_size=4)) if draw(st.booleans()) else copy.deepcopy(REGION["network_acls"][0]["entries"])}
        for n, subnet_id in enumerate(SUBNETS)
    ]
    for group in region["security_groups"]:
        for direction in ("ingress", "egress"):
            if draw(st.booleans()):
                group[direction] = draw(st.lists(group_rule, max_size=3))
    for table in region["route_tables"]:
        table["routes"] += draw(st.lists(extra_route, max_size=2))
    return data


def _paths(data: dict) -> dict:
    snapshot = Snapshot.model_validate(data)
    region = snapshot.regions[0]
    index = build_index(snapshot, region)
    return {s.subnet_id: subnet_path(index, s) for s in region.subnets}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(worlds())
def test_random_worlds_give_the_same_paths_without_shortcuts(monkeypatch: pytest.MonkeyPatch, data: dict):
    fast = _paths(data)
    with monkeypatch.context() as patched:
        without_shortcuts(patched)
        exact = _paths(data)
    assert fast == exact
