"""The endpoint-policy evaluator (vpclint.policy) and the policy_decision rule function."""

from __future__ import annotations

import json
import re

import jmespath
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from vpclint.functions import rule_options
from vpclint.policy import PolicyError, VERDICTS, action_matches, covers, decide, evaluate, overlaps, parse_policy

LAYERS = "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*"
REPOS = "arn:aws:ecr:us-east-1:*:repository/*"
PULL = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]


def allow(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Allow", "Principal": "*", "Action": action, "Resource": resource, **extra}


def deny(action="*", resource="*", **extra) -> dict:
    return {"Effect": "Deny", "Principal": "*", "Action": action, "Resource": resource, **extra}


def policy(*statements) -> dict:
    return {"Version": "2012-10-17", "Statement": list(statements)}


# --- unit tests ----------------------------------------------------------------------------------------------


def test_missing_policy_is_full_access():
    decision = evaluate(None, ["s3:GetObject"], LAYERS)
    assert decision.verdict == "allowed"
    assert decision.reason == "no endpoint policy: the default policy allows full access"


def test_policy_as_json_text_with_a_single_statement_object():
    text = json.dumps({"Statement": allow("s3:GetObject", LAYERS)})
    decision = evaluate(text, ["s3:GetObject"], LAYERS).to_dict()
    assert decision["verdict"] == "allowed"
    assert [s["index"] for s in decision["deciding_statements"]] == [0]


def test_explicit_deny_wins_and_is_named():
    decision = evaluate(policy(allow(), deny("ecr:BatchGetImage", Sid="NoPull")), PULL, REPOS).to_dict()
    assert decision["verdict"] == "denied"
    assert decision["denied_actions"] == ["ecr:BatchGetImage"]
    assert [(s["index"], s["sid"], s["effect"]) for s in decision["deciding_statements"]] == [(1, "NoPull", "Deny")]
    assert "statement 1 (Sid 'NoPull') explicitly denies ecr:BatchGetImage" in decision["reason"]


def test_default_deny_when_no_statement_matches():
    decision = evaluate(policy(allow("s3:*", "arn:aws:s3:::acme/*")), ["s3:GetObject"], LAYERS)
    assert decision.verdict == "denied"
    assert decision.deciding == ()
    assert decision.reason == f"no statement allows s3:GetObject on {LAYERS} (implicit deny)"


def test_actions_match_case_insensitively_with_wildcards():
    assert evaluate(policy(allow("S3:getOBJECT")), ["s3:GetObject"], LAYERS).verdict == "allowed"
    assert evaluate(policy(allow("s3:Get?bject")), ["s3:GetObject"], LAYERS).verdict == "allowed"
    assert evaluate(policy(allow("s3:Get?")), ["s3:GetObject"], LAYERS).verdict == "denied"


def test_resources_match_case_sensitively():
    upper = LAYERS.replace("prod", "PROD")
    assert evaluate(policy(allow("s3:GetObject", upper)), ["s3:GetObject"], LAYERS).verdict == "denied"


def test_question_mark_matches_exactly_one_character():
    pattern = "arn:aws:s3:::prod-us-east-?-starport-layer-bucket/*"
    assert evaluate(policy(allow("s3:GetObject", pattern)), ["s3:GetObject"], LAYERS).verdict == "allowed"
    assert evaluate(policy(allow("s3:GetObject", pattern)), ["s3:GetObject"], LAYERS.replace("-1-", "-12-")).verdict == "denied"


def test_not_action_and_not_resource_are_complements():
    not_action = {"Effect": "Allow", "Principal": "*", "NotAction": "s3:Get*", "Resource": "*"}
    assert evaluate(policy(not_action), ["s3:GetObject"], LAYERS).verdict == "denied"
    assert evaluate(policy(not_action), ["s3:PutObject"], LAYERS).verdict == "allowed"
    deny_others = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "NotResource": "arn:aws:s3:::acme/*"}
    assert evaluate(policy(allow(), deny_others), ["s3:GetObject"], LAYERS).verdict == "denied"
    assert evaluate(policy(allow(), deny_others), ["s3:GetObject"], "arn:aws:s3:::acme/key").verdict == "allowed"


