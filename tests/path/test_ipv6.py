"""IPv6-only subnets: decided over their IPv6 addresses. Interface endpoints must take IPv6 and answer AAAA
(else the flow is blocked at link endpoint-ip-type); the egress-only internet gateway is the IPv6 way out."""

from __future__ import annotations

import ipaddress

from hypothesis import given
from hypothesis import strategies as st
from test_flows import ALLOW_ALL_IN, ALLOW_ALL_OUT, base, find, paths, region_of

from vpclint.path.checks import Judge
from vpclint.path.index import build_index
from vpclint.path.ipv6 import UNIQUE_LOCAL, check_ip_type, public_way6
from vpclint.snapshot import Route, RouteTable, Snapshot, VpcEndpoint

VPC6 = "2600:1f18:aa::/56"
IPV6_ONLY = "2600:1f18:aa:1::/64"
DUAL = "2600:1f18:aa:2::/64"


def ipv6_account(ip_type: str = "dualstack", dns_type: str = "dualstack", gateway_type: str = "dualstack") -> dict:
    """The base account with an IPv6 CIDR: subnet-priv-a is IPv6-only (default route ::/0 to an egress-only
    gateway), subnet-priv-b dual-stack and holding the interface endpoints; ACLs and groups open to IPv6."""
    data = base()
    region = region_of(data)
    find(data, "vpcs", "vpc_id", "vpc-app")["ipv6_cidr_blocks"] = [VPC6]
    find(data, "subnets", "subnet_id", "subnet-priv-a").update({"cidr_block": None, "ipv6_cidr_blocks": [IPV6_ONLY]})
    find(data, "subnets", "subnet_id", "subnet-priv-b")["ipv6_cidr_blocks"] = [DUAL]
    find(data, "route_tables", "route_table_id", "rtb-priv-a")["routes"] = [
        {"destination_cidr_block": "10.0.0.0/16", "target_type": "local", "target_id": "local", "state": "active"},
        {"destination_ipv6_cidr_block": VPC6, "target_type": "local", "target_id": "local", "state": "active"},
        {"destination_ipv6_cidr_block": "::/0", "target_type": "egress_only_internet_gateway", "target_id": "eigw-1", "state": "active"},
        {"destination_prefix_list_id": "pl-s3", "target_type": "vpc_endpoint", "target_id": "vpce-s3", "state": "active"},
    ]
    find(data, "route_tables", "route_table_id", "rtb-priv-b")["routes"].append(
        {"destination_ipv6_cidr_block": VPC6, "target_type": "local", "target_id": "local", "state": "active"})
    acl = find(data, "network_acls", "network_acl_id", "acl-default")
    acl["entries"] += [{**ALLOW_ALL_IN, "rule_number": 101, "cidr_block": None, "ipv6_cidr_block": "::/0"},
                       {**ALLOW_ALL_OUT, "rule_number": 101, "cidr_block": None, "ipv6_cidr_block": "::/0"}]
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"].append(
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv6": VPC6})
    find(data, "security_groups", "group_id", "sg-workloads")["egress"].append({"protocol": "-1", "cidr_ipv6": "::/0"})
    for endpoint_id in ("vpce-dkr", "vpce-api", "vpce-logs"):
        endpoint = find(data, "vpc_endpoints", "vpc_endpoint_id", endpoint_id)
        short = endpoint_id.split("-")[1]
        endpoint.update({"subnet_ids": ["subnet-priv-b"], "network_interface_ids": [f"eni-{short}-b"],
                         "ip_address_type": ip_type, "dns_record_ip_type": dns_type})
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-s3")["ip_address_type"] = gateway_type
    region["network_interfaces"] = [i for i in region["network_interfaces"] if i["subnet_id"] != "subnet-priv-a" or i["interface_type"] == "interface"]
    for number, eni in enumerate(("eni-dkr-b", "eni-api-b", "eni-logs-b"), start=5):
        find(data, "network_interfaces", "network_interface_id", eni)["ipv6_addresses"] = [f"2600:1f18:aa:2::{number}"]
    task = find(data, "network_interfaces", "network_interface_id", "eni-task-a")
    task.update({"private_ips": [], "ipv6_addresses": ["2600:1f18:aa:1::10"]})
    return data


