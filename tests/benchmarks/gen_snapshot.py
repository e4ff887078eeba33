"""Synthetic snapshots for the rule benchmark: N VPCs spread over four regions.

Run: ``python tests/benchmarks/gen_snapshot.py 1000 -o snapshot.json``. Each VPC has 6 subnets in 3 AZs (two
public, three private via NAT, one isolated on the main table), 3 route tables (main, public, private), 3 security
groups, 4 endpoints (ecr.dkr, ecr.api, logs, S3 gateway) with one interface per subnet, a network ACL, and four
workload interfaces per private subnet (two security-group sets). Every third VPC is misconfigured in several ways
(ecr.api private DNS off, an endpoint group that admits one subnet, one AZ missing, the main table not on the S3
gateway, an ACL without inbound rules for the replies on one subnet) so rules fire and render findings too.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

REGIONS = ("us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1")


def _vpc(region: str, n: int) -> dict:
    """The resources of VPC number ``n`` in ``region``, as snapshot collections."""
    vpc_id, h = f"vpc-{n:08x}", f"{n:08x}"
    broken = n % 3 == 0
    second, third = (n // 256) % 256, n % 256
    cidr = f"10.{second}.0.0/16"
    azs = [f"{region}{z}" for z in "abc"]
    subnets, routes_main = [], {"route_table_id": f"rtb-main-{h}", "vpc_id": vpc_id, "associations": [{"main": True}],
                                "routes": [{"destination_cidr_block": cidr, "target_type": "local", "target_id": "local"}]}
    public = {"route_table_id": f"rtb-pub-{h}", "vpc_id": vpc_id, "associations": [], "routes": [
        {"destination_cidr_block": cidr, "target_type": "local", "target_id": "local"},
        {"destination_cidr_block": "0.0.0.0/0", "target_type": "internet_gateway", "target_id": f"igw-{h}"}]}
    private = {"route_table_id": f"rtb-priv-{h}", "vpc_id": vpc_id, "associations": [], "routes": [
        {"destination_cidr_block": cidr, "target_type": "local", "target_id": "local"},
        {"destination_cidr_block": "0.0.0.0/0", "target_type": "nat_gateway", "target_id": f"nat-{h}"}]}
    for index in range(6):
        subnet_id = f"subnet-{h}-{index}"
        subnets.append({"subnet_id": subnet_id, "vpc_id": vpc_id, "availability_zone": azs[index % 3],
                        "cidr_block": f"10.{second}.{third}.{index * 32}/27"})
        if index < 2:
            public["associations"].append({"subnet_id": subnet_id, "state": "associated"})
        elif index < 5:
            private["associations"].append({"subnet_id": subnet_id, "state": "associated"})
    private_ids = [s["subnet_id"] for s in subnets[2:5]]
    endpoint_sources = [f"10.{second}.{third}.64/27"] if broken else [cidr]
    groups = [
        {"group_id": f"sg-ep-{h}", "group_name": "endpoints", "vpc_id": vpc_id,
         "ingress": [{"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": c} for c in endpoint_sources]},
        {"group_id": f"sg-app-{h}", "group_name": "app", "vpc_id": vpc_id,
         "ingress": [{"protocol": "tcp", "from_port": 8080, "to_port": 8080, "referenced_group_id": f"sg-ep-{h}"}]},
        {"group_id": f"sg-def-{h}", "group_name": "default", "vpc_id": vpc_id,
         "ingress": [{"protocol": "-1", "referenced_group_id": f"sg-def-{h}"}]},
    ]
    interface_subnets = private_ids[:2] if broken else private_ids

    interfaces = []

    def eni(eni_id: str, subnet: dict, address: int, **fields) -> str:
        interfaces.append({"network_interface_id": eni_id, "subnet_id": subnet["subnet_id"], "vpc_id": vpc_id,
                           "availability_zone": subnet["availability_zone"],
                           "private_ips": [f"10.{second}.{third}.{int(subnet['cidr_block'].split('.')[3].split('/')[0]) + address}"],
                           **fields})
        return eni_id

    by_id = {s["subnet_id"]: s for s in subnets}

    def interface(service: str, dns: bool, slot: int) -> dict:
        name = service.replace(".", "")
        enis = [eni(f"eni-{name}-{h}-{i}", by_id[subnet_id], 4 + slot, interface_type="vpc_endpoint", requester_managed=True,
                    group_ids=[f"sg-ep-{h}"]) for i, subnet_id in enumerate(interface_subnets)]
        return {"vpc_endpoint_id": f"vpce-{name}-{h}", "vpc_id": vpc_id, "vpc_endpoint_type": "Interface",
                "service_name": f"com.amazonaws.{region}.{service}", "service_region": region, "service": service,
                "state": "available", "private_dns_enabled": dns, "subnet_ids": interface_subnets, "group_ids": [f"sg-ep-{h}"],
                "network_interface_ids": enis}

    for subnet in subnets[2:]:
        for slot in range(4):
            eni(f"eni-wl-{subnet['subnet_id']}-{slot}", subnet, 10 + slot, interface_type="interface",
                attachment_instance_id=f"i-{h}-{slot}", group_ids=[f"sg-app-{h}"] if slot % 2 else [f"sg-app-{h}", f"sg-def-{h}"])
    eni(f"eni-nat-{h}", subnets[0], 5, interface_type="nat_gateway", requester_managed=True)
    allow_all = [{"rule_number": 100, "egress": egress, "protocol": "-1", "rule_action": "allow", "cidr_block": "0.0.0.0/0"}
                 for egress in (False, True)]
    acls = [{"network_acl_id": f"acl-{h}", "vpc_id": vpc_id, "is_default": True, "entries": allow_all,
             "subnet_ids": [s["subnet_id"] for s in subnets[:5 if broken else 6]]}]
    if broken:
        acls.append({"network_acl_id": f"acl-strict-{h}", "vpc_id": vpc_id, "subnet_ids": [subnets[5]["subnet_id"]],
                     "entries": [allow_all[1]]})

    endpoints = [
        interface("ecr.dkr", True, 0), interface("ecr.api", not broken, 1), interface("logs", True, 2),
        {"vpc_endpoint_id": f"vpce-s3-{h}", "vpc_id": vpc_id, "vpc_endpoint_type": "Gateway",
         "service_name": f"com.amazonaws.{region}.s3", "service_region": region, "service": "s3", "state": "available",
         "route_table_ids": [private["route_table_id"]] + ([] if broken else [routes_main["route_table_id"]])},
    ]
    s3_route = {"destination_prefix_list_id": f"pl-s3-{region}", "target_type": "vpc_endpoint", "target_id": f"vpce-s3-{h}"}
    private["routes"].append(s3_route)
    if not broken:
        routes_main["routes"].append(s3_route)
    groups[1]["egress"] = [{"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"}]
    return {
        "vpcs": [{"vpc_id": vpc_id, "cidr_blocks": [cidr], "dhcp_options_id": "dopt-amazon",
                  "enable_dns_support": True, "enable_dns_hostnames": True}],
        "subnets": subnets, "route_tables": [routes_main, public, private], "security_groups": groups,
        "vpc_endpoints": endpoints, "internet_gateways": [{"internet_gateway_id": f"igw-{h}", "attached_vpc_ids": [vpc_id]}],
        "nat_gateways": [{"nat_gateway_id": f"nat-{h}", "vpc_id": vpc_id, "subnet_id": subnets[0]["subnet_id"], "state": "available"}],
        "network_acls": acls, "network_interfaces": interfaces,
    }


def generate(vpcs: int) -> dict:
    """A snapshot document (plain data, validated by the caller) with ``vpcs`` VPCs over four regions."""
    from vpclint.snapshot import SOURCES

    regions = []
    for r, region in enumerate(REGIONS):
        data: dict = {"region": region, "collected": sorted(SOURCES), "errors": [],
                      "dhcp_options": [{"dhcp_options_id": "dopt-amazon", "domain_name_servers": ["AmazonProvidedDNS"]}],
                      "prefix_lists": [{"prefix_list_id": f"pl-s3-{region}", "prefix_list_name": f"com.amazonaws.{region}.s3",
                                        "owner_id": "AWS", "cidrs": ["3.5.0.0/19", "16.182.0.0/16", "52.216.0.0/15", "54.231.0.0/16"]}]}
        for n in range(r, vpcs, len(REGIONS)):
            for key, values in _vpc(region, n).items():
                data.setdefault(key, []).extend(values)
        regions.append(data)
    return {"schema_version": 2, "generator": "tests/benchmarks/gen_snapshot.py", "account_id": "111122223333",
            "partition": "aws", "errors": [], "regions": regions}


def main() -> int:
    import json

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("vpcs", type=int)
    parser.add_argument("-o", "--output", type=Path, required=True)
    args = parser.parse_args()
    args.output.write_text(json.dumps(generate(args.vpcs)), encoding="utf-8")
    print(f"wrote {args.output} ({args.vpcs} VPCs)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