def test_conditional_allow_reports_the_condition_keys():
    condition = {"StringEquals": {"aws:PrincipalOrgID": "o-1"}, "Bool": {"aws:SecureTransport": "true"}}
    decision = evaluate(policy(allow(Condition=condition)), ["s3:GetObject"], LAYERS).to_dict()
    assert decision["verdict"] == "conditional"
    assert decision["condition_keys"] == ["aws:PrincipalOrgID", "aws:SecureTransport"]
    assert decision["conditional_actions"] == ["s3:GetObject"]
    assert "allowed only when its conditions hold" in decision["reason"]


def test_conditional_deny_makes_an_allow_conditional():
    conditional_deny = deny("s3:GetObject", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})
    decision = evaluate(policy(allow(), conditional_deny), ["s3:GetObject"], LAYERS).to_dict()
    assert decision["verdict"] == "conditional"
    assert [s["effect"] for s in decision["deciding_statements"]] == ["Deny"]
    assert decision["condition_keys"] == ["aws:SourceVpc"]
    assert "statement 1 denies it when its conditions hold" in decision["reason"]


def test_named_principals_make_the_answer_conditional_on_the_caller():
    named = {**allow(), "Principal": {"AWS": ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"]}}
    decision = evaluate(policy(named), PULL, REPOS).to_dict()
    assert decision["verdict"] == "conditional"
    assert decision["principals"] == ["AWS:arn:aws:iam::1:role/a", "AWS:arn:aws:iam::1:role/b"]
    assert "allowed only for principals AWS:arn:aws:iam::1:role/a" in decision["reason"]
    everyone = {**allow(), "Principal": {"AWS": ["arn:aws:iam::1:root", "*"]}}
    assert evaluate(policy(everyone), PULL, REPOS).verdict == "allowed"


def test_not_principal():
    excluded = {"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"}, "Action": "*", "Resource": "*"}
    decision = evaluate(policy(allow(), excluded), PULL, REPOS)
    assert decision.verdict == "conditional"
    assert "for principals other than AWS:arn:aws:iam::1:root" in decision.reason
    nobody = {"Effect": "Deny", "NotPrincipal": "*", "Action": "*", "Resource": "*"}
    assert evaluate(policy(allow(), nobody), PULL, REPOS).verdict == "allowed"


def test_request_pattern_partly_covered_is_conditional_on_the_resource():
    decision = evaluate(policy(allow("ecr:*", "arn:aws:ecr:us-east-1:1:repository/app")), PULL, REPOS)
    assert decision.verdict == "conditional"
    assert "for resources arn:aws:ecr:us-east-1:1:repository/app" in decision.reason
    assert evaluate(policy(allow("ecr:*", "arn:aws:ecr:*:*:repository/*")), PULL, REPOS).verdict == "allowed"


def test_star_request_resource_is_literal():
    scoped = policy(allow("ecr:*", "arn:aws:ecr:us-east-1:1:repository/*"))
    assert evaluate(scoped, ["ecr:GetAuthorizationToken"], "*").verdict == "denied"
    assert evaluate(policy(allow("ecr:*", "*")), ["ecr:GetAuthorizationToken"], "*").verdict == "allowed"


def test_verdict_over_several_actions_is_the_worst():
    decision = evaluate(policy(allow("ecr:BatchGetImage")), PULL, REPOS).to_dict()
    assert decision["verdict"] == "denied"
    assert decision["denied_actions"] == ["ecr:GetDownloadUrlForLayer"]
    assert "ecr:BatchGetImage" not in decision["reason"]


def test_an_unconditional_allow_beside_a_conditioned_allow_allows():
    conditioned = allow("s3:GetObject", LAYERS, Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    for document in (policy(allow(), conditioned), policy(conditioned, allow())):
        decision = evaluate(document, ["s3:GetObject"], LAYERS).to_dict()
        unconditional = document["Statement"].index(allow())
        assert decision["verdict"] == "allowed"
        assert decision["reason"] == f"statement {unconditional} allows s3:GetObject on {LAYERS}"
        assert [s["index"] for s in decision["deciding_statements"]] == [unconditional]
        assert decision["condition_keys"] == [] and decision["conditional_actions"] == []


def test_no_actions_to_check_is_allowed():
    for document in (policy(deny()), None):
        decision = evaluate(document, [], LAYERS)
        assert decision.verdict == "allowed"
    assert evaluate(policy(deny()), [], LAYERS).reason == "no actions to check"


def test_deciding_statements_carry_the_statement_as_written():
    statement = deny("ecr:BatchGetImage", REPOS, Sid="NoPull", Condition={"Bool": {"aws:SecureTransport": "false"}})
    decision = evaluate(policy(allow(), statement), PULL, REPOS).to_dict()
    assert decision["deciding_statements"] == [{"index": 1, "sid": "NoPull", "effect": "Deny", "statement": statement}]


def test_reason_of_a_partial_allow_with_a_partial_deny():
    named = {**allow("s3:GetObject", "*"), "Principal": {"AWS": "arn:aws:iam::1:root"}}
    conditioned = deny("s3:*", "arn:aws:s3:::prod-*", Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}})
    decision = evaluate(policy(named, conditioned), ["s3:GetObject"], LAYERS).to_dict()
    assert decision["verdict"] == "conditional"
    assert decision["reason"] == (
        f"s3:GetObject on {LAYERS} is allowed only for principals AWS:arn:aws:iam::1:root (statement 0), "
        "and statement 1 denies it when its conditions hold (keys: aws:SourceVpc)"
    )
    assert [s["index"] for s in decision["deciding_statements"]] == [0, 1]