def test_ipv6_only_subnet_with_dualstack_endpoints_is_private():
    result = paths(ipv6_account())
    subnet = result["subnet-priv-a"]
    assert {n: (f.path, f.via) for n, f in subnet.flows.items()} == {
        "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"), "layers": ("endpoint", "vpce-s3")}
    assert subnet.verdict == "private"
    assert result["subnet-priv-b"].verdict == "private"  # the dual-stack subnet, over IPv4


def test_ipv6_only_subnet_with_ipv4_endpoints_is_blocked_at_the_endpoint_ip_type():
    result = paths(ipv6_account(ip_type="ipv4", dns_type="ipv4"))
    subnet = result["subnet-priv-a"]
    for name, endpoint in (("registry_api", "vpce-api"), ("registry", "vpce-dkr")):
        flow = subnet.flows[name]
        assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "endpoint-ip-type", endpoint)
        assert "IP address type ipv4" in flow.link.detail
    assert subnet.verdict == "broken"
    assert result["subnet-priv-b"].verdict == "private"  # a dual-stack client uses the A record


def test_a_dualstack_endpoint_whose_dns_answers_only_a_records_blocks_an_ipv6_only_subnet():
    flow = paths(ipv6_account(dns_type="ipv4"))["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind) == ("blocked", "endpoint-ip-type")
    assert "DNS record IP type ipv4" in flow.link.detail


def test_unread_or_service_defined_types_are_unknown_never_private():
    data = ipv6_account()
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-dkr").update({"ip_address_type": None, "dns_record_ip_type": None})
    find(data, "vpc_endpoints", "vpc_endpoint_id", "vpce-api")["dns_record_ip_type"] = "service-defined"
    flows = paths(data)["subnet-priv-a"].flows
    assert (flows["registry"].path, flows["registry_api"].path) == ("unknown", "unknown")
    assert "not read" in flows["registry"].reason and "service-defined" in flows["registry_api"].reason


def test_without_endpoints_the_egress_only_gateway_is_the_way_out_without_nat_processing():
    data = ipv6_account()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-s3"]
    subnet = paths(data)["subnet-priv-a"]
    flow = subnet.flows["registry"]
    assert (flow.path, flow.via) == ("routed", "eigw-1")
    assert "egress-only internet gateway eigw-1 (no NAT data processing)" in flow.reason
    assert subnet.verdict == "nat"


def test_without_an_ipv6_way_out_or_endpoint_the_ipv6_only_subnet_is_blocked_by_its_route_table():
    data = ipv6_account()
    region = region_of(data)
    region["vpc_endpoints"] = [e for e in region["vpc_endpoints"] if e["vpc_endpoint_id"] == "vpce-s3"]
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_ipv6_cidr_block") != "::/0"]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.resource_id) == ("blocked", "route", "rtb-priv-a")


def test_an_ipv4_only_s3_gateway_sends_ipv6_layers_to_the_egress_only_gateway_or_blocks_them():
    data = ipv6_account(gateway_type="ipv4")
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.via) == ("routed", "eigw-1")
    assert any("carries IPv4 only" in n for n in layers.notes)
    table = find(data, "route_tables", "route_table_id", "rtb-priv-a")
    table["routes"] = [r for r in table["routes"] if r.get("destination_ipv6_cidr_block") != "::/0"]
    layers = paths(data)["subnet-priv-a"].flows["layers"]
    assert (layers.path, layers.link.kind, layers.link.resource_id) == ("blocked", "endpoint-ip-type", "vpce-s3")


def test_a_zone_for_the_layer_buckets_dual_stack_name_decides_the_ipv6_layers():
    """An IPv6 client asks for the bucket's dual-stack name: a zone holding it without the record blocks (Route 53
    answers NXDOMAIN), one with a record leaves the layers unknown; a zone for the IPv4 name plays no part."""
    bucket = "prod-us-east-1-starport-layer-bucket"
    for zone, records, expected in (
            ("s3.dualstack.us-east-1.amazonaws.com", [], ("blocked", "Z0S3")),
            ("s3.dualstack.us-east-1.amazonaws.com",
             [{"name": f"{bucket}.s3.dualstack.us-east-1.amazonaws.com", "type": "AAAA", "values": ["2600:1f18:aa:2::9"]}],
             ("unknown", None)),
            ("s3.us-east-1.amazonaws.com", [], ("endpoint", None))):
        data = ipv6_account()
        region_of(data)["hosted_zones"] = [{"hosted_zone_id": "Z0S3", "name": zone, "vpc_ids": ["vpc-app"],
                                            "records_read": True, "record_sets": records}]
        layers = paths(data)["subnet-priv-a"].flows["layers"]
        assert (layers.path, layers.link.resource_id if layers.link else None) == expected, (zone, layers)


