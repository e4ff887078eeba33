"""The derived view: subnet classification, effective route tables, scope and the VPC filter."""

from __future__ import annotations

import pytest

from vpclint.snapshot import (
    RegionSnapshot, Route, RouteTable, RouteTableAssociation, SecurityGroup, SecurityGroupRule, Snapshot, Subnet, Vpc,
)
from vpclint.path.tables import effective_route_tables, subnet_kind
from vpclint.view import build_region_view, build_view

LOCAL = Route(destination_cidr_block="10.0.0.0/16", target_type="local", target_id="local", state="active")


def table(*routes: Route, table_id: str = "rtb-x", vpc_id: str = "vpc-1", main: bool = False, subnets: tuple = (),
          disassociated: tuple = ()) -> RouteTable:
    associations = [RouteTableAssociation(main=True, state="associated")] if main else []
    associations += [RouteTableAssociation(subnet_id=s, state="associated") for s in subnets]
    associations += [RouteTableAssociation(subnet_id=s, state="disassociated") for s in disassociated]
    return RouteTable(route_table_id=table_id, vpc_id=vpc_id, routes=[LOCAL, *routes], associations=associations)


def default(target_type: str, state: str = "active", ipv6: bool = False) -> Route:
    destination = {"destination_ipv6_cidr_block": "::/0"} if ipv6 else {"destination_cidr_block": "0.0.0.0/0"}
    return Route(target_type=target_type, target_id=f"{target_type}-1", state=state, **destination)


@pytest.mark.parametrize("routes, kind", [
    ([default("internet_gateway")], "public"),
    ([default("internet_gateway", ipv6=True)], "public"),
    ([default("nat_gateway", ipv6=True), default("internet_gateway")], "public"),
    ([default("nat_gateway")], "nat"),
    ([default("instance")], "nat"),
    ([default("network_interface")], "nat"),
    ([default("transit_gateway"), default("nat_gateway", ipv6=True)], "nat"),
    ([default("transit_gateway")], "routed"),
    ([default("virtual_private_gateway")], "routed"),
    ([default("vpc_peering_connection")], "routed"),
    ([default("egress_only_internet_gateway", ipv6=True)], "routed"),
    ([], "isolated"),
    ([Route(destination_cidr_block="10.8.0.0/16", target_type="internet_gateway", target_id="igw-1")], "isolated"),
    ([Route(destination_prefix_list_id="pl-1", target_type="vpc_endpoint", target_id="vpce-1")], "isolated"),
    ([default("internet_gateway", state="blackhole")], "isolated"),
    ([default("internet_gateway", state="blackhole"), default("nat_gateway")], "nat"),
    ([default("nat_gateway", state="blackhole")], "isolated"),
])
def test_subnet_kind_from_default_routes(routes, kind):
    assert subnet_kind(table(*routes)) == kind


def test_subnet_kind_without_a_route_table_is_unknown():
    assert subnet_kind(None) == "unknown"


def region_with(*tables: RouteTable, subnets: tuple = ("subnet-a", "subnet-b"), vpcs: tuple = (("vpc-1", {}),),
                collected: tuple = ("vpcs", "subnets", "route_tables")) -> RegionSnapshot:
    return RegionSnapshot(
        region="us-east-1",
        collected=list(collected),
        vpcs=[Vpc(vpc_id=v, cidr_blocks=["10.0.0.0/16"], tags=tags) for v, tags in vpcs],
        subnets=[Subnet(subnet_id=s, vpc_id=s.split(":")[1] if ":" in s else "vpc-1", availability_zone="us-east-1a")
                 for s in subnets],
        route_tables=list(tables),
    )


def test_effective_route_table_is_the_explicit_association_else_the_main_table():
    """An explicit, associated table wins; a disassociated one falls back to the main table, as AWS does."""
    main = table(default("nat_gateway"), table_id="rtb-main", main=True)
    explicit = table(default("internet_gateway"), table_id="rtb-pub", subnets=("subnet-a",), disassociated=("subnet-b",))
    tables = effective_route_tables(region_with(main, explicit, subnets=("subnet-a", "subnet-b", "subnet-c")))
    assert {s: (t.route_table_id, e) for s, (t, e) in tables.items()} == {
        "subnet-a": ("rtb-pub", True), "subnet-b": ("rtb-main", False), "subnet-c": ("rtb-main", False),
    }