def test_every_deciding_statement_is_named():
    decision = evaluate(policy(deny("s3:*"), allow(), deny("s3:GetObject", Sid="NoGet")), ["s3:GetObject"], LAYERS)
    assert decision.reason == f"statement 0, statement 2 (Sid 'NoGet') explicitly denies s3:GetObject on {LAYERS}"


def test_a_partial_deny_without_an_allow_is_a_plain_implicit_deny():
    conditioned = deny(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    decision = evaluate(policy(conditioned), ["s3:GetObject"], LAYERS)
    assert decision.verdict == "denied"
    assert decision.reason == f"no statement allows s3:GetObject on {LAYERS} (implicit deny)"


def test_an_implicit_deny_names_every_allow_the_known_context_fails():
    elsewhere = [allow(Condition={"StringEquals": {"aws:SourceVpce": "vpce-0def"}}), allow(Condition={"StringEquals": {"aws:SourceVpc": "vpc-2"}})]
    conditioned = deny(Condition={"StringEquals": {"aws:PrincipalOrgID": "o-1"}})
    decision = evaluate(policy(*elsewhere, conditioned), ["s3:GetObject"], LAYERS, {"aws:SourceVpce": "vpce-0abc", "aws:SourceVpc": "vpc-1"})
    assert decision.reason == (
        f"no statement allows s3:GetObject on {LAYERS}"
        " (implicit deny; the known request context fails the conditions of statement 0, statement 1)"
    )


def test_limits_are_described_in_full():
    named = {
        **allow(),
        "Principal": {"AWS": ["arn:aws:iam::1:role/b", "arn:aws:iam::1:role/a"]},
        "Condition": {"StringEquals": {"aws:userid": "u", "aws:PrincipalOrgID": "o-1"}},
    }
    assert evaluate(policy(named), ["s3:GetObject"], LAYERS).reason == (
        f"s3:GetObject on {LAYERS} is allowed only for principals AWS:arn:aws:iam::1:role/a, AWS:arn:aws:iam::1:role/b"
        " and when its conditions hold (keys: aws:PrincipalOrgID, aws:userid) (statement 0)"
    )
    excluded = {
        "Effect": "Deny",
        "NotPrincipal": {"AWS": ["arn:aws:iam::2:root", "arn:aws:iam::1:root"]},
        "Action": "*",
        "NotResource": ["arn:aws:s3:::prod-*/sha256/*", "arn:aws:s3:::prod-*/v2/*"],
    }
    assert evaluate(policy(allow(), excluded), ["s3:GetObject"], LAYERS).reason == (
        f"statement 0 allows s3:GetObject on {LAYERS}, but statement 1 denies it for principals other than"
        " AWS:arn:aws:iam::1:root, AWS:arn:aws:iam::2:root and for resources other than arn:aws:s3:::prod-*/sha256/*,"
        " arn:aws:s3:::prod-*/v2/*"
    )


def test_partial_resources_collect_the_variables_of_every_pattern():
    patterns = [
        "arn:aws:s3:::${aws:username}/*",
        "arn:aws:s3:::prod-${aws:RequestedRegion}-starport-layer-bucket/*",
        "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/a/*",
    ]
    decision = evaluate(policy(allow(resource=patterns)), ["s3:GetObject"], LAYERS)
    assert decision.reason == (
        f"s3:GetObject on {LAYERS} is allowed only for resources {', '.join(patterns)}"
        " and depending on the request's ${aws:username}, ${aws:RequestedRegion} (statement 0)"
    )
    assert decision.to_dict()["policy_variables"] == ["${aws:RequestedRegion}", "${aws:username}"]


def test_several_partial_allows_and_denies_are_all_named():
    org = {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}
    document = policy(
        {**allow(), "Principal": {"AWS": "arn:aws:iam::1:root"}},
        allow(Condition=org),
        deny(Condition={"StringNotEquals": {"aws:SourceVpc": "vpc-1"}}),
        {**deny(), "Principal": {"Service": "ecs.amazonaws.com"}},
    )
    decision = evaluate(document, ["s3:GetObject"], LAYERS)
    assert decision.reason == (
        f"s3:GetObject on {LAYERS} is allowed only for principals AWS:arn:aws:iam::1:root (statement 0)"
        " or when its conditions hold (keys: aws:PrincipalOrgID) (statement 1),"
        " and statement 2 denies it when its conditions hold (keys: aws:SourceVpc);"
        " statement 3 denies it for principals Service:ecs.amazonaws.com"
    )
    assert [m.statement.index for m in decision.deciding] == [0, 1, 2, 3]


def test_the_reasons_of_several_actions_are_joined():
    decision = evaluate(policy(allow("s3:PutObject")), ["s3:GetObject", "s3:DeleteObject"], LAYERS)
    assert decision.reason == (
        f"no statement allows s3:GetObject on {LAYERS} (implicit deny); no statement allows s3:DeleteObject on {LAYERS} (implicit deny)"
    )
    assert decision.denied_actions == ("s3:GetObject", "s3:DeleteObject")


def test_a_principal_list_naming_everyone_is_everyone():
    [statement] = parse_policy(policy({**allow(), "Principal": {"AWS": ["arn:aws:iam::1:root", "*"], "Service": "ecs.amazonaws.com"}}))
    assert statement.principals == ["*"]
    [named] = parse_policy(policy({**allow(), "Principal": {"AWS": ["arn:aws:iam::1:root", "arn:aws:iam::1:root"]}}))
    assert named.principals == ["AWS:arn:aws:iam::1:root"]


@pytest.mark.parametrize(
    "document,message",
    [
        ("{not json", "not valid JSON (line 1, column 2: Expecting property name enclosed in double quotes)"),
        ([allow()], "the policy must be a JSON object, got list"),
        ({"Version": "2012-10-17"}, "the policy has no Statement"),
        ({"Statement": "Allow"}, "Statement must be an object or a list of objects"),
        ({"Statement": ["x"]}, "statement 0 is not an object"),
        (policy(allow(), {**allow(), "Effect": "allow"}), "statement 1: Effect must be 'Allow' or 'Deny', got 'allow'"),
        (policy({**allow(), "Sid": 1}), "statement 0: Sid must be a string"),
        (policy({**allow(), "NotAction": "s3:*"}), "statement 0 has both Action and NotAction"),
        (policy({"Effect": "Allow", "Principal": "*", "Action": "*"}), "statement 0 has neither Resource nor NotResource"),
        (policy({"Effect": "Allow", "Action": "*", "Resource": "*"}), "statement 0 has neither Principal nor NotPrincipal"),
        (policy({**allow(), "Principal": "arn:aws:iam::1:root"}), 'statement 0: Principal must be "*" or an object such as {"AWS": [...]}'),
        (
            policy({**allow(), "Principal": {"User": "x"}}),
            "statement 0: Principal: unknown principal type 'User' (expected one of AWS, Service, Federated, CanonicalUser)",
        ),
        (policy({**allow(), "Principal": {"AWS": []}}), "statement 0: Principal.AWS must be a string or a non-empty list of strings"),
        (policy(allow(action=[])), "statement 0: Action must be a string or a non-empty list of strings"),
        (policy(allow(Condition=["aws:SourceVpc"])), "statement 0: Condition must be an object of operator -> {key: value}"),
        (policy({**allow(), "Effects": "Allow", "Actions": "*"}), "statement 0 has unknown element(s) Actions, Effects"),
        ({"Version": "2020-01-01", "Statement": []}, "Version must be one of 2012-10-17, 2008-10-17, got '2020-01-01'"),
        ({"Version": "2012-10-17", "Statements": [allow()]}, "unknown top-level element(s) Statements"),
        ({"Statement": [], "Statements": [], "Ids": "x"}, "unknown top-level element(s) Ids, Statements"),
    ],
)
def test_malformed_policies_are_reported_not_raised(document, message):
    decision = evaluate(document, ["s3:GetObject"], LAYERS)
    assert decision.verdict == "malformed"
    assert decision.reason == f"the endpoint policy is malformed: {message}"
    with pytest.raises(PolicyError, match=f"^{re.escape(message)}$"):
        parse_policy(document)


def test_pattern_helpers():
    assert covers("arn:aws:s3:::b/*", "arn:aws:s3:::b/*")
    assert covers("arn:aws:s3:::*", "arn:aws:s3:::b/?")
    assert not covers("arn:aws:s3:::b/a*", "arn:aws:s3:::b/*")
    assert overlaps("arn:aws:s3:::b/a*", "arn:aws:s3:::b/*")
    assert not overlaps("arn:aws:s3:::c/*", "arn:aws:s3:::b/*")
    assert not covers("?", "arn:aws:s3:::b/?") and overlaps("*x", "a*")


# --- the rule function ---------------------------------------------------------------------------------------


def test_policy_decision_rule_function():
    item = {"policy": policy(allow(), deny("ecr:GetDownloadUrlForLayer")), "policy_error": None, "partition": "aws"}
    expression = "policy_decision(policy, policy_error, ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'], '*')"
    result = jmespath.search(expression, item, options=rule_options())
    assert result["verdict"] == "denied" and result["denied_actions"] == ["ecr:GetDownloadUrlForLayer"]
    assert json.loads(json.dumps(result)) == result
    broken = {"policy": None, "policy_error": "not valid JSON (line 1, column 1: Expecting value)"}
    verdict = jmespath.search(f"{expression}.verdict", broken, options=rule_options())
    assert verdict == "malformed"
    assert jmespath.search(f"{expression}.verdict", {"policy": None, "policy_error": None}, options=rule_options()) == "allowed"


# --- properties ----------------------------------------------------------------------------------------------

ACTIONS = ["s3:GetObject", "s3:PutObject", "ecr:BatchGetImage", "ecr:GetAuthorizationToken"]
ACTION_PATTERNS = ACTIONS + ["*", "s3:*", "S3:get*", "ecr:Get?uthorizationToken", "ecr:*Image"]
RESOURCES = ["*", LAYERS, "arn:aws:s3:::prod-us-east-1-starport-layer-bucket/k", REPOS]
RESOURCE_PATTERNS = RESOURCES + ["arn:aws:s3:::*", "arn:aws:s3:::acme/*", "arn:aws:ecr:*:1:repository/?pp", "arn:*"]
PRINCIPALS = ["*", {"AWS": "*"}, {"AWS": ["arn:aws:iam::1:root"]}, {"Service": "ecs.amazonaws.com"}]


def _one_or_list(values: list[str]):
    return st.one_of(st.sampled_from(values), st.lists(st.sampled_from(values), min_size=1, max_size=3))


@st.composite
def statements(draw):
    statement = {"Effect": draw(st.sampled_from(["Allow", "Deny"]))}
    statement[draw(st.sampled_from(["Principal", "NotPrincipal"]))] = draw(st.sampled_from(PRINCIPALS))
    statement[draw(st.sampled_from(["Action", "NotAction"]))] = draw(_one_or_list(ACTION_PATTERNS))
    statement[draw(st.sampled_from(["Resource", "NotResource"]))] = draw(_one_or_list(RESOURCE_PATTERNS))
    if draw(st.booleans()):
        statement["Condition"] = {"StringEquals": {draw(st.sampled_from(["aws:SourceVpc", "aws:PrincipalOrgID"])): "x"}}
    if draw(st.booleans()):
        statement["Sid"] = draw(st.sampled_from(["A", "B"]))
    return statement


policies = st.lists(statements(), max_size=5).map(lambda s: {"Version": "2012-10-17", "Statement": s})
requests = st.tuples(st.lists(st.sampled_from(ACTIONS), min_size=1, max_size=3, unique=True), st.sampled_from(RESOURCES))
RANK = {"allowed": 0, "conditional": 1, "denied": 2}


def _summary(decision) -> tuple:
    data = decision.to_dict()
    statements_ = sorted(json.dumps(s["statement"], sort_keys=True) for s in data["deciding_statements"])
    return data["verdict"], data["condition_keys"], data["principals"], data["denied_actions"], statements_


@given(policies, requests)
def test_property_explicit_unconditional_deny_always_wins(document, request):
    actions, resource = request
    document["Statement"].append(deny(actions[0], "*"))
    decision = evaluate(document, actions, resource)
    assert decision.verdict == "denied"
    assert actions[0] in decision.denied_actions
    assert len(document["Statement"]) - 1 in {m.statement.index for m in decision.deciding}


@given(policies, requests, st.sampled_from(["Allow", "Deny"]))
def test_property_unrelated_statement_changes_nothing(document, request, effect):
    actions, resource = request
    before = evaluate(document, actions, resource).to_dict()
    document["Statement"].append({**allow("sqs:SendMessage"), "Effect": effect})
    assert evaluate(document, actions, resource).to_dict() == before


@given(policies, requests, st.randoms(use_true_random=False))
def test_property_statement_order_does_not_matter(document, request, random):
    actions, resource = request
    before = _summary(evaluate(document, actions, resource))
    random.shuffle(document["Statement"])
    assert _summary(evaluate(document, actions, resource)) == before


@given(policies, requests, statements())
def test_property_deny_never_grants_and_unconditional_allow_never_takes_away(document, request, extra):
    actions, resource = request
    before = RANK[evaluate(document, actions, resource).verdict]
    with_deny = {**document, "Statement": document["Statement"] + [{**extra, "Effect": "Deny"}]}
    assert RANK[evaluate(with_deny, actions, resource).verdict] >= before
    with_allow = {**document, "Statement": document["Statement"] + [allow()]}
    assert RANK[evaluate(with_allow, actions, resource).verdict] <= before


@given(requests)
def test_property_missing_policy_allows_everything(request):
    actions, resource = request
    assert evaluate(None, actions, resource).verdict == "allowed"


@given(st.from_regex(r"[a-z0-9-]{1,12}:[A-Za-z*?]{1,20}", fullmatch=True), st.text(min_size=1, max_size=30))
def test_property_star_allow_allows_any_action_on_any_resource(action, resource):
    assert evaluate(policy(allow("*", "*")), [action], resource).verdict == "allowed"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda children: st.lists(children, max_size=3) | st.dictionaries(
        st.sampled_from(["Statement", "Effect", "Action", "Resource", "Principal", "Condition", "Version", "x"]),
        children, max_size=4,
    ),
    max_leaves=20,
)


