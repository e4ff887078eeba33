"""The custom JMESPath functions of rule expressions, and the security-group reachability behind one of them."""

from __future__ import annotations

import jmespath
import pytest

from vpclint.functions import RuleFunctions, cidr_within, rule_options
from vpclint.reachability import admits_https, https_coverage, parse_network, resolve_groups


def search(expression: str, data: dict):
    return jmespath.search(expression, data, options=rule_options())


SUBNETS = [
    {"subnet_id": "subnet-b", "cidr_block": "10.0.2.0/24", "ipv6_cidr_blocks": []},
    {"subnet_id": "subnet-a", "cidr_block": "10.0.1.0/24", "ipv6_cidr_blocks": ["2600:1f18::/64"]},
]


def group(group_id: str, *ingress: dict, name: str = "endpoints") -> dict:
    return {"group_id": group_id, "group_name": name, "ingress": list(ingress)}


def tcp443(**source) -> dict:
    return {"protocol": "tcp", "from_port": 443, "to_port": 443, **source}


def test_endpoints_of_filters_by_service_and_type():
    vpc = {"endpoints_by_service": {"ecr.dkr": [{"vpc_endpoint_id": "vpce-1", "vpc_endpoint_type": "Interface"},
                                                {"vpc_endpoint_id": "vpce-2", "vpc_endpoint_type": "Gateway"}]}}
    assert search("endpoints_of(@, 'ecr.dkr', 'Interface')[].vpc_endpoint_id", vpc) == ["vpce-1"]
    assert search("endpoints_of(@, 'ecr.dkr', null)[].vpc_endpoint_id", vpc) == ["vpce-1", "vpce-2"]
    assert search("endpoints_of(@, 's3', 'Gateway')", vpc) == []


@pytest.mark.parametrize(
    "inner,outer,expected",
    [("10.0.1.0/24", "10.0.0.0/16", True), ("10.0.0.0/16", "10.0.1.0/24", False),
     ("2600:1f18::/64", "2600:1f18::/56", True), ("10.0.1.0/24", "::/0", False), (None, "10.0.0.0/8", False),
     ("junk", "10.0.0.0/8", False)],
)
def test_cidr_within(inner, outer, expected):
    assert cidr_within(inner, outer) is expected
    assert search("cidr_within(a, b)", {"a": inner, "b": outer}) is expected


def test_difference_keeps_order():
    assert search("difference(a, b)", {"a": ["us-east-1c", "us-east-1a", "us-east-1b"], "b": ["us-east-1a"]}) == [
        "us-east-1c", "us-east-1b"]
    assert search("difference(a, b)", {"a": ["x"], "b": []}) == ["x"]


def test_lower():
    assert search("lower(s)", {"s": "pendingAcceptance"}) == "pendingacceptance"
    assert search("lower(s)", {"s": None}) is None


@pytest.mark.parametrize(
    "rule,expected",
    [(tcp443(), True), ({"protocol": "-1"}, True), ({"protocol": "6", "from_port": 0, "to_port": 65535}, True),
     ({"protocol": "tcp", "from_port": 400, "to_port": 500}, True), ({"protocol": "tcp", "from_port": 444, "to_port": 500}, False),
     ({"protocol": "udp", "from_port": 443, "to_port": 443}, False), ({"protocol": "icmp", "from_port": -1, "to_port": -1}, False)],
)
def test_admits_https(rule, expected):
    assert admits_https(rule) is expected


def test_coverage_by_cidr_names_the_rule_and_the_uncovered_subnet():
    groups = {"sg-1": group("sg-1", tcp443(cidr_ipv4="10.0.1.0/24"), {"protocol": "tcp", "from_port": 22, "to_port": 22, "cidr_ipv4": "0.0.0.0/0"})}
    result = https_coverage(["sg-1"], SUBNETS, groups)
    assert result["uncovered"] == ["subnet-b"]
    assert [s["subnet_id"] for s in result["subnets"]] == ["subnet-a", "subnet-b"]
    assert result["subnets"][0]["allowed_by"] == {"group_id": "sg-1", "via": "cidr", "source": "10.0.1.0/24"}
    assert result["rules_checked"] == [{"group_id": "sg-1", **tcp443(cidr_ipv4="10.0.1.0/24")}]
    assert result["groups_not_found"] == [] and result["default_group_used"] is None


