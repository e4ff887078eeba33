"""The live path of a scan of several accounts: who is calling, which accounts, a session in each, one collection.

The caller's own account is read with its own credentials; every other account through the role ``role_name``
assumed in it (partition-aware ARN from the caller's identity, optional external id). With ``--all-regions``
each account's enabled regions are its own (opt-in regions differ between accounts); named regions are the same
for every account.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Optional

from botocore.exceptions import NoRegionError

from vpclint.collect.accounts import (
    AccountTarget, Shard, account_ids, accounts_file, organization_accounts, select_accounts,
)
from vpclint.collect.assume import DEFAULT_ROLE_NAME, RoleAssumer
from vpclint.collect.models import CalledOperationsLoader
from vpclint.collect.scheduler import TIMEOUT, AccountJob, Progress, collect_accounts
from vpclint.collect.session import open_session, resolve_identity, resolve_regions, warm_loader
from vpclint.errors import VpclintError
from vpclint.snapshot import Snapshot

ORG_WORKERS = 32
"""Tasks at once by default when several accounts are scanned (``--max-workers``)."""
ACCOUNT_WORKERS = 8
"""Regions of one account at once by default (``--account-workers``)."""


@dataclass(frozen=True)
class AccountOptions:
    """Which accounts to scan and how to get in: ``--org`` or ``--accounts``/``--accounts-file``, less
    ``--exclude-accounts``, in ``--shard``; ``--role-name`` and ``--external-id``."""

    org: bool = False
    accounts: list[str] = field(default_factory=list)
    accounts_file: Optional[Path] = None
    exclude: list[str] = field(default_factory=list)
    role_name: str = DEFAULT_ROLE_NAME
    external_id: Optional[str] = None
    shard: Optional[Shard] = None

    @property
    def several(self) -> bool:
        """Whether accounts were asked for (else the caller's account alone is scanned)."""
        return self.org or bool(self.accounts) or self.accounts_file is not None

    def named(self) -> list[str]:
        """The account ids named by ``--accounts`` and ``--accounts-file``; a bad id, a file that can't be read or
        names given beside ``--org`` are errors (checked before any call to AWS)."""
        if self.org and (self.accounts or self.accounts_file):
            raise VpclintError("--org lists the accounts itself: leave out --accounts and --accounts-file (or use "
                               "--exclude-accounts)")
        if self.shard and not self.several:
            raise VpclintError("--shard splits several accounts: give --org, --accounts or --accounts-file too")
        account_ids(self.exclude, "--exclude-accounts")
        return account_ids(self.accounts, "--accounts") + (accounts_file(self.accounts_file) if self.accounts_file else [])

    def targets(self, listed: list[AccountTarget]) -> list[AccountTarget]:
        """The accounts to scan: ``listed`` (the organization's) or the named ones, less the excluded, in the shard."""
        chosen = listed if self.org else [AccountTarget(account) for account in self.named()]
        return select_accounts(chosen, account_ids(self.exclude, "--exclude-accounts"), self.shard)


def collect_organization(
    profile: Optional[str],
    regions: list[str],
    all_regions: bool,
    options: AccountOptions,
    max_workers: int = ORG_WORKERS,
    account_workers: int = ACCOUNT_WORKERS,
    metrics_days: Optional[int] = None,
    timeout: Optional[float] = TIMEOUT,
    progress: Optional[Progress] = None,
) -> Snapshot:
    """Collect the accounts ``options`` name (see the module's documentation) into one snapshot."""
    options.named()
    loader = CalledOperationsLoader()  # one copy of the service models for every account's session
    session = open_session(profile, loader)
    try:
        caller, partition = resolve_identity(session)
        named = None if all_regions else resolve_regions(session, partition, regions, False)
    except NoRegionError:
        raise VpclintError("no region to scan: pass --region R or --all-regions, or set AWS_REGION") from None
    targets = options.targets(organization_accounts(session, partition) if options.org else [])
    warm_loader(session)
    assumer = RoleAssumer(session, profile, partition, options.role_name, options.external_id, loader=loader)

    def job(target: AccountTarget) -> AccountJob:
        if target.account_id == caller:
            return AccountJob(caller, lambda: open_session(profile, loader), target.name, named, "sts:GetCallerIdentity")
        return AccountJob(target.account_id, lambda: assumer.open(target.account_id), target.name, named)

    return collect_accounts([job(t) for t in targets], partition, max_workers, account_workers, metrics_days, timeout,
                            progress=progress)