def test_ipv6_network_acls_and_security_groups_are_checked_for_the_ipv6_addresses():
    data = ipv6_account()
    acl = find(data, "network_acls", "network_acl_id", "acl-default")
    acl["entries"] = [e for e in acl["entries"] if not (e.get("ipv6_cidr_block") and e["egress"])]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind, flow.link.direction, flow.link.peer) == (
        "blocked", "network-acl", "outbound", "2600:1f18:aa:2::5/128")
    data = ipv6_account()
    find(data, "security_groups", "group_id", "sg-endpoints")["ingress"] = [
        {"protocol": "tcp", "from_port": 443, "to_port": 443, "cidr_ipv4": "10.0.0.0/16"}]
    flow = paths(data)["subnet-priv-a"].flows["registry"]
    assert (flow.path, flow.link.kind) == ("blocked", "endpoint-sg")


def test_a_dual_stack_subnet_reaches_an_endpoint_answering_aaaa_only_over_ipv6():
    result = paths(ipv6_account(dns_type="ipv6"))
    dual = result["subnet-priv-b"]
    assert {n: (f.path, f.via) for n, f in dual.flows.items()} == {
        "registry_api": ("endpoint", "vpce-api"), "registry": ("endpoint", "vpce-dkr"), "layers": ("endpoint", "vpce-s3")}
    assert dual.flows["registry"].notes[0] == (
        f"vpce-dkr's name answers AAAA records only: the dual-stack subnet reaches it over IPv6 ({DUAL})")
    iso = result["subnet-iso-b"].flows["registry"]  # no IPv6 CIDR: the AAAA record is no use to it
    assert (iso.path, iso.link.kind, iso.link.resource_id) == ("blocked", "endpoint-ip-type", "vpce-dkr")
    assert "DNS record IP type ipv6: its name answers AAAA records only" in iso.link.detail


def test_over_ipv6_the_dual_stack_subnet_needs_the_ipv6_rules_and_over_ipv4_the_ipv4_ones():
    def without(data: dict, key: str) -> dict:
        group = find(data, "security_groups", "group_id", "sg-endpoints")
        group["ingress"] = [r for r in group["ingress"] if key not in r]
        return data

    for dns_type, missing, expected in (("ipv6", "cidr_ipv6", "blocked"), ("ipv6", "cidr_ipv4", "endpoint"),
                                        ("dualstack", "cidr_ipv4", "blocked"), ("dualstack", "cidr_ipv6", "endpoint")):
        flow = paths(without(ipv6_account(dns_type=dns_type), missing))["subnet-priv-b"].flows["registry"]
        assert flow.path == expected, (dns_type, missing, flow)
        assert flow.link is None or (flow.link.kind, flow.link.resource_id) == ("endpoint-sg", "sg-endpoints")


TYPES = st.sampled_from([None, "ipv4", "ipv6", "dualstack", "service-defined"])


@given(ip_type=TYPES, dns_type=TYPES, subnet=st.sampled_from(["subnet-priv-a", "subnet-priv-b", "subnet-iso-b"]),
       open4=st.booleans(), open6=st.booleans())
def test_the_family_a_subnet_uses_against_a_reference(ip_type, dns_type, subnet, open4, open6):
    """IPv6-only subnet-priv-a, dual-stack subnet-priv-b, IPv4-only subnet-iso-b; the endpoint group admits the
    VPC's IPv4 and/or IPv6 CIDR. Reference: the client uses IPv6 when it has no IPv4 address or the name answers
    AAAA only, IPv4 otherwise; over IPv6 each type must carry IPv6 (unread or service-defined: unknown); an
    IPv4-only client can't use an AAAA-only name; then the family's group rule decides."""
    data = ipv6_account(ip_type=ip_type, dns_type=dns_type)
    group = find(data, "security_groups", "group_id", "sg-endpoints")
    group["ingress"] = [r for r in group["ingress"] if (open4 if "cidr_ipv4" in r else open6)]
    flow = paths(data)[subnet].flows["registry"]
    aaaa_only = "ipv6" in (ip_type, dns_type)
    has4, has6 = subnet != "subnet-priv-a", subnet != "subnet-iso-b"
    if has4 and not aaaa_only:
        expected = ("endpoint", None) if open4 else ("blocked", "endpoint-sg")
    elif not has6:
        expected = ("blocked", "endpoint-ip-type")
    else:
        carries = [{"ipv6": True, "dualstack": True, "ipv4": False}.get(t) for t in (ip_type, dns_type)]
        if False in carries:
            expected = ("blocked", "endpoint-ip-type")
        elif not open6:
            expected = ("blocked", "endpoint-sg")
        else:
            expected = ("unknown", None) if None in carries else ("endpoint", None)
    assert (flow.path, flow.link.kind if flow.link else None) == expected, flow


