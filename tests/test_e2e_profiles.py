"""End to end on a moto server with the Route 53 Profiles responder beside it (moto lacks ``route53profiles``; see
profiles_responder.py): the hub's private hosted zones reach the spoke only through a Profile, and the ``vpclint``
executable collects and scans the account. A Profile listing AWS refuses leaves the VPCs' DNS unknown, naming the
source, never private or public."""

from __future__ import annotations

import json

from scenarios import build_hub_and_spoke
from test_e2e_hub import REGION, assert_private_over_the_hub, scan
from test_e2e_pull_path import vpc_row


def test_a_spoke_whose_only_zones_come_through_a_profile_is_private_over_the_hub(
        moto_server, profiles_service, run_vpclint, tmp_path):
    world = build_hub_and_spoke(moto_server.session(REGION), REGION, associate_spoke=False)
    profiles_service.associate("rp-hub", world.spoke.vpc_id)
    for zone in world.zones:
        profiles_service.carry("rp-hub", f"arn:aws:route53:::hostedzone/{zone}", "PRIVATE_HOSTED_ZONE")
    report = scan(moto_server, run_vpclint, tmp_path)
    (region,) = json.loads((tmp_path / "snapshot.json").read_text())["accounts"][0]["regions"]
    assert [(p["profile_id"], [a["vpc_id"] for a in p["vpc_associations"]]) for p in region["route53_profiles"]] == [
        ("rp-hub", [world.spoke.vpc_id])]
    assert_private_over_the_hub(report, world)


def test_a_denied_profile_listing_leaves_the_vpcs_unknown_naming_the_source(moto_server, profiles_service, run_vpclint, tmp_path):
    world = build_hub_and_spoke(moto_server.session(REGION), REGION)
    profiles_service.denied = {"ListProfileAssociations"}
    snapshot = tmp_path / "snapshot.json"
    collected = run_vpclint(["collect", "--region", REGION, "-o", str(snapshot)], env=moto_server.env(REGION))
    assert "route53profiles:ListProfileAssociations: AccessDeniedException" in collected.stderr, collected.stderr
    (region,) = json.loads(snapshot.read_text())["accounts"][0]["regions"]
    assert "route53_profiles" not in region["collected"]
    result = run_vpclint(["scan", "--snapshot", str(snapshot), "--format", "json"], env=moto_server.env(REGION))
    report = result.json()
    assert result.returncode == 3, result.stderr  # incomplete: a source could not be read
    assert [(e["api"], e["code"]) for e in report["errors"]] == [
        ("route53profiles:ListProfileAssociations", "AccessDeniedException")]
    for vpc_id in (world.hub.vpc_id, world.spoke.vpc_id):
        row = vpc_row(report, vpc_id)
        assert row["verdict"] == "unknown", row
        assert row["subnets"][0]["flows"]["registry"]["reason"] == (
            f"the Route 53 Profile associations of {REGION} could not be read")
