"""The view's facts carry the snapshot's values and what the view derives from them, for every kind of item: the
built-in base snapshot (vpclint/fixture_base.yaml: one VPC, a public subnet, two NAT subnets with their own tables,
an isolated subnet on the main table, ECR and logs interface endpoints, an S3 gateway endpoint) with distinctive
values set where the base leaves defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from vpclint.snapshot import Snapshot
from vpclint.view import RegionView, build_region_view

BASE = Path(__file__).resolve().parents[1] / "vpclint" / "fixture_base.yaml"
POLICY = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Resource": "*"}]}


def _distinctive(region: dict) -> None:
    vpc = region["vpcs"][0]
    vpc.update({"owner_id": "111122223333", "is_default": True, "ipv6_cidr_blocks": ["2600:1f18:1::/56"],
                "tags": {"Name": "app", "team": "pay"}})
    region["dhcp_options"][0]["domain_name_servers"] = ["10.0.0.2", "169.254.169.253"]
    subnet = next(s for s in region["subnets"] if s["subnet_id"] == "subnet-priv-a")
    subnet["ipv6_cidr_blocks"] = ["2600:1f18:1:1::/64"]
    api = next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-api")
    api["policy"] = POLICY


@pytest.fixture
def view() -> RegionView:
    data = yaml.safe_load(BASE.read_text())
    _distinctive(data["regions"][0])
    snapshot = Snapshot.model_validate(data)
    return build_region_view(snapshot, snapshot.regions[0], settings={"required_services": ["logs"]})


def _item(view: RegionView, kind: str, resource_id: str) -> dict:
    return next(i for i in view.items[kind] if i["resource_id"] == resource_id)


def _ids(items: list[dict], key: str = "subnet_id") -> list[str]:
    return [i[key] for i in items]


def test_the_vpc_item_carries_its_collected_attributes(view):
    vpc = _item(view, "vpc", "vpc-app")
    assert {k: vpc[k] for k in ("cidr_blocks", "ipv6_cidr_blocks", "is_default", "owner_id", "owner_scanned",
                                "enable_dns_support", "enable_dns_hostnames", "dhcp_options_id", "tags")} == {
        "cidr_blocks": ["10.0.0.0/16"], "ipv6_cidr_blocks": ["2600:1f18:1::/56"], "is_default": True,
        "owner_id": "111122223333", "owner_scanned": True, "enable_dns_support": True, "enable_dns_hostnames": True,
        "dhcp_options_id": "dopt-amazon", "tags": {"Name": "app", "team": "pay"},
    }
    assert (vpc["dns_servers"], vpc["custom_dns_servers"]) == (["10.0.0.2", "169.254.169.253"], [])  # both the Amazon resolver
    assert (vpc["s3_prefix_list_id"], vpc["settings"]) == ("pl-s3", {"required_services": ["logs"]})
    assert (vpc["skipped"], vpc["skip_reason"], vpc["in_scope"], vpc["verdict"]) == (False, None, True, "private")
    assert vpc["verdict_summary"] == "every flow of every workload subnet stays private"


def test_the_vpc_item_lists_its_subnets_by_kind_azs_tables_endpoints_and_groups(view):
    vpc = _item(view, "vpc", "vpc-app")
    assert _ids(vpc["subnets"]) == ["subnet-pub-a", "subnet-priv-a", "subnet-priv-b", "subnet-iso-b"]  # snapshot order
    assert _ids(vpc["public_subnets"]) == ["subnet-pub-a"]
    assert _ids(vpc["nat_subnets"]) == ["subnet-priv-a", "subnet-priv-b"]
    assert _ids(vpc["isolated_subnets"]) == ["subnet-iso-b"]
    assert _ids(vpc["private_subnets"]) == _ids(vpc["workload_subnets"]) == ["subnet-priv-a", "subnet-priv-b", "subnet-iso-b"]
    assert vpc["private_azs"] == vpc["workload_azs"] == ["us-east-1a", "us-east-1b"]
    assert vpc["private_route_table_ids"] == vpc["workload_route_table_ids"] == ["rtb-main", "rtb-priv-a", "rtb-priv-b"]
    assert vpc["subnet_per_az"] == ["subnet-priv-a", "subnet-iso-b"]  # the first workload subnet by id of each AZ
    assert _ids(vpc["endpoints"], "vpc_endpoint_id") == ["vpce-dkr", "vpce-api", "vpce-logs", "vpce-s3"]
    assert vpc["foreign_region_endpoints"] == []
    assert sorted(vpc["security_groups"]) == ["sg-endpoints", "sg-workloads"]
    assert vpc["security_groups"]["sg-workloads"]["group_name"] == "workloads"


def test_a_subnet_item_carries_its_collected_values_its_table_and_its_pull_path(view):
    subnet = _item(view, "subnet", "subnet-priv-a")
    assert {k: v for k, v in subnet.items() if k not in ("flows", "vpc")} == {
        "account_id": "111122223333", "partition": "aws", "region": "us-east-1", "service_prefix": "com.amazonaws",
        "vpc_id": "vpc-app", "resource_type": "subnet", "resource_id": "subnet-priv-a",
        "arn": "arn:aws:ec2:us-east-1:111122223333:subnet/subnet-priv-a",
        "subnet_id": "subnet-priv-a", "cidr_block": "10.0.1.0/24", "ipv6_cidr_blocks": ["2600:1f18:1:1::/64"],
        "availability_zone": "us-east-1a", "route_table_id": "rtb-priv-a", "route_table_explicit": True,
        "kind": "nat", "private": True, "workload": True, "workloads": ["ecs_task"], "blocked_by": {}, "verdict": "private",
    }
    assert {name: (f["path"], f["via"]) for name, f in subnet["flows"].items()} == {
        "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"), "layers": ("endpoint", "vpce-s3")}
    assert subnet["vpc"] is _item(view, "vpc", "vpc-app")
    node = _item(view, "subnet", "subnet-priv-b")
    assert (node["workloads"], node["ipv6_cidr_blocks"], node["availability_zone"]) == (["ec2_instance"], [], "us-east-1b")
    public = _item(view, "subnet", "subnet-pub-a")
    assert (public["kind"], public["private"], public["workload"], public["workloads"], public["flows"],
            public["blocked_by"], public["verdict"]) == ("public", False, False, [], {}, {}, None)


def test_route_table_items_carry_their_routes_served_subnets_and_gateway_endpoints(view):
    main, public, priv_a = (_item(view, "route_table", t) for t in ("rtb-main", "rtb-public", "rtb-priv-a"))
    assert (main["main"], main["explicit_subnet_ids"], _ids(main["subnets"])) == (True, [], ["subnet-iso-b"])
    assert (public["main"], public["explicit_subnet_ids"], _ids(public["subnets"])) == (False, ["subnet-pub-a"], ["subnet-pub-a"])
    assert (public["private_subnets"], public["workload_subnets"], public["gateway_endpoints_by_service"]) == ([], [], {})
    assert _ids(priv_a["private_subnets"]) == _ids(priv_a["workload_subnets"]) == ["subnet-priv-a"]
    assert priv_a["gateway_endpoints_by_service"] == {"s3": ["vpce-s3"]}
    assert (priv_a["s3_diverted"], priv_a["s3_route_blackhole"]) == ([], None)
    assert [(r["destination_cidr_block"], r["destination_prefix_list_id"], r["target_type"], r["target_id"], r["state"])
            for r in priv_a["routes"]] == [
        ("10.0.0.0/16", None, "local", "local", "active"), ("0.0.0.0/0", None, "nat_gateway", "nat-a", "active"),
        (None, "pl-s3", "vpc_endpoint", "vpce-s3", "active")]
    assert (priv_a["arn"], priv_a["vpc"]["vpc_id"]) == ("arn:aws:ec2:us-east-1:111122223333:route-table/rtb-priv-a", "vpc-app")


def test_an_endpoint_summary_carries_the_collected_endpoint(view):
    vpc = _item(view, "vpc", "vpc-app")
    api = vpc["endpoints_by_service"]["ecr.api"][0]
    assert api == {
        "vpc_endpoint_id": "vpce-api", "vpc_endpoint_type": "Interface", "service_name": "com.amazonaws.us-east-1.ecr.api",
        "service": "ecr.api", "service_region": "us-east-1", "same_region": True, "state": "available",
        "private_dns_enabled": True, "subnet_ids": ["subnet-priv-a", "subnet-priv-b"],
        "availability_zones": ["us-east-1a", "us-east-1b"], "route_table_ids": [], "group_ids": ["sg-endpoints"],
        "policy": POLICY, "policy_error": None,
    }
    s3 = vpc["endpoints_by_service"]["s3"][0]
    assert (s3["vpc_endpoint_type"], s3["subnet_ids"], s3["availability_zones"], s3["private_dns_enabled"], s3["policy"]) == (
        "Gateway", [], [], False, None)
    item = _item(view, "endpoint", "vpce-api")
    assert {k: item[k] for k in api} == api
    assert (item["effective_group_ids"], item["az_gap_subnet_ids"], item["local_equivalent_ids"], item["zone_aliases"]) == (
        ["sg-endpoints"], [], [], [])


def test_the_verdict_rows_name_each_vpc_and_its_workload_subnets(view):
    (row,) = view.verdicts
    assert {k: v for k, v in row.items() if k != "subnets"} == {
        "account_id": "111122223333", "region": "us-east-1", "vpc_id": "vpc-app", "name": "app", "verdict": "private",
        "summary": "every flow of every workload subnet stays private"}
    assert [(s["subnet_id"], s["availability_zone"], s["kind"], s["verdict"], s["workloads"]) for s in row["subnets"]] == [
        ("subnet-priv-a", "us-east-1a", "nat", "private", ["ecs_task"]),
        ("subnet-priv-b", "us-east-1b", "nat", "private", ["ec2_instance"]),
        ("subnet-iso-b", "us-east-1b", "isolated", "private", ["ec2_instance"])]
    assert row["subnets"][0]["flows"] == _item(view, "subnet", "subnet-priv-a")["flows"]
    assert view.skipped == []
    assert (view.region, view.collected) == ("us-east-1", frozenset(yaml.safe_load(BASE.read_text())["regions"][0]["collected"]))


def _base(patch) -> Snapshot:
    data = yaml.safe_load(BASE.read_text())
    patch(data["regions"][0])
    return Snapshot.model_validate(data)


def _tag_skip(region: dict) -> None:
    region["vpcs"][0]["tags"] = {"Name": "legacy-app", "vpclint:skip": "  retired in Q3 "}


@pytest.mark.parametrize("settings", [None, {}, {"skip_tags": True}])
def test_a_vpc_skipped_by_its_tag_says_why_in_its_item_its_verdict_row_and_the_skipped_list(settings):
    snapshot = _base(_tag_skip)
    view = build_region_view(snapshot, snapshot.regions[0], settings=settings)
    vpc = _item(view, "vpc", "vpc-app")
    assert (vpc["skipped"], vpc["skip_reason"], vpc["in_scope"], vpc["verdict"]) == (True, "retired in Q3", False, "not_in_scope")
    assert vpc["verdict_summary"] == "skipped by its vpclint:skip tag: retired in Q3"
    assert view.skipped == [{"account_id": "111122223333", "region": "us-east-1", "vpc_id": "vpc-app", "name": "legacy-app",
                             "reason": "retired in Q3"}]
    (row,) = view.verdicts
    assert (row["verdict"], row["summary"], row["name"]) == ("not_in_scope", vpc["verdict_summary"], "legacy-app")


def test_skip_tags_refused_by_the_settings_leave_the_vpc_in_scope():
    snapshot = _base(_tag_skip)
    view = build_region_view(snapshot, snapshot.regions[0], settings={"skip_tags": False})
    vpc = _item(view, "vpc", "vpc-app")
    assert (vpc["skipped"], vpc["skip_reason"], vpc["in_scope"], vpc["verdict"]) == (False, None, True, "private")
    assert view.skipped == [] and vpc["settings"] == {"skip_tags": False}


def test_a_bare_vpc_has_empty_facts_not_missing_ones():
    """A VPC with no subnets, route tables, groups or endpoints of its own next to the base VPC."""
    def bare(region: dict) -> None:
        region["vpcs"].append({"vpc_id": "vpc-bare", "cidr_blocks": ["10.1.0.0/16"]})

    snapshot = _base(bare)
    view = build_region_view(snapshot, snapshot.regions[0])
    vpc = _item(view, "vpc", "vpc-bare")
    assert {k: vpc[k] for k in ("subnets", "workload_subnets", "private_subnets", "public_subnets", "nat_subnets",
                                "isolated_subnets", "subnet_per_az", "workload_azs", "private_azs", "endpoints",
                                "endpoints_by_service", "foreign_region_endpoints", "security_groups", "nat_gateways",
                                "nat_subnets_without_s3_gateway")} == {
        "subnets": [], "workload_subnets": [], "private_subnets": [], "public_subnets": [], "nat_subnets": [],
        "isolated_subnets": [], "subnet_per_az": [], "workload_azs": [], "private_azs": [], "endpoints": [],
        "endpoints_by_service": {}, "foreign_region_endpoints": [], "security_groups": {}, "nat_gateways": [],
        "nat_subnets_without_s3_gateway": []}
    assert (vpc["in_scope"], vpc["verdict"], vpc["verdict_summary"]) == (False, "not_in_scope", "no workload subnet")
    assert (vpc["dhcp_options_id"], vpc["dns_servers"], vpc["custom_dns_servers"]) == (None, [], [])  # read, no set
    assert vpc["s3_prefix_list_id"] == "pl-s3"  # the region's
    assert [i["vpc_id"] for kind in ("subnet", "route_table", "endpoint", "security_group") for i in view.items[kind]
            if i["vpc_id"] == "vpc-bare"] == []
    assert [r["vpc_id"] for r in view.verdicts] == ["vpc-app", "vpc-bare"]


def test_a_gateway_endpoint_item_has_no_az_gaps_and_the_vpcs_groups_by_id(view):
    s3 = _item(view, "endpoint", "vpce-s3")
    assert (s3["az_gap_subnet_ids"], s3["availability_zones"], s3["ingress_blocked_subnets"]) == ([], [], [])
    assert s3["effective_group_ids"] == []  # a gateway endpoint has no groups; the VPC has no group named default
    group = _item(view, "security_group", "sg-endpoints")
    assert group["vpc"]["security_groups"]["sg-endpoints"] == {k: group[k] for k in ("group_id", "group_name", "ingress", "egress")}


def test_the_vpc_filter_keeps_every_item_of_the_wanted_vpc_whatever_comes_first():
    """Another VPC's subnet, table, endpoint and group listed before the base VPC's are left out; none of the
    wanted VPC's items is lost."""
    def other_first(region: dict) -> None:
        region["vpcs"].insert(0, {"vpc_id": "vpc-other", "cidr_blocks": ["10.1.0.0/16"]})
        region["subnets"].insert(0, {"subnet_id": "subnet-other", "vpc_id": "vpc-other", "availability_zone": "us-east-1a",
                                     "cidr_block": "10.1.1.0/24"})
        region["route_tables"].insert(0, {"route_table_id": "rtb-other", "vpc_id": "vpc-other",
                                          "associations": [{"association_id": "rtbassoc-other", "main": True}], "routes": []})
        dkr = next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-dkr")
        region["vpc_endpoints"].insert(0, {**dkr, "vpc_endpoint_id": "vpce-other", "vpc_id": "vpc-other",
                                           "subnet_ids": ["subnet-other"], "network_interface_ids": []})
        region["security_groups"].insert(0, {"group_id": "sg-other", "group_name": "default", "vpc_id": "vpc-other",
                                             "ingress": [], "egress": []})

    snapshot = _base(other_first)
    every = build_region_view(snapshot, snapshot.regions[0])
    wanted = build_region_view(snapshot, snapshot.regions[0], vpc_ids=["vpc-app"])
    for kind, items in wanted.items.items():
        assert [i["resource_id"] for i in items] == [i["resource_id"] for i in every.items[kind] if i["vpc_id"] == "vpc-app"], kind
        assert items, kind
    assert [r["vpc_id"] for r in wanted.verdicts] == ["vpc-app"]
    assert {i["vpc_id"] for items in every.items.values() for i in items} == {"vpc-app", "vpc-other"}


def test_an_interface_endpoint_missing_an_az_names_the_subnet_per_az_to_add():
    def dkr_in_one_az(region: dict) -> None:
        next(e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-dkr")["subnet_ids"] = ["subnet-priv-a"]

    snapshot = _base(dkr_in_one_az)
    view = build_region_view(snapshot, snapshot.regions[0])
    dkr = _item(view, "endpoint", "vpce-dkr")
    assert (dkr["availability_zones"], dkr["az_gap_subnet_ids"]) == (["us-east-1a"], ["subnet-iso-b"])  # us-east-1b's first
    assert _item(view, "endpoint", "vpce-api")["az_gap_subnet_ids"] == []
