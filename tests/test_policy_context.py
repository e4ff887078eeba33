"""Policy variables and the known request context of the endpoint-policy evaluator (vpclint.policy)."""

from __future__ import annotations

import re

import jmespath
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vpclint.functions import rule_options
from vpclint.policy import evaluate
from vpclint.policy_conditions import Outcome, judge, parse_conditions

LAYERS = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
OBJECT = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/sha256/ab"
ENDPOINT = {"aws:SourceVpce": "vpce-0abc", "aws:SourceVpc": "vpc-1"}


def allow(action="s3:GetObject", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource, **extra}


def deny(action="s3:GetObject", resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource, **extra}


def policy(*statements, version="2012-10-17") -> dict:
    document = {"Statement": list(statements)}
    return {"Version": version, **document} if version else document


# --- policy variables ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "resource",
    [
        "arn:aws:s3:::prod-${aws:RequestedRegion}-starport-layer-bucket/*",
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/${aws:username}/*",
        "${aws:ResourceArn}",
    ],
)
def test_a_resource_with_a_variable_applies_only_depending_on_the_request(resource):
    for request in (LAYERS, OBJECT):
        decision = evaluate(policy(allow(resource=resource)), ["s3:GetObject"], request)
        assert decision.verdict == "conditional"
        variable = resource[resource.index("${") : resource.index("}") + 1]
        assert f"depending on the request's {variable}" in decision.reason
        assert decision.to_dict()["policy_variables"] == [variable]


def test_a_denying_resource_with_a_variable_is_not_a_confident_deny():
    document = policy(allow(), deny(resource="arn:aws:s3:::prod-${aws:RequestedRegion}-starport-layer-bucket/*"))
    decision = evaluate(document, ["s3:GetObject"], LAYERS)
    assert decision.verdict == "conditional"
    assert "statement 1 denies it for resources arn:aws:s3:::prod-${aws:RequestedRegion}" in decision.reason
    assert "depending on the request's ${aws:RequestedRegion}" in decision.reason


def test_a_not_resource_with_a_variable_excludes_only_some_requests():
    statement = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::${aws:username}/*"}
    decision = evaluate(policy(allow(), statement), ["s3:GetObject"], LAYERS)
    assert decision.verdict == "conditional"
    assert "for resources other than arn:aws:s3:::${aws:username}/*" in decision.reason


def test_a_variable_that_no_value_can_fit_keeps_the_statement_out():
    document = policy(allow(resource="arn:aws:ecr:*:*:repository/${aws:username}"))
    assert evaluate(document, ["s3:GetObject"], LAYERS).verdict == "denied"


def test_a_covering_pattern_without_variables_still_applies_fully():
    document = policy(allow(resource=["arn:aws:s3:::${aws:username}/*", "arn:aws:s3:::prod-*"]))
    decision = evaluate(document, ["s3:GetObject"], LAYERS)
    assert decision.verdict == "allowed"
    assert decision.to_dict()["policy_variables"] == []


def test_escapes_are_literal_characters():
    star = evaluate(policy(allow(resource="arn:aws:s3:::prod-${*}")), ["s3:GetObject"], LAYERS)
    assert star.verdict == "denied"  # a literal '*', not a wildcard
    dollar = policy(allow(resource="arn:aws:s3:::a${$}b/*"))
    assert evaluate(dollar, ["s3:GetObject"], "arn:aws:s3:::a$b/*").verdict == "allowed"
    question = policy(allow(resource="arn:aws:s3:::a${?}/*"))
    assert evaluate(question, ["s3:GetObject"], "arn:aws:s3:::ab/*").verdict == "denied"  # a literal '?'
    assert evaluate(question, ["s3:GetObject"], "arn:aws:s3:::a?/*").verdict == "conditional"  # a request '?' is any character


@pytest.mark.parametrize("version", ["2008-10-17", None])
def test_without_the_2012_version_variables_are_literal_text(version):
    resource = "arn:aws:s3:::prod-${aws:RequestedRegion}-starport-layer-bucket/*"
    decision = evaluate(policy(allow(resource=resource), version=version), ["s3:GetObject"], LAYERS)
    assert decision.verdict == "denied"
    literal = "arn:aws:s3:::prod-${aws:RequestedRegion}-starport-layer-bucket/*"
    assert evaluate(policy(allow(resource=resource), version=version), ["s3:GetObject"], literal).verdict == "allowed"
    starred = policy(allow(resource="arn:aws:s3:::prod-${*}"), version=version)
    assert evaluate(starred, ["s3:GetObject"], "arn:aws:s3:::prod-${x}").verdict == "allowed"


def test_a_variable_in_a_condition_value_leaves_the_condition_open_even_for_a_known_key():
    condition = {"StringEquals": {"aws:SourceVpce": "${aws:PrincipalTag/vpce}"}}
    decision = evaluate(policy(allow(Condition=condition)), ["s3:GetObject"], LAYERS, ENDPOINT)
    assert decision.verdict == "conditional"
    assert "keys: aws:SourceVpce" in decision.reason and "${aws:PrincipalTag/vpce}" in decision.reason
    literal = policy(allow(Condition=condition), version="2008-10-17")
    assert evaluate(literal, ["s3:GetObject"], LAYERS, ENDPOINT).verdict == "denied"


@given(st.text(alphabet="ab/:-", max_size=6), st.text(alphabet="ab/:-*?", max_size=6))
def test_property_a_variable_never_gives_a_confident_allow(prefix, suffix):
    resource = f"arn:aws:s3:::{prefix}${{aws:username}}{suffix}"
    assert evaluate(policy(allow(resource=resource)), ["s3:GetObject"], LAYERS).verdict != "allowed"
    assert evaluate(policy(allow(), deny(resource=resource)), ["s3:GetObject"], LAYERS).verdict != "denied"


# --- the known request context -------------------------------------------------------------------------------

SOURCE_VPCE = {"StringEquals": {"aws:SourceVpce": "vpce-0abc"}}


def test_source_vpce_naming_this_endpoint_allows_and_another_denies():
    layers = policy(allow(resource=LAYERS, Condition=SOURCE_VPCE))
    assert evaluate(layers, ["s3:GetObject"], LAYERS, ENDPOINT).verdict == "allowed"
    elsewhere = evaluate(layers, ["s3:GetObject"], LAYERS, {"aws:SourceVpce": "vpce-0def"})
    assert elsewhere.verdict == "denied"
    assert "the known request context fails the conditions of statement 0" in elsewhere.reason
    assert evaluate(layers, ["s3:GetObject"], LAYERS).verdict == "conditional"


def test_context_keys_compare_in_lower_case_and_values_must_be_strings():
    layers = policy(allow(Condition={"StringEquals": {"AWS:SOURCEVPCE": "vpce-0abc"}}))
    assert evaluate(layers, ["s3:GetObject"], LAYERS, {"aws:sourcevpce": "vpce-0abc"}).verdict == "allowed"
    assert evaluate(layers, ["s3:GetObject"], LAYERS, {"aws:SourceVpce": None}).verdict == "conditional"


def test_a_known_deny_condition_is_an_unconditional_deny_or_nothing():
    outside = deny("*", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})
    assert evaluate(policy(allow(), outside), ["s3:GetObject"], LAYERS, ENDPOINT).verdict == "allowed"
    decision = evaluate(policy(allow(), outside), ["s3:GetObject"], LAYERS, {"aws:SourceVpc": "vpc-2"})
    assert decision.verdict == "denied" and "statement 1 explicitly denies" in decision.reason


def test_decided_conditions_leave_only_the_open_keys():
    mixed = {"StringEquals": {"aws:SourceVpce": "vpce-0abc", "aws:PrincipalOrgID": "o-1"}}
    decision = evaluate(policy(allow(Condition=mixed)), ["s3:GetObject"], LAYERS, ENDPOINT).to_dict()
    assert decision["verdict"] == "conditional" and decision["condition_keys"] == ["aws:PrincipalOrgID"]
    other = {"StringEquals": {"aws:SourceVpce": "vpce-0def", "aws:PrincipalOrgID": "o-1"}}
    assert evaluate(policy(allow(Condition=other)), ["s3:GetObject"], LAYERS, ENDPOINT).verdict == "denied"


@pytest.mark.parametrize(
    "condition,holds",
    [
        ({"StringEquals": {"aws:SourceVpce": ["vpce-0def", "vpce-0abc"]}}, True),
        ({"StringEquals": {"aws:SourceVpce": "VPCE-0ABC"}}, False),
        ({"StringNotEquals": {"aws:SourceVpce": ["vpce-0def", "vpce-0abc"]}}, False),
        ({"StringNotEquals": {"aws:SourceVpce": "vpce-0def"}}, True),
        ({"StringEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-0ABC"}}, True),
        ({"StringNotEqualsIgnoreCase": {"aws:SourceVpce": "VPCE-0ABC"}}, False),
        ({"StringLike": {"aws:SourceVpce": "vpce-0a*"}}, True),
        ({"StringLike": {"aws:SourceVpce": "vpce-0?"}}, False),
        ({"StringEquals": {"aws:SourceVpce": "vpce-0a*"}}, False),
        ({"StringNotLike": {"aws:SourceVpce": "vpce-*"}}, False),
        ({"StringNotLike": {"aws:SourceVpce": "vpce-1*"}}, True),
        ({"ForAnyValue:StringEquals": {"aws:SourceVpc": "vpc-1"}}, True),
        ({"ForAllValues:StringLike": {"aws:SourceVpc": "vpc-2"}}, False),
        ({"StringEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, True),
        ({"StringNotEqualsIfExists": {"aws:SourceVpc": "vpc-1"}}, False),
        ({"Null": {"aws:SourceVpce": "false"}}, True),
        ({"Null": {"aws:SourceVpce": "true"}}, False),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*:1:vpc/*"}}, True),
        ({"ArnEquals": {"aws:SourceArn": "arn:aws:ec2:us-east-1:1:vpc/vpc-1"}}, True),
        ({"ArnLike": {"aws:SourceArn": "arn:aws:ec2:*"}}, False),  # each of the six parts on its own
        ({"ArnNotLike": {"aws:SourceArn": "arn:aws:ec2:*:2:*"}}, True),
        ({"StringEquals": {"aws:SourceVpce": "vpce-0abc"}, "StringLike": {"aws:SourceVpc": "vpc-2"}}, False),
    ],
)
def test_common_operators_are_decided_on_known_keys(condition, holds):
    context = {**ENDPOINT, "aws:SourceArn": "arn:aws:ec2:us-east-1:1:vpc/vpc-1"}
    decision = evaluate(policy(allow(Condition=condition)), ["s3:GetObject"], LAYERS, context)
    assert decision.verdict == ("allowed" if holds else "denied")


@pytest.mark.parametrize(
    "condition",
    [
        {"Bool": {"aws:SourceVpce": "true"}},
        {"NumericEquals": {"aws:SourceVpce": 1}},
        {"StringEquals": {"aws:SourceVpce": {"nested": "x"}}},
        {"NullIfExists": {"aws:SourceVpce": "false"}},
        {"StringEquals": {"aws:PrincipalOrgID": "o-1"}},
    ],
)
def test_other_operators_and_keys_stay_open(condition):
    decision = evaluate(policy(allow(Condition=condition)), ["s3:GetObject"], LAYERS, ENDPOINT)
    assert decision.verdict == "conditional"
    assert "when its conditions hold" in decision.reason


def test_non_string_condition_values_compare_as_json_text():
    condition = {"StringEquals": {"aws:SecureTransport": True, "s3:max-keys": [10, "11"]}}
    context = {"aws:SecureTransport": "true", "s3:max-keys": "10"}
    assert evaluate(policy(allow(Condition=condition)), ["s3:GetObject"], LAYERS, context).verdict == "allowed"


# --- the rule function ---------------------------------------------------------------------------------------

EXPRESSION = "policy_decision(policy, policy_error, ['s3:GetObject'], '{}'{})"


def _search(context: str, item: dict, options=None):
    return jmespath.search(EXPRESSION.format(LAYERS, context), item, options=options or rule_options())


def test_policy_decision_takes_the_known_context_as_a_fifth_argument():
    item = {"policy": policy(allow(Condition=SOURCE_VPCE)), "policy_error": None, "vpc_endpoint_id": "vpce-0abc", "vpc_id": "vpc-1"}
    context = ', {"aws:SourceVpce": vpc_endpoint_id, "aws:SourceVpc": vpc_id}'
    assert _search(context, item)["verdict"] == "allowed"
    assert _search("", item)["verdict"] == "conditional"
    assert _search(", `null`", item)["verdict"] == "conditional"
    assert _search(context, {**item, "vpc_endpoint_id": "vpce-0def"})["verdict"] == "denied"
    assert _search(context, {**item, "vpc_endpoint_id": None})["verdict"] == "conditional"


def test_policy_decision_caches_per_context():
    options = rule_options()
    item = {"policy": policy(allow(Condition=SOURCE_VPCE)), "policy_error": None}
    assert _search(', {"aws:SourceVpce": `"vpce-0abc"`}', item, options)["verdict"] == "allowed"
    assert _search(', {"aws:SourceVpce": `"vpce-0def"`}', item, options)["verdict"] == "denied"
    assert _search("", item, options)["verdict"] == "conditional"


def test_policy_decision_of_the_default_policy_is_one_whatever_the_context():
    options = rule_options()
    contexts = [', {"aws:SourceVpce": `"vpce-0abc"`}', ', {"aws:SourceVpce": `"vpce-0def"`, "aws:SourceVpc": `"vpc-1"`}', ""]
    found = [_search(c, {"policy": None, "policy_error": None}, options) for c in contexts]
    assert all(f is found[0] for f in found)  # one decision, shared
    assert found[0] == evaluate(None, ["s3:GetObject"], LAYERS).to_dict() and found[0]["verdict"] == "allowed"
    broken = _search(contexts[0], {"policy": None, "policy_error": "not JSON"}, options)
    assert broken["verdict"] == "malformed" and "not JSON" in broken["reason"]


@pytest.mark.parametrize("extra,error", [(", 'vpce-1'", jmespath.exceptions.JMESPathTypeError), (", `{}`, `{}`", jmespath.exceptions.ArityError)])
def test_policy_decision_rejects_a_bad_fifth_argument(extra, error):
    with pytest.raises(error):
        _search(extra, {"policy": None, "policy_error": None})


# --- condition blocks on their own (vpclint.policy_conditions) -------------------------------------------------


def _holds(operator: str, pattern, value: str, substitutes: bool = True) -> bool:
    """True when the one condition ``operator: {key: pattern}`` holds for a request whose key is ``value``."""
    outcome = judge(parse_conditions({operator: {"aws:SourceArn": pattern}}), {"aws:SourceArn": value}, substitutes)
    assert outcome is None or outcome == Outcome((), ())  # a known key with a common operator is always decided
    return outcome is not None


def _like_reference(pattern: str, value: str) -> bool:
    """Brute force: IAM's ``*`` (any run) and ``?`` (one character) as a regular expression over the literal value."""
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, value, re.DOTALL) is not None


def _arn_reference(pattern: str, value: str) -> bool:
    """Brute force: the six colon-separated parts of both, each matched on its own (the sixth keeps its colons)."""
    patterns, values = pattern.split(":", 5), value.split(":", 5)
    return len(patterns) == len(values) == 6 and all(_like_reference(p, v) for p, v in zip(patterns, values))


STRING_REFERENCES = {
    "StringEquals": lambda p, v: p == v,
    "StringNotEquals": lambda p, v: p != v,
    "StringEqualsIgnoreCase": lambda p, v: p.lower() == v.lower(),
    "StringNotEqualsIgnoreCase": lambda p, v: p.lower() != v.lower(),
    "StringLike": _like_reference,
    "StringNotLike": lambda p, v: not _like_reference(p, v),
    "ArnLike": _arn_reference,
    "ArnEquals": _arn_reference,
    "ArnNotLike": lambda p, v: not _arn_reference(p, v),
    "ArnNotEquals": lambda p, v: not _arn_reference(p, v),
}


@settings(max_examples=600, deadline=None)
@given(st.sampled_from(sorted(STRING_REFERENCES)), st.text(alphabet="aAb:*?", max_size=9), st.text(alphabet="aAb:*?", max_size=9))
def test_property_decided_operators_equal_brute_force(operator, pattern, value):
    assert _holds(operator, pattern, value) == STRING_REFERENCES[operator](pattern, value)


def test_the_known_value_is_literal_text_even_with_wildcard_characters():
    assert _holds("StringEquals", "vpce-*", "vpce-*") and not _holds("StringEquals", "vpce-*", "vpce-1")
    assert _holds("StringEqualsIgnoreCase", "VPCE-?", "vpce-?") and not _holds("StringEqualsIgnoreCase", "vpce-?", "vpce-1")
    assert _holds("StringLike", "vpce-?", "vpce-*") and _holds("StringLike", "vpce-*", "vpce-*")
    assert not _holds("StringLike", "vpce-1*", "vpce-*")


def test_arn_parts_after_the_fifth_colon_belong_to_the_resource():
    value = "arn:aws:ecr:us-east-1:123456789012:repository/team:app"
    assert _holds("ArnLike", "arn:aws:ecr:*:*:repository/team:*", value)
    assert _holds("ArnEquals", value, value)
    assert not _holds("ArnLike", "arn:aws:ecr:*:*:repository/team", value)
    assert not _holds("ArnLike", "arn:aws:ecr:*:*:repository/*:other", value)
    assert not _holds("ArnLike", "arn:aws:ecr:*:*", "arn:aws:ecr:us-east-1:1")  # fewer than six parts never match


@pytest.mark.parametrize("operator", ["ForAnyValue:StringEquals:Bogus", "ForAllValues:Bogus:StringEquals", "StringEqualsIfExists:x"])
def test_operators_iam_does_not_have_stay_open(operator):
    outcome = judge(parse_conditions({operator: {"aws:SourceVpce": "vpce-0abc"}}), ENDPOINT, True)
    assert outcome == Outcome(("aws:SourceVpce",), ())


def test_escapes_in_a_decided_condition_are_read_under_the_2012_version():
    conditions = parse_conditions({"StringEquals": {"aws:SourceVpce": "vpce-${$}1"}})
    assert judge(conditions, {"aws:SourceVpce": "vpce-$1"}, True) == Outcome((), ())
    assert judge(conditions, {"aws:SourceVpce": "vpce-$1"}, False) is None  # literal "${$}" under 2008-10-17
    assert judge(conditions, {"aws:SourceVpce": "vpce-${$}1"}, False) == Outcome((), ())


def test_open_conditions_collect_every_variable_once_in_order():
    block = {
        "StringEquals": {"aws:SourceVpce": "${aws:PrincipalTag/vpce}", "aws:userid": "${aws:username}"},
        "StringLike": {"s3:prefix": ["${aws:username}/*", "${aws:PrincipalTag/team}/*"], "aws:PrincipalOrgID": "o-1"},
    }
    outcome = judge(parse_conditions(block), ENDPOINT, True)
    assert outcome == Outcome(
        ("aws:PrincipalOrgID", "aws:SourceVpce", "aws:userid", "s3:prefix"),
        ("${aws:PrincipalTag/vpce}", "${aws:username}", "${aws:PrincipalTag/team}"),
    )


# --- keys a request through an endpoint lacks ------------------------------------------------------------------

CORPORATE = ["203.0.113.0/24"]


@pytest.mark.parametrize(
    "operator,holds",
    [
        ("IpAddress", False),
        ("NotIpAddress", True),
        ("StringEquals", False),
        ("StringNotEquals", True),
        ("StringLike", False),
        ("StringNotLike", True),
        ("StringEqualsIgnoreCase", False),
        ("StringNotEqualsIgnoreCase", True),
        ("ArnLike", False),
        ("ArnNotEquals", True),
        ("Bool", False),
        ("BinaryEquals", False),
        ("NumericEquals", False),
        ("NumericNotEquals", True),
        ("NumericLessThanEquals", False),
        ("DateGreaterThan", False),
        ("DateNotEquals", True),
        ("IpAddressIfExists", True),
        ("NotIpAddressIfExists", True),
        ("StringEqualsIfExists", True),
        ("ForAllValues:StringEquals", True),
        ("ForAllValues:StringNotEquals", True),
        ("ForAnyValue:StringEquals", False),
        ("ForAnyValue:StringNotEquals", False),
        ("ForAnyValue:IpAddressIfExists", True),
    ],
)
def test_a_condition_on_source_ip_through_an_endpoint_is_decided_by_its_absence(operator, holds):
    """IAM: a key missing from the request matches no value (false), except for negated operators, IfExists,
    ForAllValues (nothing fails it); aws:SourceIp is missing from every request through a VPC endpoint."""
    conditions = parse_conditions({operator: {"aws:SourceIp": CORPORATE}})
    assert judge(conditions, ENDPOINT, True) == (Outcome((), ()) if holds else None)
    assert judge(conditions, {"aws:SourceVpc": "vpc-1"}, True) == Outcome(("aws:SourceIp",), ())  # not via an endpoint


@pytest.mark.parametrize("value,holds", [("true", True), (True, True), ("false", False), (["false", "true"], True)])
def test_null_on_source_ip_through_an_endpoint(value, holds):
    conditions = parse_conditions({"Null": {"AWS:SOURCEIP": value}})
    assert judge(conditions, ENDPOINT, True) == (Outcome((), ()) if holds else None)


@pytest.mark.parametrize("operator", ["IpAddres", "NullIfExists", "Bogus:IpAddress", "ForAnyValue:Bogus", "IfExists"])
def test_an_operator_iam_does_not_have_stays_open_on_an_absent_key(operator):
    conditions = parse_conditions({operator: {"aws:SourceIp": CORPORATE}})
    assert judge(conditions, ENDPOINT, True) == Outcome(("aws:SourceIp",), ())


def test_null_with_values_that_are_not_text_stays_open_on_an_absent_key():
    conditions = parse_conditions({"Null": {"aws:SourceIp": {"nested": "true"}}})
    assert judge(conditions, ENDPOINT, True) == Outcome(("aws:SourceIp",), ())


def test_a_source_ip_the_context_gives_is_not_absent():
    conditions = parse_conditions({"StringEquals": {"aws:SourceIp": "203.0.113.7"}})
    assert judge(conditions, {**ENDPOINT, "aws:SourceIp": "203.0.113.7"}, True) == Outcome((), ())
    assert judge(conditions, {**ENDPOINT, "aws:SourceIp": "203.0.113.8"}, True) is None


def test_a_variable_does_not_keep_a_condition_on_an_absent_key_open():
    conditions = parse_conditions({"StringEquals": {"aws:SourceIp": "${aws:PrincipalTag/ip}"}})
    assert judge(conditions, ENDPOINT, True) is None
    assert judge(conditions, {"aws:SourceVpc": "vpc-1"}, True) == Outcome(("aws:SourceIp",), ("${aws:PrincipalTag/ip}",))


def test_source_ip_allow_through_an_endpoint_is_an_implicit_deny_and_its_deny_explicit():
    only_corporate = policy(allow(Condition={"IpAddress": {"aws:SourceIp": CORPORATE}}))
    decision = evaluate(only_corporate, ["s3:GetObject"], LAYERS, ENDPOINT)
    assert decision.verdict == "denied"
    assert decision.reason == ("no statement allows s3:GetObject on " + LAYERS
                               + " (implicit deny; the known request context fails the conditions of statement 0)")
    assert evaluate(only_corporate, ["s3:GetObject"], LAYERS).verdict == "conditional"
    outside = deny("*", Condition={"NotIpAddress": {"aws:SourceIp": CORPORATE}, "Bool": {"aws:ViaAWSService": "false"}})
    both = evaluate(policy(allow(), outside), ["s3:GetObject"], LAYERS, ENDPOINT)
    assert both.verdict == "conditional" and both.to_dict()["condition_keys"] == ["aws:ViaAWSService"]
    alone = deny("*", Condition={"NotIpAddress": {"aws:SourceIp": CORPORATE}})
    decision = evaluate(policy(allow(), alone), ["s3:GetObject"], LAYERS, ENDPOINT)
    assert decision.verdict == "denied" and "statement 1 explicitly denies" in decision.reason
