"""Verdicts (vpclint/path/verdicts.py): the worst flow decides a subnet's, the worst subnet a VPC's, and one line
says why. Cases patch the compliant base of the rule fixtures (see test_flows.py)."""

from __future__ import annotations

from test_flows import base, find, paths, region_of

from vpclint.path.verdicts import SubnetPath, vpc_summary, vpc_verdict, worst


def test_the_worst_verdict_is_broken_then_unknown_then_nat_then_private():
    assert worst(["private", "nat", "unknown", "broken"]) == "broken"
    assert worst(["private", "unknown", "nat"]) == "unknown"
    assert worst(["private", "nat", "private"]) == "nat"
    assert worst(["private", "private"]) == "private"
    assert worst([]) == "private"


def test_the_summary_names_the_first_blocked_flow_of_a_broken_vpc():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["state"] = "pendingAcceptance"
    subnets = [p for p in paths(data).values() if p.workload]
    verdict = vpc_verdict(subnets, skipped=False)
    assert verdict == "broken"
    assert vpc_summary(verdict, subnets) == "subnet-priv-a registry_api: vpce-api is in state pendingAcceptance, not available"


def test_the_summary_names_the_first_unknown_flow_of_an_unknown_vpc():
    data = base()
    find(data, "dhcp_options", "dhcp_options_id", "dopt-amazon")["domain_name_servers"] = ["10.0.0.53"]
    subnets = [p for p in paths(data).values() if p.workload]
    assert vpc_verdict(subnets, skipped=False) == "unknown"
    summary = vpc_summary("unknown", subnets)
    assert summary.startswith("subnet-priv-a registry_api: ") and "custom DNS servers 10.0.0.53" in summary


def test_the_summary_names_the_first_flow_that_pays_or_leaves_the_vpc():
    data = base()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["service"] != "ecr.dkr"]
    subnets = [p for p in paths(data).values() if p.workload and p.subnet_id != "subnet-iso-b"]
    assert vpc_verdict(subnets, skipped=False) == "nat"
    assert vpc_summary("nat", subnets) == "subnet-priv-a registry: the public service endpoint through NAT gateway nat-a"
    routed = base()
    find(routed, "route_tables", "route_table_id", "rtb-priv-a")["routes"].append(
        {"destination_cidr_block": "52.216.0.0/16", "target_type": "transit_gateway", "target_id": "tgw-1", "state": "active"}
    )
    subnets = [p for p in paths(routed).values() if p.workload]
    assert [s.verdict for s in subnets] == ["nat", "private", "private"]
    assert vpc_summary("nat", subnets).startswith("subnet-priv-a layers: ")


def test_the_summary_of_a_private_vpc_and_of_one_out_of_scope():
    subnets = [p for p in paths(base()).values() if p.workload]
    assert vpc_summary("private", subnets) == "every flow of every workload subnet stays private"
    assert vpc_summary("not_in_scope", subnets) == "no workload subnet"


def test_a_vpc_without_workload_subnets_or_skipped_is_not_in_scope():
    result = paths(base())
    assert vpc_verdict([result["subnet-pub-a"]], skipped=False) == "not_in_scope"
    assert vpc_verdict([], skipped=False) == "not_in_scope"
    assert vpc_verdict(list(result.values()), skipped=True) == "not_in_scope"
    unjudged = SubnetPath("subnet-x", "vpc-app", "us-east-1a", "nat", workload=True)
    assert vpc_verdict([unjudged], skipped=False) == "not_in_scope"


def test_a_workload_subnet_as_json_data():
    data = base()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["state"] = "pendingAcceptance"
    subnet = paths(data)["subnet-priv-a"]
    as_json = subnet.to_dict()
    assert {k: v for k, v in as_json.items() if k != "flows"} == {
        "subnet_id": "subnet-priv-a", "availability_zone": "us-east-1a", "kind": "nat", "verdict": "broken",
        "workloads": ["ecs_task"],
    }
    assert list(as_json["flows"]) == ["registry_api", "registry", "layers"]
    assert as_json["flows"]["registry_api"] == {
        "flow": "registry_api", "service": "ecr.api", "path": "blocked", "via": "vpce-api",
        "link": {"kind": "endpoint-state", "resource_id": "vpce-api",
                 "detail": "vpce-api is in state pendingAcceptance, not available"},
        "reason": "vpce-api is in state pendingAcceptance, not available", "notes": [], "diverted": [],
    }
    assert subnet.to_dict(flows={"shared": True})["flows"] == {"shared": True}


def test_a_public_subnet_with_workloads_is_not_judged_and_lists_its_workloads():
    data = base()
    region_of(data)["network_interfaces"].append(
        {"network_interface_id": "eni-web", "subnet_id": "subnet-pub-a", "vpc_id": "vpc-app", "interface_type": "interface",
         "attachment_instance_id": "i-web", "group_ids": ["sg-workloads"]}
    )
    public = paths(data)["subnet-pub-a"]
    assert (public.kind, public.workload, public.workloads, public.verdict, public.flows) == (
        "public", False, ("ec2_instance",), None, {}
    )
