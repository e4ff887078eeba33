"""The NAT estimate of a spoke whose ECR names resolve to a hub's endpoints: it needs no ECR interface endpoints of
its own, so the estimate adds none (the cost facts read the view's ``dns_answers``, as the flows do)."""

from __future__ import annotations

import json

from hubworld import find, hub_and_spoke, region_of
from vpclint.cli import main
from vpclint.snapshot import Snapshot
from vpclint.view import build_view

GB = 10**9


def spoke_with_nat() -> dict:
    """The hub and spoke, the spoke's subnets also routing 0.0.0.0/0 to a NAT gateway that moved 300 GB in 30 days."""
    data = hub_and_spoke()
    region = region_of(data)
    region["collected"] = sorted(set(region["collected"]) | {"nat_gateways"})
    region["nat_gateways"].append({"nat_gateway_id": "nat-spoke", "vpc_id": "vpc-spoke", "subnet_id": "subnet-vpc-spoke-a",
                                   "state": "available", "connectivity_type": "public"})
    find(data, "route_tables", "route_table_id", "rtb-vpc-spoke")["routes"].append(
        {"destination_cidr_block": "0.0.0.0/0", "target_type": "nat_gateway", "target_id": "nat-spoke", "state": "active"})
    region["nat_gateway_metrics"] = {
        "start": "2026-05-01T00:00:00Z", "end": "2026-05-31T00:00:00Z", "days": 30,
        "gateways": [{"nat_gateway_id": "nat-spoke", "bytes_in_from_source": 300 * GB, "bytes_in_from_destination": 0},
                     {"nat_gateway_id": "nat-a", "bytes_in_from_source": GB, "bytes_in_from_destination": 0}]}
    return data


def spoke_item(data: dict) -> dict:
    view = next(build_view(Snapshot.model_validate(data)))
    return next(i for i in view.items["vpc"] if i["vpc_id"] == "vpc-spoke")


def test_a_spoke_resolved_to_the_hub_adds_no_ecr_endpoints_to_its_estimate():
    spoke = spoke_item(spoke_with_nat())
    assert {n: spoke["dns_answers"][n]["endpoint_vpc_id"] for n in ("registry_api", "registry")} == {
        "registry_api": "vpc-app", "registry": "vpc-app"}
    assert spoke["missing_ecr_interface_endpoints"] == []
    estimate = spoke["nat_estimate"]
    assert estimate["missing_endpoints"] == []  # its own S3 gateway too: nothing to add
    assert estimate["cost_with_endpoints_monthly"] == estimate["cost_today_monthly"] and estimate["savings_monthly"] == 0


def test_without_the_zones_the_spoke_needs_both_endpoints_and_pays_for_them():
    data = spoke_with_nat()
    region_of(data)["hosted_zones"] = []
    spoke = spoke_item(data)
    assert spoke["missing_ecr_interface_endpoints"] == ["ecr.api", "ecr.dkr"]
    estimate = spoke["nat_estimate"]
    assert estimate["missing_endpoints"] == ["ecr.api", "ecr.dkr"]
    assert estimate["cost_with_endpoints_monthly"] > estimate["cost_today_monthly"]  # two AZs of two endpoints


def test_the_cost_report_agrees_with_the_view(tmp_path, capsys):
    path = tmp_path / "snapshot.json"
    for zones, missing in ((True, []), (False, ["ecr.api", "ecr.dkr"])):
        data = spoke_with_nat()
        if not zones:
            region_of(data)["hosted_zones"] = []
        path.write_text(json.dumps(data))
        assert main(["cost", "--snapshot", str(path), "--vpc", "vpc-spoke", "--format", "json"]) == 0
        [row] = json.loads(capsys.readouterr().out)["vpcs"]
        assert row["estimate"]["missing_endpoints"] == missing
