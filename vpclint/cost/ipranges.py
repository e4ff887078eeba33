"""AWS's published IP ranges (ip-ranges.json): load a file, or fetch and cache it when online.

:class:`PrefixSet` turns one region's ``S3`` prefixes into sorted, merged integer ranges and answers membership with
a bisect, which is what the flow-log parser calls on each address it has not seen.
"""

from __future__ import annotations

import ipaddress
import os
import socket
import sys
import time
import urllib.request
from bisect import bisect_right
from pathlib import Path
from typing import Annotated, Callable, Optional

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from vpclint.errors import VpclintError
from vpclint.text import one_line
from vpclint.documents import describe_validation_error, load_json, read_text, write_atomic

IP_RANGES_URL = "https://ip-ranges.amazonaws.com/ip-ranges.json"
CACHE_NAME = "ip-ranges.json"
CACHE_MAX_AGE_SECONDS = 24 * 3600
FETCH_TIMEOUT_SECONDS = 10


def _network(version: int) -> Callable[[str], str]:
    """A validator: the text is an IPv``version`` network in CIDR notation."""
    def check(text: str) -> str:
        try:
            network = ipaddress.ip_network(text, strict=False)
        except ValueError:
            network = None
        if network is None or network.version != version:
            raise ValueError(f"{text!r} is not an IPv{version} CIDR")
        return text
    return check


class _Prefix(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ip_prefix: Annotated[str, AfterValidator(_network(4))]
    region: str
    service: str


class _Ipv6Prefix(BaseModel):
    model_config = ConfigDict(extra="ignore")
    ipv6_prefix: Annotated[str, AfterValidator(_network(6))]
    region: str
    service: str


class IpRanges(BaseModel):
    """The parts of ip-ranges.json vpclint reads (AWS adds fields over time: extra keys are ignored)."""

    model_config = ConfigDict(extra="ignore")
    syncToken: str
    createDate: str
    prefixes: list[_Prefix] = Field(default_factory=list)
    ipv6_prefixes: list[_Ipv6Prefix] = Field(default_factory=list)

    def service_prefixes(self, service: str, region: str) -> list[str]:
        """The IPv4 and IPv6 prefixes of a service in a region, sorted."""
        found = {p.ip_prefix for p in self.prefixes if p.service == service and p.region == region}
        found |= {p.ipv6_prefix for p in self.ipv6_prefixes if p.service == service and p.region == region}
        return sorted(found)


def parse_ip_ranges(text: str, source: str) -> IpRanges:
    """Validate ip-ranges.json text."""
    data = load_json(text, source, "ip ranges")
    try:
        return IpRanges.model_validate(data)
    except ValidationError as exc:
        raise VpclintError(f"ip ranges {source}: {describe_validation_error(exc)}") from None


def load_ip_ranges(path: Path) -> IpRanges:
    """Read an ip-ranges.json file."""
    return parse_ip_ranges(read_text(path, "ip ranges"), str(path))


def user_cache_dir() -> Path:
    """vpclint's per-user cache folder (XDG on Linux, Library/Caches on macOS, LOCALAPPDATA on Windows)."""
    if sys.platform == "win32" and os.environ.get("LOCALAPPDATA"):
        return Path(os.environ["LOCALAPPDATA"]) / "vpclint" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "vpclint"
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "vpclint"


def cached_ip_ranges(url: str = IP_RANGES_URL, cache_dir: Optional[Path] = None, now: Optional[float] = None) -> IpRanges:
    """ip-ranges.json from the cache when younger than a day, else fetched from ``url`` and cached.

    A failed fetch falls back to a stale cache, with a warning on stderr giving its age; with no cache at all it is
    an error that suggests ``--ip-ranges``.
    """
    cache = (cache_dir or user_cache_dir()) / CACHE_NAME
    now = time.time() if now is None else now
    fresh = cache.is_file() and now - cache.stat().st_mtime < CACHE_MAX_AGE_SECONDS
    if fresh:
        return load_ip_ranges(cache)
    try:
        with urllib.request.urlopen(url, timeout=FETCH_TIMEOUT_SECONDS) as response:
            text = response.read().decode("utf-8")
    except (OSError, ValueError) as exc:
        if cache.is_file():
            age = (now - cache.stat().st_mtime) / 3600
            print(f"vpclint: warning: cannot fetch {url} ({one_line(exc)}); using the cached copy {cache}, "
                  f"{age / 24:.1f} days old", file=sys.stderr)
            return load_ip_ranges(cache)
        raise VpclintError(f"cannot fetch {url} ({exc}); download it and pass --ip-ranges FILE") from None
    ranges = parse_ip_ranges(text, url)
    try:
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(cache, text)
    except OSError:
        pass  # an unwritable cache only costs a fetch next time
    return ranges


def address_key(address: bytes) -> Optional[tuple[int, int]]:
    """``(version, integer)`` of an IPv4/IPv6 address given as ASCII bytes; None when it is not an address."""
    text = address.decode("ascii", "replace")
    try:
        return 4, int.from_bytes(socket.inet_pton(socket.AF_INET, text), "big")
    except OSError:
        pass
    try:
        return 6, int.from_bytes(socket.inet_pton(socket.AF_INET6, text), "big")
    except OSError:
        return None


class PrefixSet:
    """Membership in a set of CIDR prefixes via merged integer ranges and bisect, per IP version."""

    def __init__(self, prefixes: list[str]) -> None:
        ranges: dict[int, list[tuple[int, int]]] = {4: [], 6: []}
        for prefix in prefixes:
            network = ipaddress.ip_network(prefix, strict=False)
            ranges[network.version].append((int(network.network_address), int(network.broadcast_address)))
        self._starts: dict[int, list[int]] = {}
        self._ends: dict[int, list[int]] = {}
        for version, spans in ranges.items():
            merged: list[list[int]] = []
            for start, end in sorted(spans):
                if merged and start <= merged[-1][1] + 1:
                    merged[-1][1] = max(merged[-1][1], end)
                else:
                    merged.append([start, end])
            self._starts[version] = [s for s, _ in merged]
            self._ends[version] = [e for _, e in merged]

    def __contains__(self, address: bytes) -> bool:
        key = address_key(address)
        if key is None:
            return False
        version, value = key
        index = bisect_right(self._starts[version], value) - 1
        return index >= 0 and value <= self._ends[version][index]
