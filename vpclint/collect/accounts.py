"""Which accounts a scan reads: the organization's active accounts, or the ones named, less the excluded, in one
shard of N.

A shard is picked by a stable hash of the account id (never by position in a list), so the shards of one
organization are the same on every runner and on every run, and adding or removing one account moves only that
account.
"""

from __future__ import annotations

import argparse
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Optional

import boto3

from vpclint.collect.session import CALL_ERRORS, HOME_REGIONS, client_config, error_code, error_message
from vpclint.documents import read_text
from vpclint.errors import EXIT_INCOMPLETE, VpclintError

ACCOUNT_ID = re.compile(r"^\d{12}$")
ACTIVE = "ACTIVE"


@dataclass(frozen=True)
class AccountTarget:
    """An account to scan, with its name in AWS Organizations when it was listed there."""

    account_id: str
    name: Optional[str] = None


@dataclass(frozen=True)
class Shard:
    """Shard ``index`` (1-based) of ``count``: ``--shard 2/4``."""

    index: int
    count: int

    def holds(self, account_id: str) -> bool:
        """Whether ``account_id`` falls in this shard."""
        return shard_of(account_id, self.count) == self.index


def shard_of(account_id: str, count: int) -> int:
    """The shard (1 to ``count``) of an account: its id's SHA-256, modulo ``count``, plus one."""
    return int.from_bytes(hashlib.sha256(account_id.encode()).digest()[:8], "big") % count + 1


def parse_shard(text: str) -> Shard:
    """argparse type of ``--shard K/N``: 1 <= K <= N."""
    match = re.fullmatch(r"(\d+)/(\d+)", text.strip())
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise argparse.ArgumentTypeError(f"expected K/N with 1 <= K <= N (shard K of N), got {text!r}")
    return Shard(int(match[1]), int(match[2]))


def account_ids(values: Iterable[str], source: str) -> list[str]:
    """Account ids from comma- or space-separated text (``--accounts 111122223333,444455556666``); anything but a
    12-digit id is an error naming ``source``."""
    ids = [part for value in values for part in re.split(r"[,\s]+", value.strip()) if part]
    for value in ids:
        if not ACCOUNT_ID.match(value):
            raise VpclintError(f"{source}: {value!r} is not an AWS account id (12 digits)")
    return ids


def accounts_file(path: Path) -> list[str]:
    """The account ids of a file: one or more per line, ``#`` starts a comment."""
    lines = [line.split("#", 1)[0] for line in read_text(path, "accounts file").splitlines()]
    return account_ids(lines, f"accounts file {path}")


def organization_accounts(session: boto3.Session, partition: str) -> list[AccountTarget]:
    """The organization's active accounts (``organizations:ListAccounts``: from the management account or a
    delegated administrator), suspended and closed ones left out."""
    client = session.client("organizations", region_name=HOME_REGIONS.get(partition, "us-east-1"), config=client_config())
    try:
        listed = [account for page in client.get_paginator("list_accounts").paginate() for account in page["Accounts"]]
    except CALL_ERRORS as exc:
        raise VpclintError(
            f"cannot list the organization's accounts (organizations:ListAccounts: {error_code(exc)}: "
            f"{error_message(exc)}): run from the management account or a delegated administrator, or name the "
            "accounts with --accounts", EXIT_INCOMPLETE,
        ) from None
    active = [a for a in listed if (a.get("State") or a.get("Status")) == ACTIVE]
    return [AccountTarget(a["Id"], a.get("Name")) for a in active]


def select_accounts(targets: list[AccountTarget], exclude: Iterable[str], shard: Optional[Shard]) -> list[AccountTarget]:
    """``targets`` without the excluded ids, in ``shard`` if given, once each and sorted by id."""
    excluded = set(exclude)
    unique = {t.account_id: t for t in targets}
    return [unique[i] for i in sorted(unique) if i not in excluded and (shard is None or shard.holds(i))]