def test_coverage_across_two_groups_and_a_wide_rule():
    groups = {"sg-1": group("sg-1", tcp443(cidr_ipv4="10.0.1.0/24")), "sg-2": group("sg-2", {"protocol": "-1", "cidr_ipv4": "0.0.0.0/0"})}
    result = https_coverage(["sg-2", "sg-1"], SUBNETS, groups)
    assert result["uncovered"] == [] and result["groups_checked"] == ["sg-1", "sg-2"]
    assert result["subnets"][1]["allowed_by"]["group_id"] == "sg-2"


def test_cidr_match_is_preferred_over_a_referenced_group():
    groups = {"sg-1": group("sg-1", tcp443(referenced_group_id="sg-app"), tcp443(cidr_ipv4="10.0.0.0/16"))}
    result = https_coverage(["sg-1"], SUBNETS, groups)
    assert {s["allowed_by"]["via"] for s in result["subnets"]} == {"cidr"}


@pytest.mark.parametrize("source,via", [({"referenced_group_id": "sg-app"}, "security_group"), ({"prefix_list_id": "pl-1"}, "prefix_list")])
def test_referenced_group_and_prefix_list_admit_every_subnet_and_say_so(source, via):
    result = https_coverage(["sg-1"], SUBNETS, {"sg-1": group("sg-1", tcp443(**source))})
    assert result["uncovered"] == []
    assert {s["allowed_by"]["via"] for s in result["subnets"]} == {via}


def test_ipv6_only_subnet_needs_an_ipv6_source():
    subnets = [{"subnet_id": "subnet-6", "cidr_block": None, "ipv6_cidr_blocks": ["2600:1f18:1::/64"]}]
    ipv4_only = {"sg-1": group("sg-1", tcp443(cidr_ipv4="0.0.0.0/0"))}
    assert https_coverage(["sg-1"], subnets, ipv4_only)["uncovered"] == ["subnet-6"]
    ipv6 = {"sg-1": group("sg-1", tcp443(cidr_ipv6="2600:1f18::/32"))}
    assert https_coverage(["sg-1"], subnets, ipv6)["subnets"][0]["allowed_by"]["source"] == "2600:1f18::/32"


def test_dual_stack_subnet_is_judged_by_its_ipv4_cidr():
    groups = {"sg-1": group("sg-1", tcp443(cidr_ipv6="::/0"))}
    assert https_coverage(["sg-1"], SUBNETS, groups)["uncovered"] == ["subnet-a", "subnet-b"]


def test_no_groups_means_the_default_group():
    groups = {"sg-d": group("sg-d", {"protocol": "-1", "referenced_group_id": "sg-d"}, name="default"), "sg-1": group("sg-1")}
    result = https_coverage([], SUBNETS, groups)
    assert result["default_group_used"] == "sg-d" and result["groups_checked"] == ["sg-d"] and result["uncovered"] == []


def test_no_groups_and_no_default_group_covers_nothing():
    assert resolve_groups([], {"sg-1": group("sg-1")}) == ([], None, [])
    assert https_coverage([], SUBNETS, {"sg-1": group("sg-1")})["uncovered"] == ["subnet-a", "subnet-b"]


def test_unknown_group_is_reported_and_covers_nothing():
    result = https_coverage(["sg-gone"], SUBNETS, {})
    assert result["groups_not_found"] == ["sg-gone"] and result["uncovered"] == ["subnet-a", "subnet-b"]


def test_https_coverage_as_a_rule_function_caches_networks():
    functions = RuleFunctions()
    data = {"g": ["sg-1"], "s": SUBNETS, "groups": {"sg-1": group("sg-1", tcp443(cidr_ipv4="10.0.0.0/16"))}}
    options = jmespath.Options(custom_functions=functions)
    assert jmespath.search("https_coverage(g, s, groups).uncovered", data, options=options) == []
    assert functions._network("10.0.0.0/16") == parse_network("10.0.0.0/16")
    assert "10.0.1.0/24" in functions._networks


def test_parse_network_rejects_junk():
    assert parse_network("nope") is None and parse_network(None) is None
    assert str(parse_network("10.0.1.5/24")) == "10.0.1.0/24"


def test_rule_options_reuse_one_interpreter_per_evaluation():
    from vpclint.compiled import search as rule_search

    options, other = rule_options(), rule_options()
    assert options.interpreter is not other.interpreter
    assert options.interpreter._functions is options.custom_functions
    parsed = jmespath.compile("lower(name)")
    assert rule_search(parsed, {"name": "AB"}, options) == "ab"
    assert rule_search(parsed, {"name": "CD"}, jmespath.Options(custom_functions=RuleFunctions())) == "cd"