@given(ip_type=TYPES, dns_type=TYPES, version=st.sampled_from([4, 6]))
def test_the_ip_type_check_against_a_reference(ip_type, dns_type, version):
    judge = Judge()
    endpoint = VpcEndpoint(vpc_endpoint_id="vpce-x", vpc_id="vpc-x", ip_address_type=ip_type, dns_record_ip_type=dns_type)
    check_ip_type(judge, endpoint, ipaddress.ip_network("2600::/64" if version == 6 else "10.0.0.0/24"))
    carries = {"ipv6": True, "dualstack": True, "ipv4": False}
    # from IPv4, only the AAAA-only type (of either field) stops the client; from IPv6, each field must carry IPv6
    answers = [carries.get(t) for t in (ip_type, dns_type)] if version == 6 else ["ipv6" not in (ip_type, dns_type)]
    assert (judge.blocked is not None) == (False in answers)
    assert (judge.unknown is not None) == (None in answers)
    assert judge.blocked is None or judge.blocked.kind == "endpoint-ip-type"


UNIVERSE6 = ["::/0", VPC6, IPV6_ONLY, "2600:1f18:aa::/48", "2600:1f18:bb::/56", "fd00::/8", "fc00::/7", "2001:db8::/32", "64:ff9b::/96"]


@given(destinations=st.lists(st.sampled_from(UNIVERSE6), unique=True, max_size=6),
       target=st.sampled_from(["egress_only_internet_gateway", "nat_gateway", "transit_gateway"]))
def test_the_ipv6_public_way_against_a_reference(destinations, target):
    snapshot = Snapshot.model_validate(base())
    index = build_index(snapshot, snapshot.regions[0])
    index.vpcs["vpc-app"] = index.vpcs["vpc-app"].model_copy(update={"ipv6_cidr_blocks": [VPC6]})
    routes = [Route(destination_ipv6_cidr_block=d, target_type=target, target_id="x-1", state="active") for d in destinations]
    judge = Judge()
    way = public_way6(index, judge, RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=routes), "S3")
    inside = [ipaddress.ip_network(VPC6), UNIQUE_LOCAL]

    def private(cidr: str) -> bool:  # every address of it inside one of them: its first and last address
        network = ipaddress.ip_network(cidr)
        return any(network[0] in n and network[-1] in n for n in inside)

    public = any(d != "::/0" and not private(d) for d in destinations)
    assert (judge.unknown is not None) == public
    if "::/0" not in destinations and public:  # a route to public addresses may take the service: not known
        assert (way.path, judge.blocked) == ("unknown", None)
    elif "::/0" not in destinations:
        assert (way.path, judge.blocked.kind) == ("blocked", "route")
    else:
        assert (way.path, way.via) == ({"nat_gateway": "nat"}.get(target, "routed"), "x-1")
        assert ("no NAT data processing" in way.reason) == (target == "egress_only_internet_gateway")


def test_an_endpoint_answering_aaaa_only_is_not_asked_to_admit_ipv4_subnets():
    """endpoint-https-ingress-missing asks an endpoint's groups to admit every workload subnet's IPv4 CIDR; nobody
    reaches an endpoint answering AAAA only over IPv4, so its groups need only the IPv6 rule."""
    from vpclint.view import build_view

    def gaps(dns_type: str) -> list[str]:
        data = ipv6_account(dns_type=dns_type)
        group = find(data, "security_groups", "group_id", "sg-endpoints")
        group["ingress"] = [r for r in group["ingress"] if "cidr_ipv6" in r]
        view = next(build_view(Snapshot.model_validate(data)))
        item = next(i for i in view.items["endpoint"] if i["resource_id"] == "vpce-dkr")
        return [g["subnet_id"] for g in item["ingress_blocked_subnets"]]

    assert gaps("ipv6") == []
    assert gaps("dualstack") == ["subnet-priv-b", "subnet-iso-b"]


