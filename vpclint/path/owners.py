"""Shared VPCs: a VPC owned by another account, judged from what this account (a participant) can see.

AWS lets a VPC's owner share its subnets with other accounts of the organisation (RAM). A participant sees the
VPC and the shared subnets, and its own interfaces and security groups, but not the owner's route tables,
network ACLs or endpoints ("Participants cannot view, modify, or delete resources that belong to other
participants or the VPC owner": https://docs.aws.amazon.com/vpc/latest/userguide/vpc-sharing.html and
https://docs.aws.amazon.com/vpc/latest/userguide/vpc-share-limitations.html). Every flow of a pull goes through
the owner's route table, and the registry flows through the owner's endpoints: while the owner's view is not in
the index (``RegionIndex.scanned``) they are ``unknown``, never guessed from what is missing. When it is, the
model reads the owner's resources like any others.
"""

from __future__ import annotations

from typing import Optional

from vpclint.path.index import RegionIndex
from vpclint.snapshot import Subnet


def unscanned_owner(index: RegionIndex, vpc_id: str) -> Optional[str]:
    """The account that owns the VPC when it is another account whose view of the region is not in the index
    (then its route tables, network ACLs and endpoints are unseen); None otherwise."""
    vpc = index.vpcs.get(vpc_id)
    owner = vpc.owner_id if vpc is not None else None
    return None if index.scanned(owner) else owner


def owner_reason(subnet: Subnet, owner: str) -> str:
    """Why a flow of a subnet in a VPC of an unscanned owner is unknown."""
    return (
        f"{subnet.vpc_id} is owned by account {owner}: scan that account (a participant can't see the owner's "
        "route tables, network ACLs or endpoints)"
    )
