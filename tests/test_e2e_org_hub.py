"""End to end on a moto server: centralised ECR endpoints in a hub ACCOUNT, reached from spoke VPCs in other member
accounts of the organization, resolved across accounts in one ``vpclint scan --org``.

The hub account owns the ecr.api and ecr.dkr interface endpoints (private DNS off) and the private hosted zones
aliasing them; each spoke account's VPC is peered with the hub VPC across accounts (requested with ``PeerOwnerId``,
accepted in the hub account) and keeps its own S3 gateway endpoint.

What moto (5.2.5, and getmoto/moto's main branch as of 2026-08) can't do, and how the test stands in for it:

* a transit gateway shared with other accounts: moto's RAM records a share but ``CreateTransitGatewayVpcAttachment``
  in another account answers ``InvalidTransitGatewayID`` (moto looks the gateway up in the caller's account), so the
  spokes use VPC peering, which moto serves across accounts;
* Route 53 across accounts: moto has no ``CreateVPCAssociationAuthorization``, keeps each account's zones apart and
  accepts any VPC id in ``AssociateVPCWithHostedZone``; so the hub associates the spoke VPCs itself, and the fault
  proxy answers each account's ``ListHostedZonesByVPC`` as AWS does, "regardless of which AWS account ... owns the
  hosted zones" (the zones of every account of the organization associated with the VPC, each naming its
  ``OwningAccount``). ``ListResourceRecordSets`` of another account's zone is refused by moto as by AWS.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Callable, Optional
from xml.sax.saxutils import escape

from faultproxy import FaultProxy, Request
from scenarios import Network, add_endpoint_zones, add_interface_endpoint, add_s3_gateway, build_vpc, endpoint_security_group
from test_e2e_org import CALLER, ROLE, member

from vpclint.collect.accounts import shard_of
from vpclint.snapshot_files import dumps, load_all

REGION = "us-west-2"
HUB_CIDR = "10.20.0.0/16"
MISSING = ("ecr-api-endpoint-missing", "ecr-dkr-endpoint-missing", "ecr-api-private-dns-disabled",
           "ecr-dkr-private-dns-disabled")
ZONES_BY_VPC = "/2013-04-01/hostedzonesbyvpc"


@dataclass
class HubOrganization:
    ids: dict[str, str]
    """Account name -> id (``master`` is the management account, the caller)."""
    hub: Network
    spokes: dict[str, Network]
    peerings: dict[str, str]
    """Spoke account name -> the peering connection to the hub."""
    zones: list[str]


def build_hub_organization(server) -> HubOrganization:
    """The organization: the hub account (endpoints, zones) and spoke-a, spoke-b, each peered with the hub."""
    org = server.session().client("organizations", region_name="us-east-1")
    org.create_organization(FeatureSet="ALL")
    ids = {"master": CALLER}
    for name in ("hub", "spoke-a", "spoke-b"):
        ids[name] = org.create_account(AccountName=name, Email=f"{name}@example.com")["CreateAccountStatus"]["AccountId"]
    hub_session = member(server, ids["hub"], REGION)
    hub = build_vpc(hub_session, REGION, "hub", cidr=HUB_CIDR, azs=2, public=False, nat=False)
    cidrs = {"spoke-a": "10.21.0.0/16", "spoke-b": "10.22.0.0/16"}
    endpoint_security_group(hub_session, hub, [HUB_CIDR, *cidrs.values()], name="hub-endpoints")
    for service in ("ecr.dkr", "ecr.api"):
        add_interface_endpoint(hub_session, hub, service, hub.private_subnets, private_dns=False)
    add_s3_gateway(hub_session, hub, hub.private_route_tables)
    hub_ec2 = hub_session.client("ec2", region_name=REGION)
    spokes, peerings = {}, {}
    for name, cidr in cidrs.items():
        session = member(server, ids[name], REGION)
        spoke = build_vpc(session, REGION, name, cidr=cidr, azs=2, public=False, nat=False)
        add_s3_gateway(session, spoke, spoke.private_route_tables)
        ec2 = session.client("ec2", region_name=REGION)
        peering = ec2.create_vpc_peering_connection(VpcId=spoke.vpc_id, PeerVpcId=hub.vpc_id, PeerOwnerId=ids["hub"],
                                                    PeerRegion=REGION)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        hub_ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=peering)
        for table in spoke.private_route_tables:
            ec2.create_route(RouteTableId=table, DestinationCidrBlock=HUB_CIDR, VpcPeeringConnectionId=peering)
        for table in hub.private_route_tables:
            hub_ec2.create_route(RouteTableId=table, DestinationCidrBlock=cidr, VpcPeeringConnectionId=peering)
        spokes[name], peerings[name] = spoke, peering
    zones = add_endpoint_zones(hub_session, hub, [s.vpc_id for s in spokes.values()])
    return HubOrganization(ids, hub, spokes, peerings, zones)


def zones_of_every_account(server, org: HubOrganization) -> Callable[[Request], Optional[bytes]]:
    """The proxy's answer to ``ListHostedZonesByVPC`` (whichever account asks): as AWS, the zones of every account
    associated with the VPC, each with its owning account (moto answers the caller's own zones only)."""
    clients = {account: (server.session() if account == CALLER else member(server, account, REGION)).client("route53")
               for account in org.ids.values()}

    def answer(request: Request) -> Optional[bytes]:
        if request.path != ZONES_BY_VPC:
            return None
        found = [z for client in clients.values() for z in client.list_hosted_zones_by_vpc(
            VPCId=request.params["vpcid"], VPCRegion=request.params["vpcregion"])["HostedZoneSummaries"]]
        summaries = "".join(
            f"<HostedZoneSummary><HostedZoneId>{escape(z['HostedZoneId'])}</HostedZoneId><Name>{escape(z['Name'])}</Name>"
            f"<Owner><OwningAccount>{z['Owner']['OwningAccount']}</OwningAccount></Owner></HostedZoneSummary>"
            for z in found)
        return ('<?xml version="1.0" encoding="UTF-8"?><ListHostedZonesByVPCResponse xmlns="https://route53.amazonaws.com/'
                f'doc/2013-04-01/"><HostedZoneSummaries>{summaries}</HostedZoneSummaries><MaxItems>100</MaxItems>'
                "</ListHostedZonesByVPCResponse>").encode()
    return answer


def run_through_proxy(server, org: HubOrganization, run_vpclint, args: list[str], cwd,
                      decide: Optional[Callable[[Request], Optional[str]]] = None):
    """``vpclint ARGS`` against moto through the proxy answering Route 53 as AWS does (and refusing what
    ``decide`` refuses)."""
    with FaultProxy(server.url, lambda *_: None, lifetime=240, max_requests=20_000, decide=decide,
                    answer=zones_of_every_account(server, org)) as proxy:
        env = {**server.env(REGION), "AWS_ENDPOINT_URL": proxy.url, "COLUMNS": "200"}
        return run_vpclint(args, env=env, cwd=cwd, timeout=300)


def rows(report: dict) -> dict[str, dict]:
    return {row["vpc_id"]: row for row in report["vpcs"]}


def test_spokes_in_other_accounts_reach_the_hub_accounts_endpoints_and_without_the_hub_are_unknown(
        moto_server, run_vpclint, tmp_path):
    org = build_hub_organization(moto_server)
    ids = org.ids
    scanned = run_through_proxy(moto_server, org, run_vpclint, ["scan", "--org", "--role-name", ROLE, "--region", REGION,
                                                                 "--json", "all.json"], tmp_path)
    assert scanned.returncode in (0, 1), scanned.stderr
    report = json.loads((tmp_path / "all.json").read_text())
    assert report["summary"]["complete"], report["errors"]
    found = rows(report)
    assert found[org.hub.vpc_id]["verdict"] == "private"
    for name, spoke in org.spokes.items():
        row = found[spoke.vpc_id]
        assert (row["verdict"], row["account_id"], row["account_name"]) == ("private", ids[name], name), row["summary"]
        for subnet in row["subnets"]:
            flows = subnet["flows"]
            assert (flows["registry"]["path"], flows["registry"]["via"]) == ("endpoint", org.hub.endpoints["ecr.dkr"])
            assert (flows["registry_api"]["path"], flows["registry_api"]["via"]) == ("endpoint", org.hub.endpoints["ecr.api"])
            assert org.peerings[name] in flows["registry"]["reason"] and org.hub.vpc_id in flows["registry"]["reason"]
            assert (flows["layers"]["path"], flows["layers"]["via"]) == ("endpoint", spoke.endpoints["s3"])
    ours = {org.hub.vpc_id, *(s.vpc_id for s in org.spokes.values())}
    assert not [f for f in report["findings"] if f["rule_id"] in MISSING and f["vpc_id"] in ours]

    without = run_through_proxy(moto_server, org, run_vpclint, ["scan", "--org", "--role-name", ROLE, "--region", REGION,
                                                                 "--exclude-accounts", ids["hub"], "--json", "spokes.json"],
                                tmp_path)
    assert without.returncode == 1, without.stderr
    report = json.loads((tmp_path / "spokes.json").read_text())
    assert ids["hub"] not in {a["account_id"] for a in report["accounts"]}
    found = rows(report)
    assert org.hub.vpc_id not in found
    for name, spoke in org.spokes.items():
        row = found[spoke.vpc_id]
        assert (row["verdict"], row["account_id"]) == ("unknown", ids[name]), row["summary"]
        for subnet in row["subnets"]:
            for flow in ("registry", "registry_api"):
                assert subnet["flows"][flow]["path"] == "unknown"
                assert f"in account {ids['hub']}: scan that account" in subnet["flows"][flow]["reason"]
            assert subnet["verdict"] == "unknown"
    assert not [f for f in report["findings"] if f["rule_id"] in MISSING and f["vpc_id"] in ours]


def test_shards_splitting_the_hub_from_its_spokes_merge_to_one_run_byte_for_byte(moto_server, run_vpclint, tmp_path):
    org = build_hub_organization(moto_server)
    ids = org.ids
    count = next(n for n in range(2, 9) if shard_of(ids["hub"], n) != shard_of(ids["spoke-a"], n))
    base = ["collect", "--org", "--role-name", ROLE, "--region", REGION]
    whole = run_through_proxy(moto_server, org, run_vpclint, [*base, "-o", "whole.json"], tmp_path)
    assert whole.returncode == 0, whole.stderr
    (tmp_path / "shards").mkdir()
    held: dict[str, int] = {}
    for index in range(1, count + 1):
        shard = run_through_proxy(moto_server, org, run_vpclint, [*base, "--shard", f"{index}/{count}", "-o",
                                                                  f"shards/{index}.json"], tmp_path)
        assert shard.returncode == 0, shard.stderr
        held |= {a["account_id"]: index for a in json.loads((tmp_path / f"shards/{index}.json").read_text())["accounts"]}
    assert held == {account: shard_of(account, count) for account in ids.values()}
    assert held[ids["hub"]] != held[ids["spoke-a"]]
    assert dumps(load_all([tmp_path / "shards"])) == (tmp_path / "whole.json").read_text()

    one = run_vpclint(["scan", "--snapshot", "whole.json", "--format", "json"], cwd=tmp_path)
    merged = run_vpclint(["scan", "--snapshot", "shards", "--format", "json"], cwd=tmp_path)
    assert one.returncode == merged.returncode and one.returncode in (0, 1), merged.stderr
    assert merged.stdout == one.stdout
    found = rows(merged.json())
    for name, spoke in org.spokes.items():
        assert (found[spoke.vpc_id]["verdict"], found[spoke.vpc_id]["account_id"]) == ("private", ids[name])


def test_a_source_one_account_could_not_read_costs_only_the_accounts_linked_to_it(moto_server, run_vpclint, tmp_path):
    """The management account may not read its network ACLs (an SCP, say): its own VPCs are unknown, while the hub
    and its spokes, which share nothing with it, are judged in full."""
    org = build_hub_organization(moto_server)

    def denied(request: Request) -> Optional[str]:
        return "denied" if request.account is None and request.action == "DescribeNetworkAcls" else None

    result = run_through_proxy(moto_server, org, run_vpclint, ["scan", "--org", "--role-name", ROLE, "--region", REGION,
                                                                "--json", "report.json"], tmp_path, decide=denied)
    assert result.returncode == 3, result.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert {(e["account_id"], e["api"]) for e in report["errors"]} == {(CALLER, "ec2:DescribeNetworkAcls")}
    assert {n["account_id"] for n in report["not_evaluated"]} == {CALLER}
    found = rows(report)
    assert found[org.hub.vpc_id]["verdict"] == "private"
    assert all(found[spoke.vpc_id]["verdict"] == "private" for spoke in org.spokes.values())
    own = [row for row in report["vpcs"] if row["account_id"] == CALLER]
    assert own and all(row["verdict"] == "unknown" and "not read: network_acls" in row["summary"] for row in own)
