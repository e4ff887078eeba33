"""The AWS side of a collection: session, caller identity, the regions to scan, client settings and error shapes."""

from __future__ import annotations

import difflib
from typing import Iterable, Optional

import boto3
import botocore.session
from botocore.config import Config
from botocore.loaders import Loader
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError, ProfileNotFound
from botocore.parsers import ResponseParserError
from urllib3.exceptions import HTTPError as Urllib3Error

from vpclint import __version__
from vpclint.collect.deadline import CollectionFault
from vpclint.errors import EXIT_INCOMPLETE, VpclintError
from vpclint.snapshot import CollectionError

HOME_REGIONS = {"aws": "us-east-1", "aws-cn": "cn-north-1", "aws-us-gov": "us-gov-west-1"}
ENABLED_OPT_IN_STATUSES = {"opt-in-not-required", "opted-in"}
MAX_ATTEMPTS = 10
"""Attempts per call, the first one included (adaptive retries ride out throttling)."""
PROBE_ATTEMPTS = 2
"""Attempts of a region's first call: enough for a dropped connection, not minutes of back-off for a dead endpoint."""
CALL_ERRORS = (ClientError, BotoCoreError, ResponseParserError, CollectionFault, Urllib3Error)
"""What a failed AWS call raises: AWS's answer, botocore's transport errors, a body botocore can't parse
(``ResponseParserError`` is not a BotoCoreError: a plain-text 503 used to escape and cost the whole region), the
collector's own faults (deadline, pagination loop), and urllib3's errors should one escape botocore."""
WARM_SERVICES = ("ec2", "sts", "route53", "route53resolver", "cloudwatch")
"""The services a collection calls (loaded once per run, see :func:`warm_loader`)."""
CONNECT_TIMEOUT = 5
"""Seconds to open a connection to an AWS endpoint (per attempt)."""
READ_TIMEOUT = 20
"""Seconds to wait for any byte of an answer (per attempt; EC2 describes answer in well under a second)."""


def client_config(max_attempts: int = MAX_ATTEMPTS) -> Config:
    """botocore settings for every client: adaptive retries for throttling and transient faults, bounded
    timeouts."""
    return Config(
        retries={"mode": "adaptive", "total_max_attempts": max_attempts},
        connect_timeout=CONNECT_TIMEOUT,
        read_timeout=READ_TIMEOUT,
        user_agent_extra=f"vpclint/{__version__}",
    )


def open_session(profile: Optional[str] = None, loader: Optional[Loader] = None) -> boto3.Session:
    """A boto3 session from the standard credential chain, or the named profile; with ``loader``, its service models
    come from that loader (the sessions of one run share them, see :func:`warm_loader`)."""
    try:
        if loader is None:
            return boto3.Session(profile_name=profile)
        core = botocore.session.Session()
        core.register_component("data_loader", loader)
        session = boto3.Session(botocore_session=core, profile_name=profile)
        core.get_scoped_config()  # boto3 reads the profile only to make its own loader: an unknown one fails here
        return session
    except ProfileNotFound as exc:  # from --profile, or from AWS_PROFILE when no --profile was given
        missing = profile or exc.kwargs.get("profile")
        raise VpclintError(f"AWS profile {missing!r} not found in the AWS config files") from None


def warm_loader(session: boto3.Session, services: Iterable[str] = WARM_SERVICES) -> None:
    """Load the models of ``services`` into ``session``'s loader now, on this thread: sessions sharing the loader
    then find them cached, instead of each worker decoding its own copy of the EC2 model at once."""
    region = session.region_name or "us-east-1"
    for service in services:
        session.client(service, region_name=region, config=client_config())


def error_code(exc: Exception) -> str:
    """AWS's error code of a failed call, or the exception's class name."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Code") or "ClientError")
    if isinstance(exc, CollectionFault):
        return exc.code
    return type(exc).__name__


def error_message(exc: Exception) -> str:
    """AWS's error message of a failed call, or the first line of the exception."""
    if isinstance(exc, ClientError):
        return str(exc.response.get("Error", {}).get("Message") or exc)
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def collection_error(region: str, api: str, exc: Exception) -> CollectionError:
    """The recorded form of a call that failed."""
    return CollectionError(region=region, api=api, code=error_code(exc), message=error_message(exc))


def error_order(error: CollectionError) -> tuple[str, str, str]:
    """Sort key of a region's errors."""
    return (error.api, error.code, error.message)


def resolve_identity(session: boto3.Session) -> tuple[str, str]:
    """``(account_id, partition)`` of the caller, from ``sts:GetCallerIdentity``."""
    region = session.region_name or "us-east-1"
    try:
        sts = session.client("sts", region_name=region, config=client_config())
        arn = sts.get_caller_identity()["Arn"]
    except NoCredentialsError:
        raise VpclintError(
            "no AWS credentials found (set AWS_PROFILE or --profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        ) from None
    except CALL_ERRORS as exc:
        raise VpclintError(
            f"sts:GetCallerIdentity failed in {region}: {error_code(exc)}: {error_message(exc)}"
        ) from None
    parts = arn.split(":")
    return parts[4], parts[1]


def partition_regions(session: boto3.Session) -> dict[str, str]:
    """Every EC2 region botocore knows, mapped to its partition."""
    known: dict[str, str] = {}
    for partition in session.get_available_partitions():
        for region in session.get_available_regions("ec2", partition_name=partition):
            known[region] = partition
    return known


def resolve_regions(
    session: boto3.Session, partition: str, requested: Iterable[str], all_regions: bool
) -> list[str]:
    """The regions to scan: the requested ones (validated), or the account's enabled regions of its partition."""
    known = partition_regions(session)
    requested = sorted(set(requested))
    for region in requested:
        if region not in known:
            close = difflib.get_close_matches(region, sorted(known), n=1)
            hint = f"did you mean {close[0]}?" if close else "not a region of any AWS partition known to botocore"
            raise VpclintError(f"unknown region `{region}` ({hint})")
        if known[region] != partition:
            raise VpclintError(
                f"region {region!r} is in partition {known[region]}, but the credentials are for {partition}"
            )
    if not all_regions:
        if requested:
            return requested
        if session.region_name:
            return [session.region_name]
        raise VpclintError("no region to scan: pass --region R (repeatable) or --all-regions, or set AWS_REGION")
    try:
        enabled = enabled_regions(session, partition, known)
    except CALL_ERRORS as exc:
        raise VpclintError(
            f"cannot list the account's regions (ec2:DescribeRegions in {discovery_region(session, partition)}: "
            f"{error_code(exc)}: {error_message(exc)}); pass --region instead",
            EXIT_INCOMPLETE,
        ) from None
    return sorted(set(enabled) | set(requested))


def discovery_region(session: boto3.Session, partition: str) -> str:
    """The region asked for the account's regions: the session's, when it is of ``partition``, else its home."""
    region = session.region_name or ""
    return region if partition_regions(session).get(region) == partition else HOME_REGIONS[partition]


def enabled_regions(session: boto3.Session, partition: str, known: Optional[dict[str, str]] = None) -> list[str]:
    """The account's enabled regions of ``partition`` (``ec2:DescribeRegions``; raises what the call raises)."""
    known = known if known is not None else partition_regions(session)
    ec2 = session.client("ec2", region_name=discovery_region(session, partition), config=client_config())
    listed = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(
        r["RegionName"]
        for r in listed
        if r.get("OptInStatus", "opt-in-not-required") in ENABLED_OPT_IN_STATUSES and known.get(r["RegionName"]) == partition
    )
