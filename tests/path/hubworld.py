"""A hub-and-spoke snapshot for the path tests: the rule fixtures' compliant VPC becomes the hub (vpc-app, its
ECR endpoints with private DNS off), and a spoke VPC (vpc-spoke, 10.1.0.0/16, two isolated workload subnets with
their own S3 gateway) reaches it over a transit gateway; private hosted zones for the ECR names, aliasing the hub
endpoints, are associated with both VPCs."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

BASE = yaml.safe_load((Path(__file__).resolve().parents[1] / "rule_fixtures" / "base.yaml").read_text())
DKR_NAME = "vpce-dkr-abc.dkr.ecr.us-east-1.vpce.amazonaws.com"
API_NAME = "vpce-api-abc.api.ecr.us-east-1.vpce.amazonaws.com"
HUB_SOURCES = ["hosted_zones", "resolver_rules", "transit_gateway_attachments", "transit_gateway_routes",
               "vpc_peering_connections"]


def region_of(data: dict) -> dict:
    return data["regions"][0]


def find(data: dict, collection: str, key: str, value: str) -> dict:
    return next(item for item in region_of(data)[collection] if item[key] == value)


def alias(name: str, target: str) -> dict[str, Any]:
    return {"name": name, "type": "A", "alias_dns_name": target + ".", "alias_hosted_zone_id": "Z1VPCE"}


def zones(vpc_ids: list[str], owner: str = "111122223333") -> list[dict]:
    """The two zones of AWS's Landing Zone Accelerator: dkr.ecr (apex and wildcard) and api.ecr (apex)."""
    return [
        {"hosted_zone_id": "Z0DKR", "name": "dkr.ecr.us-east-1.amazonaws.com.", "owner_account": owner,
         "vpc_ids": vpc_ids, "records_read": True,
         "record_sets": [alias("dkr.ecr.us-east-1.amazonaws.com.", DKR_NAME),
                         alias("\\052.dkr.ecr.us-east-1.amazonaws.com.", DKR_NAME),
                         {"name": "dkr.ecr.us-east-1.amazonaws.com.", "type": "NS", "values": ["ns-1.awsdns-01.org."]}]},
        {"hosted_zone_id": "Z0API", "name": "api.ecr.us-east-1.amazonaws.com.", "owner_account": owner,
         "vpc_ids": vpc_ids, "records_read": True,
         "record_sets": [alias("api.ecr.us-east-1.amazonaws.com.", API_NAME)]},
    ]


def spoke_vpc(data: dict, vpc_id: str = "vpc-spoke", cidr: str = "10.1.0.0/16", via: str = "tgw-1") -> None:
    """Add a spoke VPC with two isolated workload subnets, its own S3 gateway and a route to the hub through ``via``."""
    region = region_of(data)
    prefix = cidr.rsplit(".", 2)[0]
    region["vpcs"].append({"vpc_id": vpc_id, "owner_id": "111122223333", "cidr_blocks": [cidr],
                           "dhcp_options_id": "dopt-amazon", "enable_dns_support": True, "enable_dns_hostnames": True})
    region["subnets"] += [
        {"subnet_id": f"subnet-{vpc_id}-a", "vpc_id": vpc_id, "availability_zone": "us-east-1a", "cidr_block": f"{prefix}.1.0/24"},
        {"subnet_id": f"subnet-{vpc_id}-b", "vpc_id": vpc_id, "availability_zone": "us-east-1b", "cidr_block": f"{prefix}.2.0/24"},
    ]
    hub_route = {"destination_cidr_block": "10.0.0.0/16", "state": "active", "target_id": via,
                 "target_type": "transit_gateway" if via.startswith("tgw-") else "vpc_peering_connection"}
    region["route_tables"].append({
        "route_table_id": f"rtb-{vpc_id}", "vpc_id": vpc_id, "associations": [{"association_id": f"a-{vpc_id}", "main": True}],
        "routes": [{"destination_cidr_block": cidr, "target_type": "local", "target_id": "local", "state": "active"},
                   hub_route,
                   {"destination_prefix_list_id": "pl-s3", "target_type": "vpc_endpoint", "target_id": f"vpce-s3-{vpc_id}",
                    "state": "active"}],
    })
    region["security_groups"].append({"group_id": f"sg-{vpc_id}", "group_name": "workloads", "vpc_id": vpc_id,
                                      "ingress": [], "egress": [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]})
    region["vpc_endpoints"].append({
        "vpc_endpoint_id": f"vpce-s3-{vpc_id}", "vpc_id": vpc_id, "vpc_endpoint_type": "Gateway",
        "service_name": "com.amazonaws.us-east-1.s3", "service_region": "us-east-1", "service": "s3", "state": "available",
        "private_dns_enabled": False, "route_table_ids": [f"rtb-{vpc_id}"]})
    region["network_acls"].append({
        "network_acl_id": f"acl-{vpc_id}", "vpc_id": vpc_id, "is_default": True,
        "subnet_ids": [f"subnet-{vpc_id}-a", f"subnet-{vpc_id}-b"],
        "entries": [{"rule_number": 100, "egress": e, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}
                    for e in (False, True)]})
    for zone in ("a", "b"):
        region["network_interfaces"].append({
            "network_interface_id": f"eni-{vpc_id}-{zone}", "subnet_id": f"subnet-{vpc_id}-{zone}", "vpc_id": vpc_id,
            "availability_zone": f"us-east-1{zone}", "interface_type": "interface", "attachment_instance_id": f"i-{zone}",
            "group_ids": [f"sg-{vpc_id}"], "private_ips": [f"{prefix}.{1 if zone == 'a' else 2}.10"]})
    for table_id in ("rtb-priv-a", "rtb-priv-b", "rtb-main"):
        find(data, "route_tables", "route_table_id", table_id)["routes"].append(
            {**hub_route, "destination_cidr_block": cidr})
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"].append(
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": cidr})