def test_subnet_in_a_vpc_without_a_main_table_is_unknown_and_not_private():
    region = region_with(table(default("nat_gateway"), table_id="rtb-a", subnets=("subnet-a",)))
    subnets = {s["subnet_id"]: s for s in build_region_view(Snapshot(account_id="1", regions=[region]), region).items["subnet"]}
    assert (subnets["subnet-a"]["kind"], subnets["subnet-a"]["private"]) == ("nat", True)
    assert (subnets["subnet-b"]["kind"], subnets["subnet-b"]["private"], subnets["subnet-b"]["route_table_id"]) == ("unknown", False, None)


def test_implicit_main_table_subnets_are_classified_and_served_by_the_main_table():
    main = table(table_id="rtb-main", main=True)
    public = table(default("internet_gateway"), table_id="rtb-pub", subnets=("subnet-a",))
    region = region_with(main, public)
    view = build_region_view(Snapshot(account_id="1", regions=[region]), region)
    vpc = view.items["vpc"][0]
    assert [s["subnet_id"] for s in vpc["isolated_subnets"]] == ["subnet-b"]
    assert [s["subnet_id"] for s in vpc["public_subnets"]] == ["subnet-a"]
    assert vpc["in_scope"] is True
    tables = {t["route_table_id"]: t for t in view.items["route_table"]}
    assert [s["subnet_id"] for s in tables["rtb-main"]["subnets"]] == ["subnet-b"]
    assert (tables["rtb-main"]["main"], tables["rtb-main"]["explicit_subnet_ids"]) == (True, [])
    assert tables["rtb-pub"]["explicit_subnet_ids"] == ["subnet-a"]
    subnet_b = [s for s in view.items["subnet"] if s["subnet_id"] == "subnet-b"][0]
    assert (subnet_b["route_table_id"], subnet_b["route_table_explicit"]) == ("rtb-main", False)


@pytest.mark.parametrize("tags, main_routes, in_scope, skipped", [
    ({}, [], True, False),
    ({}, [default("internet_gateway")], False, False),
    ({"vpclint:skip": ""}, [], True, False),  # no reason given: not skipped
    ({"vpclint:skip": "False"}, [], True, False),  # false-like values never skip
    ({"vpclint:skip": "no"}, [], True, False),
    ({"vpclint:skip": "retired in Q3"}, [], False, True),
    ({"vpclint:skip": "legacy", "Name": "x"}, [default("nat_gateway")], False, True),
])
def test_in_scope_needs_a_private_subnet_and_no_skip_tag(tags, main_routes, in_scope, skipped):
    region = region_with(table(*main_routes, table_id="rtb-main", main=True), vpcs=(("vpc-1", tags),))
    vpc = build_region_view(Snapshot(account_id="1", regions=[region]), region).items["vpc"][0]
    assert (vpc["in_scope"], vpc["skipped"]) == (in_scope, skipped)


def test_vpc_filter_limits_every_resource_kind():
    region = region_with(
        table(table_id="rtb-1", main=True),
        table(table_id="rtb-2", vpc_id="vpc-2", main=True),
        subnets=("subnet-a", "subnet-b:vpc-2"),
        vpcs=(("vpc-1", {}), ("vpc-2", {})),
    )
    snapshot = Snapshot(account_id="1", regions=[region])
    (view,) = build_view(snapshot, ["vpc-2"])
    for kind, items in view.items.items():
        assert {item["vpc_id"] for item in items} <= {"vpc-2"}, kind
    assert [t["resource_id"] for t in view.items["route_table"]] == ["rtb-2"]
    assert [s["resource_id"] for s in view.items["subnet"]] == ["subnet-b:vpc-2"]
    (unfiltered,) = build_view(snapshot)
    assert {v["vpc_id"] for v in unfiltered.items["vpc"]} == {"vpc-1", "vpc-2"}


def test_items_carry_context_and_arns():
    region = region_with(table(table_id="rtb-main", main=True))
    view = build_region_view(Snapshot(account_id="111122223333", partition="aws-cn", regions=[region]), region)
    subnet = view.items["subnet"][0]
    assert subnet["arn"] == "arn:aws-cn:ec2:us-east-1:111122223333:subnet/subnet-a"
    assert (subnet["account_id"], subnet["service_prefix"], subnet["resource_type"]) == ("111122223333", "cn.com.amazonaws", "subnet")
    assert subnet["vpc"]["vpc_id"] == "vpc-1"
    assert view.collected == frozenset({"vpcs", "subnets", "route_tables"})


