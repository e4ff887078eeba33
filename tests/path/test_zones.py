"""DNS name matching of private hosted zones and Resolver rules (vpclint.path.zones) against brute-force references
written from the definitions: the most specific zone or rule holding the name, and RFC 4592 wildcards (a wildcard
``*.P`` answers a name below P when no name between them exists in the zone)."""

from __future__ import annotations

from typing import Optional

from hypothesis import given, settings
from hypothesis import strategies as st

from vpclint.path.hubindex import dns_name
from vpclint.path.zones import best_rule, best_zone, lookup
from vpclint.snapshot_hub import HostedZone, ResolverRule, ResourceRecordSet

LABELS = st.sampled_from(["a", "b", "c"])
Name = tuple[str, ...]


def render(labels: Name, draw: st.DrawFn) -> str:
    """A name as Route 53 may spell it: any case, a trailing dot or not, ``*`` as ``\\052`` or not."""
    text = ".".join(labels)
    if text.startswith("*") and draw(st.booleans()):
        text = "\\052" + text[1:]
    if draw(st.booleans()):
        text = text.upper()
    return text + "." if draw(st.booleans()) else text


def below(name: Name, ancestor: Name) -> bool:
    """True when ``name`` is ``ancestor`` or under it, label by label."""
    return len(name) >= len(ancestor) and name[len(name) - len(ancestor):] == ancestor


@st.composite
def zones_and_name(draw: st.DrawFn) -> tuple[list[tuple[str, Name]], Name]:
    zones = draw(st.lists(st.tuples(st.sampled_from(["Z1", "Z2", "Z3"]), st.lists(LABELS, max_size=3).map(tuple)),
                          max_size=5, unique_by=lambda z: z[0]))
    return zones, tuple(draw(st.lists(LABELS, max_size=4)))


@settings(max_examples=300, deadline=None)
@given(zones_and_name(), st.data())
def test_the_most_specific_zone_and_rule_hold_the_name(case, data):
    zones, name = case
    models = [HostedZone(hosted_zone_id=z, name=render(labels, data.draw)) for z, labels in zones]
    holding = [(len(labels), z) for z, labels in zones if below(name, labels)]
    expected: Optional[str] = min(holding, key=lambda h: (-h[0], h[1]))[1] if holding else None
    found = best_zone(models, ".".join(name))
    assert (found.hosted_zone_id if found else None) == expected
    rules = [ResolverRule(resolver_rule_id=f"rslvr-{z}", domain_name=render(labels, data.draw), rule_type="FORWARD")
             for z, labels in zones]
    rule = best_rule(rules, ".".join(name))
    assert (rule.resolver_rule_id if rule else None) == (f"rslvr-{expected}" if expected else None)


@st.composite
def zone_records(draw: st.DrawFn) -> tuple[Name, list[tuple[Name, str]], Name]:
    zone = tuple(draw(st.lists(LABELS, max_size=2)))
    relative = st.lists(LABELS, max_size=3).map(tuple)
    owners = draw(st.lists(st.tuples(relative, st.booleans(), st.sampled_from(["A", "CNAME", "TXT"])), max_size=6))
    records = [((("*",) if star else ()) + labels + zone, kind) for labels, star, kind in owners]
    return zone, records, draw(relative) + zone


def reference(zone: Name, records: list[tuple[Name, str]], name: Name) -> list[int]:
    """The indexes of the answering records, from RFC 4592's definitions."""
    answering = [i for i, (_, kind) in enumerate(records) if kind in ("A", "CNAME")]
    nodes = {zone} | {owner[k:] for owner, _ in records for k in range(len(owner) - len(zone) + 1)}
    if name in nodes:
        return [i for i in answering if records[i][0] == name]
    for i in answering:
        owner = records[i][0]
        if not owner or owner[0] != "*" or not below(name, owner[1:]) or name == owner[1:]:
            continue
        parent = owner[1:]
        between = [n for n in nodes if below(name, n) and below(n, parent) and n != parent]
        if not between:
            return [j for j in answering if records[j][0] == owner]
    return []


@settings(max_examples=500, deadline=None)
@given(zone_records(), st.data())
def test_lookup_answers_as_rfc_4592_says(case, data):
    zone, records, name = case
    models = [ResourceRecordSet(name=render(owner, data.draw), type=kind, values=[str(i)])
              for i, (owner, kind) in enumerate(records)]
    found = lookup(dns_name(render(zone, data.draw)), models, ".".join(name))
    assert sorted(int(r.values[0]) for r in found) == reference(zone, records, name)


def test_a_wildcard_answers_names_several_labels_below_it_unless_a_name_between_exists():
    zone = "dkr.ecr.us-east-1.amazonaws.com"
    records = [ResourceRecordSet(name="\\052.dkr.ecr.us-east-1.amazonaws.com.", type="A", values=["w"]),
               ResourceRecordSet(name="x.y.dkr.ecr.us-east-1.amazonaws.com.", type="TXT", values=["t"])]
    assert [r.values for r in lookup(zone, records, "123.dkr.ecr.us-east-1.amazonaws.com")] == [["w"]]
    assert [r.values for r in lookup(zone, records, "a.b.dkr.ecr.us-east-1.amazonaws.com")] == [["w"]]
    assert lookup(zone, records, "y.dkr.ecr.us-east-1.amazonaws.com") == []  # exists (x.y is below it): no data
    assert lookup(zone, records, "z.y.dkr.ecr.us-east-1.amazonaws.com") == []  # closest encloser y has no wildcard
    assert lookup(zone, records, zone) == []  # the apex exists, and has no address record


def test_names_are_compared_without_case_trailing_dots_or_escapes():
    assert dns_name("\\052.DKR.ecr.us-east-1.amazonaws.com.") == "*.dkr.ecr.us-east-1.amazonaws.com"
    assert dns_name(None) == "" and dns_name(".") == ""
    assert dns_name("a\\055b") == "a-b"
