"""Sessions in other accounts: ``sts:AssumeRole`` into each with the caller's credentials, refreshed before they
expire.

Each account gets its own botocore session whose credentials botocore refreshes by assuming the role again when
they come within 15 minutes of expiring (``DeferredRefreshableCredentials`` over an ``AssumeRoleCredentialFetcher``),
so a run longer than the role's session lasts keeps reading. The sessions share one loader of service models, so
a hundred accounts do not load the EC2 model a hundred times.
"""

from __future__ import annotations

import threading
import time
from typing import Any, Optional

import boto3
import botocore.session
from botocore.loaders import Loader
from botocore.credentials import (
    AssumeRoleCredentialFetcher, CredentialProvider, CredentialResolver, Credentials, DeferredRefreshableCredentials,
)

from vpclint import __version__
from vpclint.collect.models import CalledOperationsLoader
from vpclint.collect.session import HOME_REGIONS, client_config

DEFAULT_ROLE_NAME = "vpclint-readonly"
"""The role ``--role-name`` assumes in each account by default."""


def role_arn(partition: str, account_id: str, role_name: str) -> str:
    """The ARN of ``role_name`` (a name, or ``path/name``) in ``account_id`` of ``partition``."""
    return f"arn:{partition}:iam::{account_id}:role/{role_name.strip('/')}"


def session_name() -> str:
    """The role session name CloudTrail shows for a run: ``vpclint-<version>-<epoch seconds>``."""
    return f"vpclint-{__version__}-{int(time.time())}"


class _Assumed(CredentialProvider):
    """A credential provider handing out one account's assumed-role credentials."""

    METHOD = "assume-role"

    def __init__(self, credentials: Credentials) -> None:
        super().__init__()
        self.credentials = credentials

    def load(self) -> Credentials:
        return self.credentials


class RoleAssumer:
    """Opens a session in any account of the partition by assuming ``role_name`` from ``base``'s credentials
    (``base`` is used only here, under a lock, once the collection has started)."""

    def __init__(self, base: boto3.Session, profile: Optional[str], partition: str, role_name: str,
                 external_id: Optional[str] = None, name: Optional[str] = None, loader: Optional[Loader] = None) -> None:
        self.base, self.profile, self.partition = base, profile, partition
        self.role_name, self.external_id, self.name = role_name, external_id, name or session_name()
        self.source = base.get_credentials()
        self.loader = loader or CalledOperationsLoader()  # shared by the accounts' sessions: the service models are loaded once
        self.lock = threading.Lock()  # a boto3 session is not safe to share across threads: one client at a time
        self.sts: Optional[tuple[tuple, Any]] = None
        """The caller's credentials the last STS client was made with, and that client."""

    def _sts(self, service: str, **credentials: Any) -> Any:
        """An STS client of the caller (``AssumeRoleCredentialFetcher`` asks for one on each assume and refresh,
        with the caller's current credentials): one for every account while those credentials stay the same."""
        region = self.base.region_name or HOME_REGIONS.get(self.partition, "us-east-1")
        key = (service, *sorted(credentials.items()))
        with self.lock:
            if self.sts is None or self.sts[0] != key:
                self.sts = key, self.base.client(service, region_name=region, config=client_config(), **credentials)
            return self.sts[1]

    def open(self, account_id: str) -> boto3.Session:
        """A session in ``account_id``; its credentials are fetched now, so a role that can't be assumed fails here
        (with the ``ClientError`` AWS answered)."""
        extra = {"RoleSessionName": self.name, **({"ExternalId": self.external_id} if self.external_id else {})}
        fetcher = AssumeRoleCredentialFetcher(self._sts, self.source, role_arn(self.partition, account_id, self.role_name), extra)
        credentials = DeferredRefreshableCredentials(refresh_using=fetcher.fetch_credentials, method="assume-role")
        credentials.get_frozen_credentials()
        session = botocore.session.Session(profile=self.profile)
        session.register_component("data_loader", self.loader)
        session.register_component("credential_provider", CredentialResolver([_Assumed(credentials)]))
        return boto3.Session(botocore_session=session, region_name=self.base.region_name)
