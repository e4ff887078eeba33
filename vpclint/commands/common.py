"""Options and steps shared by the commands that read an account: collection flags, progress, output files."""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from pathlib import Path
import re
from typing import Any, Callable, Iterator, Optional, TextIO

from vpclint.collect.accounts import parse_shard
from vpclint.collect.assume import DEFAULT_ROLE_NAME
from vpclint.collect.org import ACCOUNT_WORKERS, ORG_WORKERS, AccountOptions, collect_organization
from vpclint.collect.scheduler import REGION_DEADLINE, TIMEOUT, Progress, collect_account
from vpclint.config import MAX_TIMEOUT, ROLE_PATTERNS, Config
from vpclint.demo import DEMO_FILE, demo_snapshot_text
from vpclint.documents import write_text
from vpclint.errors import VpclintError
from vpclint.snapshot import Snapshot


from vpclint.snapshot_files import load_all, parse, snapshot_files


def add_collection_args(parser: argparse.ArgumentParser) -> None:
    """The live-collection flags shared by ``collect`` and ``scan``."""
    group = parser.add_argument_group("collection (live AWS)")
    group.add_argument("--profile", help="AWS profile (default: the standard credential chain)")
    group.add_argument("--region", action="append", default=[], metavar="R", help="region to scan (repeatable)")
    group.add_argument("--all-regions", action="store_true", help="every enabled region of the account's partition")
    group.add_argument(
        "--max-workers", type=positive_int, default=None, metavar="N",
        help=f"account-regions collected at once (default 8; {ORG_WORKERS} with several accounts)",
    )
    group.add_argument(
        "--timeout", type=seconds, default=None, metavar="SECONDS",
        help=f"give up what is still unread after this many seconds, keeping the rest (exit 3; default: the config's "
             f"timeout, else {TIMEOUT:g}; each region also has {REGION_DEADLINE:g} s)",
    )
    add_account_args(parser)


ACCOUNT_FLAGS = ("org", "accounts", "accounts_file", "exclude_accounts", "role_name", "external_id")
"""The account flags that have config keys (``exclude_accounts`` is ``--exclude-accounts``)."""


def add_account_args(parser: argparse.ArgumentParser) -> None:
    """The flags that scan several accounts (an AWS Organization, or named accounts) through an assumed role."""
    group = parser.add_argument_group("several accounts (AWS Organizations)")
    group.add_argument("--org", action="store_true", default=None,
                       help="every active account of the organization (organizations:ListAccounts, from the management "
                            "account or a delegated administrator)")
    group.add_argument("--accounts", action="append", default=[], metavar="ID[,ID...]", help="these accounts (repeatable)")
    group.add_argument("--accounts-file", type=Path, metavar="FILE", help="the account ids in FILE (one or more a line, # comments)")
    group.add_argument("--exclude-accounts", action="append", default=[], metavar="ID[,ID...]", help="leave these accounts out")
    group.add_argument("--role-name", type=_matching(*ROLE_PATTERNS["role_name"]), metavar="NAME",
                       help=f"role assumed in each account but the caller's (default {DEFAULT_ROLE_NAME})")
    group.add_argument("--external-id", type=_matching(*ROLE_PATTERNS["external_id"]), metavar="ID",
                       help="external id the role's trust policy asks for")
    group.add_argument("--shard", type=parse_shard, metavar="K/N",
                       help="only shard K of N of the accounts (by a stable hash of the id): one CI job per shard, "
                            "then 'scan --snapshot DIR' merges them")
    group.add_argument("--account-workers", type=positive_int, default=ACCOUNT_WORKERS, metavar="N",
                       help=f"regions of one account collected at once (default {ACCOUNT_WORKERS})")


def _matching(pattern: re.Pattern[str], what: str) -> Callable[[str], str]:
    """argparse type: text that ``pattern`` matches."""
    def check(text: str) -> str:
        if not pattern.match(text):
            raise argparse.ArgumentTypeError(f"expected {what}, got {text!r}")
        return text
    return check