def attachment(attachment_id: str, vpc_id: str, subnets: list[str], gateway: str = "tgw-1") -> dict:
    return {"transit_gateway_attachment_id": attachment_id, "transit_gateway_id": gateway, "vpc_id": vpc_id,
            "vpc_owner_id": "111122223333", "state": "available", "subnet_ids": subnets, "appliance_mode_support": "disable"}


def tgw_route(cidr: str, attachment_id: str, vpc_id: str) -> dict:
    return {"destination_cidr_block": cidr, "type": "propagated", "state": "active",
            "attachments": [{"transit_gateway_attachment_id": attachment_id, "resource_id": vpc_id, "resource_type": "vpc"}]}


def _hub(via: str) -> dict:
    """The base VPC as a hub whose ECR endpoints have private DNS off, and a spoke reaching it through ``via``."""
    data = copy.deepcopy(BASE)
    region = region_of(data)
    region["collected"] = sorted(set(region["collected"]) | set(HUB_SOURCES))
    for endpoint_id, name in (("vpce-dkr", DKR_NAME), ("vpce-api", API_NAME)):
        endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)
        endpoint["private_dns_enabled"] = False
        endpoint["dns_entries"] = [{"dns_name": name, "hosted_zone_id": "Z1VPCE"}]
    spoke_vpc(data, via=via)
    region["hosted_zones"] = zones(["vpc-app", "vpc-spoke"])
    region["hosted_zone_vpc_ids"] = ["vpc-app", "vpc-spoke"]
    return data


def hub_and_spoke() -> dict:
    """The hub (vpc-app) and one spoke (vpc-spoke) over transit gateway tgw-1 (see the module docstring)."""
    data = _hub("tgw-1")
    region = region_of(data)
    region["transit_gateway_attachments"] = [
        attachment("tgw-attach-hub", "vpc-app", ["subnet-priv-a", "subnet-priv-b"]),
        attachment("tgw-attach-spoke", "vpc-spoke", ["subnet-vpc-spoke-a", "subnet-vpc-spoke-b"]),
    ]
    region["transit_gateway_route_tables"] = [{
        "transit_gateway_route_table_id": "tgw-rtb-1", "transit_gateway_id": "tgw-1", "state": "available",
        "default_association_route_table": True, "default_propagation_route_table": True,
        "routes": [tgw_route("10.0.0.0/16", "tgw-attach-hub", "vpc-app"),
                   tgw_route("10.1.0.0/16", "tgw-attach-spoke", "vpc-spoke")],
    }]
    return data


def peered_pair() -> dict:
    """The hub and a spoke over an active peering connection pcx-1 instead of a transit gateway."""
    data = _hub("pcx-1")
    region_of(data)["vpc_peering_connections"] = [{
        "vpc_peering_connection_id": "pcx-1", "status": "active",
        "requester": {"vpc_id": "vpc-spoke", "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": ["10.1.0.0/16"]},
        "accepter": {"vpc_id": "vpc-app", "owner_id": "111122223333", "region": "us-east-1", "cidr_blocks": ["10.0.0.0/16"]},
    }]
    return data
