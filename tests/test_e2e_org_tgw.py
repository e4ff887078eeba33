"""A hub account's transit gateway, endpoints and zones serving a spoke VPC of another account, by snapshot.

moto can't attach another account's VPC to a transit gateway: ``CreateTransitGatewayVpcAttachment`` looks the
gateway up in the caller's account (``InvalidTransitGatewayID``) and its RAM shares make nothing visible elsewhere
(moto 5.2.5, and getmoto/moto's main branch as of 2026-08). So the hub and the spoke are built in one moto account
(:func:`scenarios.build_hub_and_spoke`), collected, and the snapshot split into the two accounts' views as AWS shows
them: each account its own VPCs and what is in them; the hub (the gateway's owner) the gateway's route tables and
every attachment, the spoke its own attachment; the zones, owned by the hub, listed by the hub with its VPC and by
the spoke with its VPC and without their records (another account's zone).
"""

from __future__ import annotations

import copy
import json
from pathlib import Path

from scenarios import build_hub_and_spoke
from test_e2e_hub import REGION, collect_with_route_attachments

HUB = "123456789012"  # moto's account
SPOKE = "210987654321"
MISSING = ("ecr-api-endpoint-missing", "ecr-dkr-endpoint-missing")


def split(data: dict, spoke_vpc: str) -> tuple[dict, dict]:
    """The hub's and the spoke's snapshots of one collected account holding both."""
    (region,) = data["accounts"][0]["regions"]
    spoke_dhcp = next(v["dhcp_options_id"] for v in region["vpcs"] if v["vpc_id"] == spoke_vpc)
    hub, spoke = copy.deepcopy(region), {"region": REGION, "collected": region["collected"],
                                         "prefix_lists": region["prefix_lists"]}
    for key, items in region.items():
        if key != "transit_gateway_attachments" and isinstance(items, list) and items and isinstance(items[0], dict) \
                and "vpc_id" in items[0]:
            hub[key] = [i for i in items if i["vpc_id"] != spoke_vpc]
            spoke[key] = [i for i in items if i["vpc_id"] == spoke_vpc]
    for attachment in hub["transit_gateway_attachments"]:
        attachment["vpc_owner_id"] = SPOKE if attachment["vpc_id"] == spoke_vpc else HUB
    spoke["transit_gateway_attachments"] = [a for a in hub["transit_gateway_attachments"] if a["vpc_id"] == spoke_vpc]
    spoke["vpcs"][0]["owner_id"] = SPOKE
    hub["dhcp_options"] = [d for d in region["dhcp_options"] if d["dhcp_options_id"] != spoke_dhcp]
    spoke["dhcp_options"] = [d for d in region["dhcp_options"] if d["dhcp_options_id"] == spoke_dhcp]
    zones = [z for z in region["hosted_zones"] if spoke_vpc in z["vpc_ids"]]
    assert len(zones) == 2
    spoke["hosted_zones"] = [{**z, "owner_account": HUB, "vpc_ids": [spoke_vpc], "records_read": False, "record_sets": []}
                             for z in zones]
    spoke["hosted_zone_vpc_ids"] = [spoke_vpc]
    for zone in hub["hosted_zones"]:
        zone["vpc_ids"] = [v for v in zone["vpc_ids"] if v != spoke_vpc]
    hub["hosted_zone_vpc_ids"] = [v for v in region["hosted_zone_vpc_ids"] if v != spoke_vpc]
    return ({"schema_version": 3, "accounts": [{"account_id": HUB, "account_name": "network", "regions": [hub]}]},
            {"schema_version": 3, "accounts": [{"account_id": SPOKE, "account_name": "app", "regions": [spoke]}]})


def scan(run_vpclint, tmp_path: Path, *names: str) -> dict:
    result = run_vpclint(["scan", *[a for n in names for a in ("--snapshot", n)], "--format", "json"], cwd=tmp_path)
    assert result.returncode in (0, 1), result.stderr
    return result.json()


def test_a_spoke_account_reaches_the_hub_accounts_endpoints_over_its_transit_gateway(moto_server, run_vpclint, tmp_path):
    world = build_hub_and_spoke(moto_server.session(REGION), REGION, via="tgw")
    data = collect_with_route_attachments(moto_server, run_vpclint, tmp_path / "both.json")
    for name, part in zip(("hub.json", "spoke.json"), split(data, world.spoke.vpc_id)):
        (tmp_path / name).write_text(json.dumps(part))

    report = scan(run_vpclint, tmp_path, "hub.json", "spoke.json")
    assert scan(run_vpclint, tmp_path, "spoke.json", "hub.json") == report
    rows = {row["vpc_id"]: row for row in report["vpcs"]}
    spoke = rows[world.spoke.vpc_id]
    assert (spoke["account_id"], spoke["verdict"]) == (SPOKE, "private"), spoke["summary"]
    assert (rows[world.hub.vpc_id]["account_id"], rows[world.hub.vpc_id]["verdict"]) == (HUB, "private")
    for subnet in spoke["subnets"]:
        registry = subnet["flows"]["registry"]
        assert (registry["path"], registry["via"]) == ("endpoint", world.hub.endpoints["ecr.dkr"])
        assert world.connection in registry["reason"]
        assert subnet["flows"]["layers"]["via"] == world.spoke.endpoints["s3"]
    ours = (world.hub.vpc_id, world.spoke.vpc_id)
    assert not [f for f in report["findings"] if f["rule_id"] in MISSING and f["vpc_id"] in ours]

    alone = scan(run_vpclint, tmp_path, "spoke.json")
    (spoke,) = [row for row in alone["vpcs"] if row["vpc_id"] == world.spoke.vpc_id]
    assert spoke["verdict"] == "unknown"
    for subnet in spoke["subnets"]:
        for flow in ("registry", "registry_api"):
            assert subnet["flows"][flow]["path"] == "unknown"
            assert f"in account {HUB}: scan that account" in subnet["flows"][flow]["reason"]
    assert not [f for f in alone["findings"] if f["rule_id"] in MISSING]
