"""Which accounts' views of a region are joined (vpclint.region_links.linked_accounts): each kind of link the module
names, one at a time, between two accounts that otherwise share nothing and read different sources (so only a link
joins them); what links nothing; and where accounts whose VPCs could not be read go."""

from __future__ import annotations

from typing import Any

import pytest

from vpclint.region_links import linked_accounts
from vpclint.snapshot import Snapshot

REGION = "us-east-1"
A, B, C = "111111111111", "222222222222", "333333333333"


def view(account: str, extra: dict[str, Any], collected: tuple[str, ...] = ()) -> dict:
    """An account's view of the region: its own VPC, and ``extra`` collections; ``collected`` adds to ``vpcs``."""
    region = {"region": REGION, "collected": ["vpcs", *collected],
              "vpcs": [{"vpc_id": f"vpc-{account}", "owner_id": account}], **extra}
    return {"account_id": account, "regions": [region]}


def groups(*views: dict) -> list[list[str]]:
    return linked_accounts(Snapshot.model_validate({"schema_version": 3, "accounts": list(views)}), REGION)


def peering(requester: str, accepter: str) -> dict:
    return {"vpc_peering_connections": [{"vpc_peering_connection_id": "pcx-1", "status": "active",
                                         "requester": {"vpc_id": f"vpc-{requester}", "owner_id": requester},
                                         "accepter": {"vpc_id": f"vpc-{accepter}", "owner_id": accepter}}]}


# what one account's view holds or names that links it to account B (which holds only its own VPC)
LINKS = {
    "a peering connection whose accepter is B's": peering(A, B),
    "a peering connection requested by B": peering(B, A),
    "a VPC owned by B (shared with A)": {"vpcs": [{"vpc_id": f"vpc-{A}", "owner_id": A}, {"vpc_id": "vpc-shared", "owner_id": B}]},
    "a private hosted zone owned by B": {"hosted_zones": [{"hosted_zone_id": "Z1", "name": "example.com", "owner_account": B}]},
    "a Resolver rule owned by B": {"resolver_rules": [{"resolver_rule_id": "rslvr-rr-1", "domain_name": "example.com", "rule_type": "FORWARD",
                                                       "owner_id": B}]},
    "an attachment of B's VPC": {"transit_gateway_attachments": [{"transit_gateway_attachment_id": "tgw-attach-b",
                                                                   "vpc_id": f"vpc-{B}", "vpc_owner_id": B}]},
    "a rule referencing B's security group": {"security_groups": [{
        "group_id": "sg-a", "group_name": "a", "vpc_id": f"vpc-{A}", "egress": [],
        "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-b",
                     "referenced_group_owner_id": B}]}]},
    "an egress rule referencing B's security group": {"security_groups": [{
        "group_id": "sg-a", "group_name": "a", "vpc_id": f"vpc-{A}", "ingress": [],
        "egress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "referenced_group_id": "sg-b",
                    "referenced_group_owner_id": B}]}]},
    "an endpoint owned by B": {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-b", "vpc_id": f"vpc-{A}", "owner_id": B}]},
}


@pytest.mark.parametrize("link", sorted(LINKS))
def test_an_account_naming_another_as_an_owner_is_joined_with_it(link):
    assert groups(view(A, LINKS[link]), view(B, {}, ("subnets",))) == [[A, B]]


def test_accounts_sharing_nothing_and_reading_differently_are_apart():
    assert groups(view(B, {}, ("subnets",)), view(A, {})) == [[A], [B]]


@pytest.mark.parametrize("held", [
    {"vpc_peering_connections": [{"vpc_peering_connection_id": "pcx-1", "status": "active"}]},
    {"prefix_lists": [{"prefix_list_id": "pl-mine", "prefix_list_name": "offices", "owner_id": A}]},
    {"network_acls": [{"network_acl_id": "acl-1", "vpc_id": "vpc-x"}]},
])
def test_accounts_holding_the_same_resource_are_joined(held):
    assert groups(view(A, held), view(B, held, ("subnets",))) == [[A, B]]


@pytest.mark.parametrize("owner", ["AWS", "", None, "12345678901", "1111111111111", "11111111111a"])
def test_a_prefix_list_not_owned_by_an_account_links_nothing(owner):
    """AWS-managed prefix lists (owner ``AWS``) are in every account; only an account id (12 digits) owns one."""
    held = {"prefix_lists": [{"prefix_list_id": "pl-s3", "prefix_list_name": "com.amazonaws.us-east-1.s3", "owner_id": owner}]}
    assert groups(view(A, held), view(B, held, ("subnets",))) == [[A], [B]]


@pytest.mark.parametrize("owner", ["AWS", "amazon-elb", "22222222222", "22222222222a"])
def test_an_owner_that_is_not_an_account_id_links_nothing(owner):
    held = {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-1", "vpc_id": f"vpc-{A}", "owner_id": owner}]}
    also = {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-2", "vpc_id": f"vpc-{B}", "owner_id": owner}]}
    assert groups(view(A, held), view(B, also, ("subnets",))) == [[A], [B]]


def test_an_account_naming_itself_as_owner_links_no_one_else():
    held = {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-1", "vpc_id": f"vpc-{A}", "owner_id": A}]}
    assert groups(view(A, held), view(B, {}, ("subnets",))) == [[A], [B]]


@pytest.mark.parametrize("record", [
    {"name": "api.ecr.us-east-1.amazonaws.com.", "type": "A",
     "alias_dns_name": "VPCE-0ABC-x1y2z3.api.ecr.us-east-1.vpce.amazonaws.com."},
    {"name": "api.ecr.us-east-1.amazonaws.com.", "type": "CNAME", "values": [" vpce-0abc-x1y2z3.api.ecr.us-east-1.vpce.amazonaws.com"]},
])
def test_a_zone_record_naming_an_endpoint_links_the_zones_account_to_the_endpoints(record):
    """The record's target starts with the endpoint's id and a suffix of its own (``vpce-<id>-<suffix>``)."""
    zone = {"hosted_zones": [{"hosted_zone_id": "Z1", "name": "api.ecr.us-east-1.amazonaws.com.", "owner_account": A,
                              "records_read": True, "record_sets": [record]}]}
    endpoint = {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-0abc", "vpc_id": f"vpc-{B}", "owner_id": B}]}
    assert groups(view(A, zone), view(B, endpoint, ("subnets",))) == [[A, B]]
    other = {"vpc_endpoints": [{"vpc_endpoint_id": "vpce-0abd", "vpc_id": f"vpc-{B}", "owner_id": B}]}
    assert groups(view(A, zone), view(B, other, ("subnets",))) == [[A], [B]]


def test_links_are_followed_transitively():
    assert groups(view(A, peering(A, B)), view(B, {}, ("subnets",)), view(C, {"vpcs": [{"vpc_id": f"vpc-{C}", "owner_id": B}]},
                                                                        ("route_tables",))) == [[A, B, C]]


def test_groups_reading_the_same_sources_are_one_view_and_groups_are_ordered_by_first_account():
    assert groups(view(C, {}), view(A, {}, ("subnets",)), view(B, {})) == [[A], [B, C]]


def test_accounts_whose_vpcs_were_not_read_go_with_the_first_group():
    def unread(account: str) -> dict:
        return {"account_id": account, "regions": [{"region": REGION, "collected": ["subnets"]}]}

    assert groups(view(B, {}, ("subnets",)), unread("000000000009"), view(A, {}), unread("000000000008")) == [
        [A, "000000000008", "000000000009"], [B]]
    assert groups(unread("000000000009")) == [["000000000009"]]
    assert groups() == []