def with_config(args: argparse.Namespace, config: Config) -> argparse.Namespace:
    """``args`` with the config's live-collection keys where no flag was given: regions, timeout, and the accounts
    (the flags ``--org``/``--accounts``/``--accounts-file`` replace the config's account list as a whole). A
    snapshot or the demo is read as it is."""
    if getattr(args, "snapshot", None) or getattr(args, "demo", False):
        return args
    update: dict[str, Any] = {}
    if not args.region and not args.all_regions:
        update.update(region=list(config.regions), all_regions=config.all_regions)
    if getattr(args, "timeout", None) is None and config.timeout is not None:
        update["timeout"] = config.timeout
    flag = {key: getattr(args, key, None) for key in ACCOUNT_FLAGS}
    if not (flag["org"] or flag["accounts"] or flag["accounts_file"]):
        update.update(org=config.org, accounts=list(config.accounts), accounts_file=config.accounts_file)
    update["exclude_accounts"] = flag["exclude_accounts"] or list(config.exclude_accounts)
    update["role_name"] = flag["role_name"] or config.role_name
    update["external_id"] = flag["external_id"] or config.external_id
    return argparse.Namespace(**{**vars(args), **update})


def account_options(args: argparse.Namespace) -> AccountOptions:
    """The accounts the flags (and config) ask for, checked (see :meth:`AccountOptions.named`)."""
    given = {key: getattr(args, key, None) for key in ACCOUNT_FLAGS + ("shard",)}
    options = AccountOptions(
        org=bool(given["org"]), accounts=list(given["accounts"] or []), accounts_file=given["accounts_file"],
        exclude=list(given["exclude_accounts"] or []), role_name=given["role_name"] or DEFAULT_ROLE_NAME,
        external_id=given["external_id"], shard=given["shard"],
    )
    options.named()
    return options


def add_config_arg(parser: argparse.ArgumentParser) -> None:
    """``--config FILE``."""
    parser.add_argument("--config", type=Path, metavar="FILE", help="config file (default: .vpclint.toml in the current folder, if present)")


def add_source_args(parser: argparse.ArgumentParser) -> None:
    """``--snapshot FILE`` and ``--demo``, the alternatives to a live collection."""
    source = parser.add_mutually_exclusive_group()
    source.add_argument(
        "--snapshot", type=Path, action="append", metavar="FILE",
        help="read a snapshot file instead of collecting (repeatable, or a folder of *.json: the shards are merged)",
    )
    source.add_argument("--demo", action="store_true", help="use the embedded demo account (no AWS credentials needed)")


def positive_int(text: str) -> int:
    """argparse type: an integer >= 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number >= 1, got {value}")
    return value


def seconds(text: str) -> float:
    """argparse type: a number of seconds above 0 and at most MAX_TIMEOUT."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number of seconds, got {text!r}") from None
    if not 0 < value <= MAX_TIMEOUT:  # also refuses nan
        raise argparse.ArgumentTypeError(f"expected seconds above 0 and at most {MAX_TIMEOUT:g}, got {text!r}")
    return value


def add_rules_dir_arg(parser: argparse.ArgumentParser) -> None:
    """``--rules DIR`` (repeatable): rule files to load beside the built-in ones."""
    parser.add_argument("--rules", action="append", default=[], type=Path, metavar="DIR", help="also load the rule files in DIR (repeatable)")