def _with_groups(region: RegionSnapshot) -> RegionSnapshot:
    web = SecurityGroupRule(protocol="tcp", from_port=443, to_port=443, cidr_ipv4="10.0.0.0/16")
    out = SecurityGroupRule(protocol="-1", cidr_ipv4="0.0.0.0/0")
    return region.model_copy(update={"security_groups": [
        SecurityGroup(group_id="sg-def", group_name="default", vpc_id="vpc-1", ingress=[web], egress=[out]),
        SecurityGroup(group_id="sg-web", group_name="web", vpc_id="vpc-1", ingress=[], egress=[out]),
        SecurityGroup(group_id="sg-other", group_name="default", vpc_id="vpc-2"),
        SecurityGroup(group_id="sg-orphan", group_name="loose"),  # no VPC (EC2-Classic era): in no VPC's view
    ]})


def test_security_group_items_one_per_group_of_an_in_scope_vpc():
    region = _with_groups(region_with(table(table_id="rtb-main", main=True)))
    view = build_region_view(Snapshot(account_id="111122223333", regions=[region]), region)
    groups = {g["resource_id"]: g for g in view.items["security_group"]}
    assert sorted(groups) == ["sg-def", "sg-web"]  # vpc-2 is not in the snapshot's VPCs; sg-orphan has none
    default_group = groups["sg-def"]
    assert {k: default_group[k] for k in ("account_id", "partition", "region", "vpc_id", "resource_type", "resource_id", "arn")} == {
        "account_id": "111122223333", "partition": "aws", "region": "us-east-1", "vpc_id": "vpc-1",
        "resource_type": "security_group", "resource_id": "sg-def",
        "arn": "arn:aws:ec2:us-east-1:111122223333:security-group/sg-def",
    }
    assert (default_group["group_id"], default_group["group_name"]) == ("sg-def", "default")
    assert default_group["ingress"] == [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16",
                                         **{k: None for k in default_group["ingress"][0] if k not in ("protocol", "from_port", "to_port", "cidr_ipv4")}}]
    assert default_group["egress"][0]["protocol"] == "-1" and default_group["egress"][0]["cidr_ipv4"] == "0.0.0.0/0"
    assert groups["sg-web"]["ingress"] == [] and groups["sg-web"]["group_name"] == "web"
    assert default_group["vpc"]["vpc_id"] == "vpc-1" and default_group["vpc"]["in_scope"] is True
    assert sorted(default_group["vpc"]["security_groups"]) == ["sg-def", "sg-web"]


def test_security_group_items_follow_the_vpc_filter():
    region = _with_groups(region_with(
        table(table_id="rtb-1", main=True), table(table_id="rtb-2", vpc_id="vpc-2", main=True),
        subnets=("subnet-a", "subnet-b:vpc-2"), vpcs=(("vpc-1", {}), ("vpc-2", {})),
    ))
    snapshot = Snapshot(account_id="1", regions=[region])
    (only_2,) = build_view(snapshot, ["vpc-2"])
    assert [g["resource_id"] for g in only_2.items["security_group"]] == ["sg-other"]
    (every,) = build_view(snapshot)
    assert sorted(g["resource_id"] for g in every.items["security_group"]) == ["sg-def", "sg-other", "sg-web"]


def test_a_vpc_without_subnets_is_in_the_view_but_not_in_scope():
    region = region_with(table(table_id="rtb-main", main=True), table(table_id="rtb-empty", vpc_id="vpc-empty", main=True),
                         vpcs=(("vpc-1", {}), ("vpc-empty", {})))
    view = build_region_view(Snapshot(account_id="1", regions=[region]), region)
    empty = next(v for v in view.items["vpc"] if v["vpc_id"] == "vpc-empty")
    assert (empty["in_scope"], empty["verdict"]) == (False, "not_in_scope")
    assert empty["subnets"] == [] and empty["workload_subnets"] == [] and empty["private_subnets"] == []
    assert (empty["workload_azs"], empty["private_azs"], empty["workload_route_table_ids"]) == ([], [], [])
    assert isinstance(empty["verdict_summary"], str) and empty["verdict_summary"]
    row = next(r for r in view.verdicts if r["vpc_id"] == "vpc-empty")
    assert (row["verdict"], row["subnets"]) == ("not_in_scope", [])
    tables = {t["route_table_id"]: t for t in view.items["route_table"]}
    assert tables["rtb-empty"]["subnets"] == [] and tables["rtb-empty"]["vpc_id"] == "vpc-empty"
    other = next(v for v in view.items["vpc"] if v["vpc_id"] == "vpc-1")
    assert other["in_scope"] is True


def _base_view(patch=None):
    import copy
    from pathlib import Path

    import yaml

    data = yaml.safe_load((Path(__file__).parent / "rule_fixtures" / "base.yaml").read_text())
    data = copy.deepcopy(data)
    if patch:
        patch(data["regions"][0])
    snapshot = Snapshot.model_validate(data)
    return build_region_view(snapshot, snapshot.regions[0])