@given(json_values, requests)
def test_property_evaluate_never_raises(document, request):
    actions, resource = request
    assert evaluate(document, actions, resource).verdict in VERDICTS


PATTERN_TEXT = st.text(alphabet="ab/*?", max_size=8)


def _fullmatch(pattern: str, text: str) -> bool:
    regex = "".join(".*" if c == "*" else "." if c == "?" else re.escape(c) for c in pattern)
    return re.fullmatch(regex, text, re.DOTALL) is not None


@given(PATTERN_TEXT, st.text(alphabet="ab/", max_size=8))
def test_property_literal_request_covers_and_overlaps_mean_match(pattern, text):
    assert covers(pattern, text) == overlaps(pattern, text) == _fullmatch(pattern, text)


@given(PATTERN_TEXT, PATTERN_TEXT.filter(lambda r: r != "*"), st.lists(st.text(alphabet="ab/", max_size=3), min_size=8, max_size=8))
def test_property_covers_is_sound(pattern, request, fills):
    stars = iter(fills)
    instance = "".join(next(stars) if c == "*" else "b" if c == "?" else c for c in request)
    assert not covers(pattern, request) or (overlaps(pattern, request) and _fullmatch(pattern, instance))


@given(PATTERN_TEXT.filter(lambda r: r != "*"), st.data())
def test_property_generalising_a_request_covers_it(request, data):
    choices = st.sampled_from(["keep", "?", "*"])
    pattern = "".join(
        "*" if c == "*" else c if (choice := data.draw(choices)) == "keep" else "*" if c == "?" else choice
        for c in request
    )
    assert covers(pattern, request)