def collect_live(args: argparse.Namespace, metrics_days: Optional[int] = None) -> Snapshot:
    """Collect from AWS (NAT metrics when ``metrics_days``) with a progress display on stderr, never stdout: the
    accounts and regions done and the region and API being read. Shown only when stderr is a terminal and not
    ``--no-progress``. The collection is given up after ``--timeout`` seconds (default TIMEOUT)."""
    timeout = getattr(args, "timeout", None) or TIMEOUT
    options = account_options(args)
    shown = not getattr(args, "no_progress", False) and sys.stderr.isatty()
    if options.several:
        with org_progress(shown) as progress:
            return collect_organization(args.profile, args.region, args.all_regions, options, args.max_workers or ORG_WORKERS,
                                        getattr(args, "account_workers", ACCOUNT_WORKERS), metrics_days, timeout, progress)
    workers = args.max_workers or 8
    if not shown:
        return collect_account(args.profile, args.region, args.all_regions, workers, metrics_days=metrics_days,
                               timeout=timeout)
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(),
               TextColumn("regions"), TimeElapsedColumn())
    with Progress(*columns, console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Reading the caller identity and regions", total=None)

        def start(regions: list[str]) -> None:
            progress.update(task, total=len(regions), description=f"Collecting {', '.join(regions[:3])}{' …' if len(regions) > 3 else ''}")

        def call(region: str, api: str) -> None:
            progress.update(task, description=f"{region}: {api}")

        def done(region: str) -> None:
            progress.advance(task)

        return collect_account(args.profile, args.region, args.all_regions, workers, start, done, metrics_days,
                               on_call=call, timeout=timeout)


@contextmanager
def org_progress(shown: bool) -> Iterator[Optional[Progress]]:
    """A progress display of the accounts and regions done (and the call being made), on stderr when ``shown``."""
    if not shown:
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bars, TextColumn, TimeElapsedColumn

    columns = (TextColumn("{task.description}"), BarColumn(bar_width=20), MofNCompleteColumn(), TimeElapsedColumn())
    with Bars(*columns, console=Console(stderr=True), transient=True) as bars:
        accounts = bars.add_task("Accounts", total=None)
        regions = bars.add_task("Regions", total=0)
        opened: list[str] = []

        def on_account(account: str, names: list[str]) -> None:
            opened.append(account)
            bars.update(accounts, completed=len(opened))
            bars.update(regions, total=(bars.tasks[regions].total or 0) + len(names))

        def on_call(account: str, region: str, api: str) -> None:
            bars.update(regions, description=f"Regions ({account} {region}: {api})")

        yield Progress(on_start=lambda total: bars.update(accounts, total=total), on_account=on_account, on_region_done=lambda account, region: bars.advance(regions), on_call=on_call)


def obtain_snapshot(args: argparse.Namespace, metrics_days: Optional[int] = None) -> tuple[Snapshot, Optional[Path]]:
    """The snapshot a command works on: the demo, the snapshot files (merged), or a live collection (with
    ``metrics_days`` of NAT metrics); and the file it came from when it is one file."""
    if getattr(args, "demo", False):
        return only_regions(parse(demo_snapshot_text(), f"(embedded {DEMO_FILE})"), getattr(args, "region", [])), None
    paths = getattr(args, "snapshot", None)
    if paths:
        files = snapshot_files([paths] if isinstance(paths, Path) else paths)
        return only_regions(load_all(files), getattr(args, "region", [])), files[0] if len(files) == 1 else None
    return collect_live(args, metrics_days), None


def only_regions(snapshot: Snapshot, regions: list[str]) -> Snapshot:
    """The snapshot's ``--region`` regions (all with none); a region it doesn't hold is a usage error."""
    if not regions:
        return snapshot
    held = snapshot.region_names()
    missing = sorted(set(regions) - set(held))
    if missing:
        raise VpclintError(f"--region {missing[0]}: not in the snapshot (it holds {', '.join(held) or 'no region'})")
    accounts = [a.model_copy(update={"regions": [r for r in a.regions if r.region in regions]}) for a in snapshot.accounts]
    return snapshot.model_copy(update={"accounts": accounts})


def resolve_vpcs(snapshot: Snapshot, wanted: list[str]) -> list[str]:
    """The ids of the VPCs ``--vpc`` names, by id or Name tag; one that names no VPC of the snapshot is a usage
    error (unless a region's VPCs could not be read, when it is kept as given)."""
    vpcs = [vpc for region in snapshot.regions for vpc in region.vpcs]
    complete = all("vpcs" in region.collected for region in snapshot.regions)
    ids: list[str] = []
    for name in wanted:
        matched = [vpc.vpc_id for vpc in vpcs if name in (vpc.vpc_id, vpc.tags.get("Name"))]
        if not matched and complete:
            raise VpclintError(f"--vpc {name}: no such VPC in the scanned regions")
        ids += matched or [name]
    return sorted(set(ids))


@contextmanager
def output_stream(target: Optional[str]) -> Iterator[TextIO]:
    """stdout for None or '-', else a file written atomically when the block succeeds."""
    if target in (None, "-"):
        yield sys.stdout
        return
    import io

    buffer = io.StringIO()
    yield buffer
    write_text(Path(target), buffer.getvalue(), "output")