def _item(view, kind: str, resource_id: str) -> dict:
    return next(i for i in view.items[kind] if i["resource_id"] == resource_id)


def test_blocked_by_names_the_first_blocked_flow_of_each_link_kind_and_its_way():
    def no_endpoint_ingress(region):
        next(g for g in region["security_groups"] if g["group_id"] == "sg-endpoints")["ingress"] = []

    subnet = _item(_base_view(no_endpoint_ingress), "subnet", "subnet-priv-a")
    assert list(subnet["blocked_by"]) == ["endpoint_sg"]
    blocked = subnet["blocked_by"]["endpoint_sg"]
    assert (blocked["kind"], blocked["resource_id"], blocked["group_ids"]) == ("endpoint-sg", "sg-endpoints", ["sg-endpoints"])
    assert (blocked["flow"], blocked["via"]) == ("registry_api", "vpce-api")  # flows in order: registry_api first
    assert blocked["detail"] == subnet["flows"]["registry_api"]["link"]["detail"]
    assert _item(_base_view(), "subnet", "subnet-priv-a")["blocked_by"] == {}


def test_s3_route_blackhole_is_only_a_route_link_to_the_gateway_endpoint():
    import json

    def deny_all(region):
        endpoint = next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-s3")
        endpoint["policy"] = json.dumps({"Statement": [{"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"}]})

    view = _base_view(deny_all)
    layers = _item(view, "subnet", "subnet-priv-a")["flows"]["layers"]
    assert (layers["path"], layers["via"], layers["link"]["kind"]) == ("blocked", "vpce-s3", "endpoint-policy")
    assert [t["s3_route_blackhole"] for t in view.items["route_table"]] == [None] * len(view.items["route_table"])


def test_the_region_view_carries_its_nat_facts_for_the_cost_report():
    view = _base_view()
    assert view.region == "us-east-1" and view.nat.region == "us-east-1"
    vpc = _item(view, "vpc", "vpc-app")
    workload_nat = [s for s in vpc["workload_subnets"] if s["kind"] == "nat"]
    facts = view.nat.vpc_facts("vpc-app", workload_nat, vpc["endpoints_by_service"], vpc["workload_azs"], None,
                               dns_answers=vpc["dns_answers"])
    assert facts and all(vpc[key] == value for key, value in facts.items())


def test_dns_servers_are_unknown_when_dhcp_options_or_the_vpc_s_set_were_not_read():
    def missing_options(region):
        region["dhcp_options"] = []

    vpc = _item(_base_view(missing_options), "vpc", "vpc-app")
    assert vpc["dns_servers"] is None  # read, but the VPC's options set is not there: not known

    def no_set(region):
        region["vpcs"][0]["dhcp_options_id"] = "default"

    assert _item(_base_view(no_set), "vpc", "vpc-app")["dns_servers"] == []  # AWS's name for no options set
    assert _item(_base_view(), "vpc", "vpc-app")["dns_servers"] == ["AmazonProvidedDNS"]

    def not_read(region):
        region["dhcp_options"] = []
        region["collected"].remove("dhcp_options")

    assert _item(_base_view(not_read), "vpc", "vpc-app")["dns_servers"] is None