def test_the_ip_type_check_names_the_field_at_fault_and_why():
    aaaa_only = "its name answers AAAA records only, and the subnet has no IPv6 address to reach it with"
    unsure = "whether an IPv6-only subnet reaches it is not known"
    for version, ip_type, dns_type, blocked, unknown in (
            (4, "ipv6", "dualstack", f"vpce-x has IP address type ipv6: {aaaa_only}", None),
            (4, "ipv6", None, f"vpce-x has IP address type ipv6: {aaaa_only}", None),
            (4, "dualstack", "ipv6", f"vpce-x has DNS record IP type ipv6: {aaaa_only}", None),
            (6, "ipv4", "dualstack", "vpce-x has IP address type ipv4: its interfaces have no IPv6 address, so an "
                                     "IPv6-only subnet can't reach it", None),
            (6, "dualstack", "IPv4", "vpce-x has DNS record IP type IPv4: its private DNS name answers no AAAA record, "
                                     "so an IPv6-only subnet can't reach it", None),
            (6, None, "ipv6", None, f"vpce-x's IP address type is not read: {unsure}"),
            (6, "ipv6", "service-defined", None, f"vpce-x's DNS record IP type is service-defined: {unsure}")):
        judge = Judge()
        endpoint = VpcEndpoint(vpc_endpoint_id="vpce-x", vpc_id="vpc-x", ip_address_type=ip_type, dns_record_ip_type=dns_type)
        check_ip_type(judge, endpoint, ipaddress.ip_network("2600::/64" if version == 6 else "10.0.0.0/24"))
        assert (judge.blocked.detail if judge.blocked else None, judge.unknown) == (blocked, unknown), (ip_type, dns_type)
        assert judge.blocked is None or (judge.blocked.kind, judge.blocked.resource_id) == ("endpoint-ip-type", "vpce-x")


def test_the_ipv6_public_way_names_the_routes_that_may_carry_part_of_the_service():
    """With a default route, the routes to public addresses may take part of the service (unknown, by the default
    route); with none, or a blackhole one, they may take all of it: the way is unknown, not blocked."""
    snapshot = Snapshot.model_validate(base())
    index = build_index(snapshot, snapshot.regions[0])
    index.vpcs["vpc-app"] = index.vpcs["vpc-app"].model_copy(update={"ipv6_cidr_blocks": [VPC6]})
    routes = [Route(destination_ipv6_cidr_block=d, target_type="transit_gateway", target_id="tgw-1", state="active")
              for d in ("2600:1f18:bb::/56", "2001:db8::/32", VPC6)]
    default = Route(destination_ipv6_cidr_block="::/0", target_type="egress_only_internet_gateway", target_id="eigw-1",
                    state="active")
    judge = Judge()
    way = public_way6(index, judge, RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=[*routes, default]), "S3")
    assert judge.unknown == ("rtb-x has IPv6 routes to public addresses (2001:db8::/32, 2600:1f18:bb::/56) that may "
                             "carry part of S3")
    assert (way.path, way.via) == ("routed", "eigw-1")
    judge = Judge()
    way = public_way6(index, judge, RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=routes), "S3")
    assert judge.unknown == ("rtb-x has no default route, but its IPv6 routes to public addresses (2001:db8::/32, "
                             "2600:1f18:bb::/56) may carry S3")
    assert (way.path, way.reason, judge.blocked) == ("unknown", "the route to S3 over IPv6 is not known", None)
    judge = Judge()
    hole = default.model_copy(update={"state": "blackhole"})
    public_way6(index, judge, RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=[*routes, hole]), "S3")
    assert judge.unknown == ("rtb-x has a blackhole default route (::/0), but its IPv6 routes to public addresses "
                             "(2001:db8::/32, 2600:1f18:bb::/56) may carry S3")
    judge = Judge()  # without the routes to public addresses, no route at all blocks
    way = public_way6(index, judge, RouteTable(route_table_id="rtb-x", vpc_id="vpc-app", routes=routes[2:]), "S3")
    assert (way.path, way.reason) == ("blocked", "no route to S3 over IPv6")
    assert judge.blocked.detail == "rtb-x has no route to S3 over IPv6"
    # a table of a VPC not in the index: its own IPv6 CIDRs are not known, so a route to them may be public
    judge = Judge()
    public_way6(index, judge, RouteTable(route_table_id="rtb-y", vpc_id="vpc-gone", routes=[*routes[2:], default]), "S3")
    assert judge.unknown == f"rtb-y has IPv6 routes to public addresses ({VPC6}) that may carry part of S3"
