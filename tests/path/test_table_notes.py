"""What the collector could not keep of route tables and network ACLs, as the path model reads it from a region's
notes (vpclint.path.tables): which tables and ACLs are known only in part, and why a subnet's table is not known."""

from __future__ import annotations

from vpclint.path.tables import partial_acls, table_doubt, table_notes
from vpclint.snapshot import ItemNote, Route, RouteTable


def note(api: str, item_id, message: str) -> ItemNote:
    return ItemNote(api=api, item_id=item_id, message=message)


def test_route_table_notes_name_the_tables_read_in_part_and_those_that_may_hold_an_association():
    notes = [note("ec2:DescribeRouteTables", "rtb-b", "route 4 left out: odd"),
             note("ec2:DescribeRouteTables", "rtb-b", "association 1 left out: odd"),
             note("vpclint:route_tables", "rtb-a", "left out: 'x' is not a valid CIDR"),
             note("ec2:DescribeRouteTables", None, "left out: missing 'RouteTableId'"),
             note("ec2:DescribeNetworkAcls", "acl-1", "entry 2 left out: odd"),
             note("ec2:DescribeRouteTables", "rtb-c", "route 1 left out: odd")]
    found = table_notes(notes)
    # one message per table, the first in sorted order whatever order the notes came in
    assert found.partial == {"rtb-b": "association 1 left out: odd", "rtb-a": "left out: 'x' is not a valid CIDR",
                             "(no id)": "left out: missing 'RouteTableId'", "rtb-c": "route 1 left out: odd"}
    assert table_notes(list(reversed(notes))).partial == found.partial
    assert found.hiding == ("(no id)", "rtb-a", "rtb-b")  # a lost route hides no association (rtb-c)


def test_acl_notes_name_the_acls_read_in_part_and_nothing_else():
    notes = [note("ec2:DescribeNetworkAcls", "acl-1", "entry 5 left out: b"),
             note("ec2:DescribeNetworkAcls", "acl-1", "entry 2 left out: a"),
             note("vpclint:network_acls", "acl-2", "left out: odd"),
             note("ec2:DescribeNetworkAcls", None, "left out: missing 'NetworkAclId'"),
             note("ec2:DescribeSecurityGroups", "sg-1", "egress permission 1 left out: odd")]
    assert partial_acls(notes) == {"acl-1": "entry 2 left out: a", "acl-2": "left out: odd"}
    assert partial_acls(list(reversed(notes))) == partial_acls(notes)


def test_why_a_subnets_route_table_is_not_known():
    main = RouteTable(route_table_id="rtb-main", vpc_id="vpc-1", routes=[Route(destination_cidr_block="10.0.0.0/16",
                                                                                target_type="local", target_id="local")])
    two = table_notes([note("vpclint:route_tables", "rtb-b", "left out: odd"), note("vpclint:route_tables", "rtb-a", "left out: odd")])
    assert table_doubt("subnet-1", main, False, two) == (
        "route table(s) rtb-a, rtb-b were left out of the snapshot, whole or an association: subnet-1 may be associated "
        "with one of them, not its VPC's main table rtb-main")
    assert table_doubt("subnet-1", main, True, two) is None  # its own association is known
    assert table_doubt("subnet-1", None, True, table_notes([])) == "no route table of subnet-1 is in the snapshot"
    assert table_doubt("subnet-1", main, False, table_notes([])) is None
