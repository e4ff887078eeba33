"""Cross-region endpoints: another region's ECR or S3 endpoint serves only that region; next to this region's
own endpoint it is informational, and a finding only where it stands in for a missing local one."""

from __future__ import annotations

from test_flows import base, paths, region_of

from vpclint.engine import evaluate
from vpclint.path.crossregion import local_equivalents
from vpclint.rules import load_rules
from vpclint.snapshot import Snapshot, VpcEndpoint

WEST_DKR = {
    "vpc_endpoint_id": "vpce-dkr-west", "vpc_id": "vpc-app", "vpc_endpoint_type": "Interface",
    "service_name": "com.amazonaws.us-west-2.ecr.dkr", "service_region": "us-west-2", "service": "ecr.dkr",
    "state": "available", "private_dns_enabled": True, "subnet_ids": ["subnet-priv-a"], "group_ids": ["sg-endpoints"],
}


def endpoint(endpoint_id: str, service: str, region: str, kind: str) -> VpcEndpoint:
    return VpcEndpoint(vpc_endpoint_id=endpoint_id, vpc_id="vpc-app", vpc_endpoint_type=kind, service=service,
                       service_region=region, service_name=f"com.amazonaws.{region}.{service}")


def test_local_equivalents_are_this_regions_endpoints_of_the_type_a_pull_uses():
    west_dkr = endpoint("vpce-w", "ecr.dkr", "us-west-2", "Interface")
    west_s3 = endpoint("vpce-ws3", "s3", "us-west-2", "Interface")
    local = [endpoint("vpce-b", "ecr.dkr", "us-east-1", "Interface"), endpoint("vpce-a", "ecr.dkr", "us-east-1", "Interface"),
             endpoint("vpce-s3i", "s3", "us-east-1", "Interface"), endpoint("vpce-s3g", "s3", "us-east-1", "Gateway"),
             endpoint("vpce-api", "ecr.api", "us-east-1", "Interface")]
    everything = [west_dkr, west_s3, *local]
    assert local_equivalents(west_dkr, everything, "us-east-1") == ["vpce-a", "vpce-b"]
    assert local_equivalents(west_s3, everything, "us-east-1") == ["vpce-s3g"]  # an S3 interface endpoint serves no layers
    assert local_equivalents(local[0], everything, "us-east-1") == []  # a local endpoint has no "equivalent"
    assert local_equivalents(endpoint("vpce-l", "logs", "us-west-2", "Interface"), everything, "us-east-1") == []
    assert local_equivalents(west_dkr, [west_dkr], "us-east-1") == []


def test_an_extra_cross_region_endpoint_leaves_the_pull_private_and_raises_only_an_info_finding():
    data = base()
    region_of(data)["vpc_endpoints"].append(dict(WEST_DKR))
    assert {p.verdict for p in paths(data).values() if p.workload} == {"private"}
    report = evaluate(Snapshot.model_validate(data), load_rules())
    assert [(f.rule_id, f.severity, f.resource_id) for f in report.findings] == [
        ("endpoint-serves-other-region", "info", "vpce-dkr-west")
    ]


def test_a_cross_region_endpoint_standing_in_for_the_local_one_is_high_and_says_it_serves_the_other_region():
    data = base()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] != "vpce-dkr"]
    region["vpc_endpoints"].append(dict(WEST_DKR))
    result = paths(data)["subnet-priv-a"].flows["registry"]
    assert (result.path, result.via) == ("nat", "nat-a")  # the local registry flow: no us-east-1 endpoint
    findings = {f.rule_id: f for f in evaluate(Snapshot.model_validate(data), load_rules()).findings}
    assert {"ecr-dkr-endpoint-missing", "endpoint-region-mismatch"} <= findings.keys()
    assert "endpoint-serves-other-region" not in findings
    mismatch = findings["endpoint-region-mismatch"]
    assert (mismatch.severity, mismatch.resource_id) == ("high", "vpce-dkr-west")
    assert "does not serve us-east-1's registry" in mismatch.message