def test_endpoint_items_and_the_vpcs_endpoints_by_service():
    def more_endpoints(region):
        dkr = next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-dkr")
        region["vpc_endpoints"] += [
            {**dkr, "vpc_endpoint_id": "vpce-gone", "state": "Deleted"},
            {**dkr, "vpc_endpoint_id": "vpce-west", "service_name": "com.amazonaws.us-west-2.ecr.dkr",
             "service_region": "us-west-2", "group_ids": [], "subnet_ids": ["subnet-priv-b", "subnet-unknown"]},
        ]
        region["security_groups"].append({"group_id": "sg-default", "group_name": "default", "vpc_id": "vpc-app",
                                          "ingress": [], "egress": []})

    view = _base_view(more_endpoints)
    assert sorted(e["resource_id"] for e in view.items["endpoint"]) == ["vpce-api", "vpce-dkr", "vpce-logs", "vpce-s3", "vpce-west"]
    dkr, west, s3 = (_item(view, "endpoint", i) for i in ("vpce-dkr", "vpce-west", "vpce-s3"))
    assert (dkr["arn"], dkr["resource_type"]) == ("arn:aws:ec2:us-east-1:111122223333:vpc-endpoint/vpce-dkr", "endpoint")
    assert (dkr["same_region"], dkr["availability_zones"], dkr["effective_group_ids"]) == (True, ["us-east-1a", "us-east-1b"], ["sg-endpoints"])
    assert (west["same_region"], west["availability_zones"], west["effective_group_ids"]) == (False, ["us-east-1b"], ["sg-default"])
    assert (s3["vpc_endpoint_type"], s3["route_table_ids"]) == ("Gateway", ["rtb-main", "rtb-priv-a", "rtb-priv-b"])
    assert dkr["ingress_blocked_subnets"] == [] and dkr["vpc"]["vpc_id"] == "vpc-app"
    vpc = _item(view, "vpc", "vpc-app")
    assert {s: [e["vpc_endpoint_id"] for e in es] for s, es in vpc["endpoints_by_service"].items()} == {
        "ecr.dkr": ["vpce-dkr"], "ecr.api": ["vpce-api"], "logs": ["vpce-logs"], "s3": ["vpce-s3"]}
    assert [e["vpc_endpoint_id"] for e in vpc["foreign_region_endpoints"]] == ["vpce-west"]
    assert len(vpc["endpoints"]) == 5
    tables = {t["route_table_id"]: t for t in view.items["route_table"]}
    assert tables["rtb-priv-a"]["gateway_endpoints_by_service"] == {"s3": ["vpce-s3"]}
    assert tables["rtb-public"]["gateway_endpoints_by_service"] == {}


def test_endpoint_ingress_blocked_subnets_name_the_workload_subnets_it_refuses():
    """Asked of every workload subnet of the VPC, whatever DNS answers; gateway endpoints have no groups."""
    def no_endpoint_ingress(region):
        next(g for g in region["security_groups"] if g["group_id"] == "sg-endpoints")["ingress"] = []

    view = _base_view(no_endpoint_ingress)
    blocked = _item(view, "endpoint", "vpce-api")["ingress_blocked_subnets"]
    assert [(b["subnet_id"], b["cidr_block"]) for b in blocked] == [
        ("subnet-priv-a", "10.0.1.0/24"), ("subnet-priv-b", "10.0.2.0/24"), ("subnet-iso-b", "10.0.50.0/24")
    ]  # the VPC's workload subnets, in snapshot order
    assert all("vpce-api" in b["detail"] and "sg-endpoints" in b["detail"] for b in blocked)
    assert [b["subnet_id"] for b in _item(view, "endpoint", "vpce-dkr")["ingress_blocked_subnets"]] == [
        "subnet-priv-a", "subnet-priv-b", "subnet-iso-b"]
    assert _item(view, "endpoint", "vpce-s3")["ingress_blocked_subnets"] == []
    assert _item(_base_view(), "endpoint", "vpce-api")["ingress_blocked_subnets"] == []


def test_with_nat_metrics_the_vpc_carries_its_nat_traffic_and_estimate():
    def with_metrics(region):
        region["nat_gateway_metrics"] = {
            "start": "2026-05-01T00:00:00Z", "end": "2026-05-31T00:00:00Z", "days": 30,
            "gateways": [{"nat_gateway_id": "nat-a", "bytes_in_from_source": 60 * 10**9, "bytes_in_from_destination": 0}],
        }

    vpc = _item(_base_view(with_metrics), "vpc", "vpc-app")
    assert vpc["nat_traffic"]["processed_bytes"] == 60 * 10**9 and vpc["nat_traffic"]["days"] == 30
    assert vpc["nat_estimate"] is not None and vpc["nat_estimate"]["prices_as_of"]
    without = _item(_base_view(), "vpc", "vpc-app")
    assert (without["nat_traffic"], without["nat_estimate"]) == (None, None)


def test_a_subnet_on_the_main_table_while_a_route_table_was_left_out_is_of_unknown_kind_and_verdict():
    """The path model's kind is the view's: the main table's routes would say isolated, but the subnet may be
    associated with the route table the collector left out."""
    def left_out(region: dict) -> None:
        region["notes"] = [{"api": "vpclint:route_tables", "item_id": "rtb-odd", "message": "left out: odd"}]

    subnet = next(s for s in _base_view(left_out).items["subnet"] if s["subnet_id"] == "subnet-iso-b")
    assert (subnet["kind"], subnet["private"], subnet["route_table_id"], subnet["verdict"]) == (
        "unknown", False, "rtb-main", "unknown")
    assert subnet["flows"]["layers"]["reason"].startswith("route table(s) rtb-odd were left out of the snapshot")
    before = next(s for s in _base_view().items["subnet"] if s["subnet_id"] == "subnet-iso-b")
    assert (before["kind"], before["private"]) == ("isolated", True)