@given(st.text(alphabet="ab/", min_size=1, max_size=8), st.data())
def test_property_overlaps_finds_a_shared_witness(witness, data):
    def generalise(text: str) -> str:
        keep = data.draw(st.lists(st.sampled_from(["keep", "?", "*"]), min_size=len(text), max_size=len(text)))
        return "".join(c if k == "keep" else k for c, k in zip(text, keep))

    pattern, request = generalise(witness), generalise(witness)
    if request != "*":
        assert overlaps(pattern, request)


ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}


@settings(deadline=None)
@given(policies, requests)
@example(policy(allow(), deny(Condition=ORG)), (["s3:GetObject"], LAYERS))  # conditional: a partial deny
@example(policy(allow(Condition=ORG)), (["s3:GetObject"], LAYERS))  # conditional: a partial allow
@example(policy(allow(), deny()), (["s3:GetObject"], LAYERS))  # denied explicitly
@example(policy(), (["s3:GetObject"], LAYERS))  # denied implicitly
def test_property_decide_names_its_action_by_verdict(document, request):
    actions, resource = request
    for action in actions:
        decision = decide(parse_policy(document), action, resource)
        assert decision.denied_actions == ((action,) if decision.verdict == "denied" else ())
        assert decision.conditional_actions == ((action,) if decision.verdict == "conditional" else ())
        assert evaluate(document, [action], resource) == decision


@settings(deadline=None)
@given(st.text(alphabet="aB:*?", max_size=8), st.text(alphabet="Ab:*?", max_size=8))
@example("s3:Get?", "S3:GET*")  # the action's '*' is one character
@example("s3:*", "s3:?")
def test_property_an_action_is_literal_text_matched_without_case(pattern, action):
    assert action_matches(pattern, action) == _fullmatch(pattern.lower(), action.lower())
