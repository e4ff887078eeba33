"""Stream VPC flow-log files and attribute the bytes through NAT gateway interfaces to S3 or to the rest.

Accepted files, plain or gzipped (detected by magic bytes, never by name):

* S3-delivered logs: a header line naming the fields (default version-2 format or a custom format), then records;
* CloudWatch Logs exports: ``<ISO timestamp> <record>`` per line, no header (default format, or ``fmt``);
* header-less records in the default format (or ``fmt``, e.g. ``${version} ${interface-id} ...``).

A record counts when its ``interface-id`` is a NAT gateway's interface; its bytes are S3 bytes when the source or
the destination address lies in the region's ``S3`` prefixes (both directions), else other bytes. Files are read in
32 KiB blocks, so memory does not grow with the file; a block's tokens then fit the CPU cache, which makes this
size about twice as fast as 1 MiB (``tests/benchmarks/bench_flowlogs.py``). A block whose lines are all well formed
takes the fast path:
columns are sliced out of one ``split`` of the block and reduced with C-level ``map``/``compress``/``sum``, with
per-address cached prefix matches, so there is no Python bytecode per record. Any other block takes the per-line
path, where malformed lines are counted (with a few examples), never fatal.
"""

from __future__ import annotations

import gzip
import io
import zlib
from dataclasses import dataclass, field
from itertools import compress
from operator import or_
from pathlib import Path
from typing import BinaryIO, Optional

from vpclint.cost.ipranges import PrefixSet
from vpclint.errors import VpclintError
from vpclint.limits import MAX_DIGITS

DEFAULT_FIELDS = (
    "version", "account-id", "interface-id", "srcaddr", "dstaddr", "srcport", "dstport",
    "protocol", "packets", "bytes", "start", "end", "action", "log-status",
)
REQUIRED_FIELDS = ("interface-id", "srcaddr", "dstaddr", "bytes")
BLOCK_SIZE = 1 << 15
MAX_LINE_BYTES = 1 << 16
"""A longer line is one malformed record, skipped without being held in memory (records are under 1 KiB)."""
MAX_COUNT = 1 << 64
"""A byte count is a 64-bit counter: a larger one (or a negative or non-numeric one) makes its record malformed."""
ADDRESS_CACHE_LIMIT = 1 << 17
MAX_EXAMPLES = 5
MAX_FAST_INTERFACES = 16


def _classify(cache: dict[bytes, bool], prefixes: PrefixSet, addresses: set[bytes]) -> None:
    """Add the addresses' prefix membership to the cache, clearing it first when it would outgrow its bound."""
    unseen = addresses.difference(cache)
    if len(cache) + len(unseen) > ADDRESS_CACHE_LIMIT:
        cache.clear()
        unseen = addresses
    for address in unseen:
        cache[address] = address in prefixes


def parse_format(text: str) -> tuple[str, ...]:
    """Field names of a flow-log format string (``${version} ${srcaddr} ...``) or header (``version srcaddr ...``)."""
    return tuple(token.strip("${}").replace("_", "-") for token in text.split())


def _is_header(tokens: list[bytes]) -> bool:
    names = {t.decode("ascii", "replace").replace("_", "-") for t in tokens}
    return "srcaddr" in names or "interface-id" in names


def _is_timestamp(token: bytes) -> bool:
    return len(token) >= 19 and token[:1].isdigit() and token[4:5] == b"-" and token[10:11] == b"T"


@dataclass
class FlowLogStats:
    """What the parser read: records, the ones on NAT interfaces, no-data records and malformed lines."""

    files: int = 0
    records: int = 0
    nat_records: int = 0
    no_data: int = 0
    malformed: int = 0
    malformed_examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        """JSON-ready."""
        return {
            "files": self.files,
            "records": self.records,
            "nat_interface_records": self.nat_records,
            "no_data_records": self.no_data,
            "malformed_lines": self.malformed,
            "malformed_examples": list(self.malformed_examples),
        }


class Attributor:
    """Accumulates S3 and other bytes per NAT interface over any number of flow-log files."""

    def __init__(self, interfaces: dict[str, PrefixSet], fmt: Optional[str] = None) -> None:
        self.totals: dict[str, list[int]] = {eni: [0, 0] for eni in interfaces}
        caches: dict[int, dict[bytes, bool]] = {}
        self._entries = {
            eni.encode(): (self.totals[eni], caches.setdefault(id(prefixes), {}), prefixes)
            for eni, prefixes in interfaces.items()
        }
        self._fields = parse_format(fmt) if fmt else DEFAULT_FIELDS
        self.stats = FlowLogStats()

    def feed(self, path: Path) -> None:
        """Attribute one file's records."""
        try:
            raw = open(path, "rb")
        except OSError as exc:
            raise VpclintError(f"flow log {path}: cannot read: {exc.strerror or exc}") from None
        with raw:
            gzipped = raw.read(2) == b"\x1f\x8b"
            raw.seek(0)
            stream: BinaryIO = raw
            if gzipped:
                stream = io.BufferedReader(gzip.GzipFile(fileobj=raw), BLOCK_SIZE)  # type: ignore[arg-type]
            try:
                self._feed_stream(stream, str(path))
            except (OSError, EOFError, zlib.error) as exc:
                action = "decompress" if gzipped else "read"
                raise VpclintError(f"flow log {path}: cannot {action}: {exc}") from None
        self.stats.files += 1

    def _feed_stream(self, stream: BinaryIO, name: str) -> None:
        first = stream.readline(MAX_LINE_BYTES + 1)
        skipping = len(first) > MAX_LINE_BYTES and first[-1:] != b"\n"
        tokens = [] if skipping else first.split()
        fields, offset, pending = self._fields, 0, [] if skipping else [first]
        if skipping:
            self._overlong(first, name, 1)
        if tokens and _is_header(tokens):
            fields, pending = parse_format(first.decode("utf-8", "replace")), []
        elif tokens and _is_timestamp(tokens[0]):
            offset = 1
        missing = [f for f in REQUIRED_FIELDS if f not in fields]
        if missing:
            raise VpclintError(f"flow log {name}: the format has no {', '.join(missing)} field (fields: {' '.join(fields)})")
        index = {f: fields.index(f) + offset for f in REQUIRED_FIELDS}
        width = len(fields) + offset
        line_no = 1 if pending or skipping else 2
        self._scan(pending, name, line_no, width, index)
        line_no += len(pending)
        tail = b""
        while True:
            block = stream.read(BLOCK_SIZE)
            if not block:
                break
            if skipping:  # the rest of an over-long line
                end = block.find(b"\n")
                if end < 0:
                    continue
                block, skipping, line_no = block[end + 1:], False, line_no + 1
            cut = block.rfind(b"\n")
            if cut < 0:
                tail += block
                if len(tail) > MAX_LINE_BYTES:
                    self._overlong(tail, name, line_no)
                    tail, skipping = b"", True
                continue
            chunk, tail = tail + block[:cut], block[cut + 1:]
            records = chunk.count(b"\n") + 1
            if not self._fast(chunk, records, width, index):
                self._scan(chunk.split(b"\n"), name, line_no, width, index)
            line_no += records
        if tail:
            self._scan([tail], name, line_no, width, index)

    def _fast(self, chunk: bytes, records: int, width: int, index: dict[str, int]) -> bool:
        """Attribute a chunk of ``records`` whole lines if each is ``width`` single-space separated fields; else False.

        Each newline becomes a marker token, so one ``split`` yields the fields and a marker after every record;
        the chunk is well formed exactly when the token count matches and every marker sits where it should.
        """
        if b"\r" in chunk or b"\t" in chunk:
            return False
        marked = chunk.replace(b"\n", b" \n ")
        if b"  " in marked or marked[:1] == b" " or marked[-1:] == b" ":  # empty fields or lines
            return False
        tokens = marked.split(b" ")
        del marked
        stride = width + 1
        if len(tokens) != stride * records - 1 or tokens[width::stride].count(b"\n") != records - 1:
            return False
        enis = tokens[index["interface-id"]::stride]
        entries = self._entries
        mask = list(map(entries.__contains__, enis))
        on_nat = mask.count(True)
        srcs, dsts, sizes = tokens[index["srcaddr"]::stride], tokens[index["dstaddr"]::stride], tokens[index["bytes"]::stride]
        del tokens
        if on_nat != len(mask):
            enis, srcs, dsts, sizes = (list(compress(column, mask)) for column in (enis, srcs, dsts, sizes))
        no_data = 0
        if b"-" in sizes:
            keep = list(map(b"-".__ne__, sizes))
            no_data = len(keep) - keep.count(True)
            enis, srcs, dsts, sizes = (list(compress(column, keep)) for column in (enis, srcs, dsts, sizes))
        if sizes and not b"".join(sizes).isdigit():
            return False  # a negative or non-numeric count: the per-line path counts it
        try:
            numbers = list(map(int, sizes))
        except ValueError:  # more digits than Python converts
            return False
        if numbers and max(numbers) >= MAX_COUNT:
            return False
        distinct = set(enis)
        if len(distinct) > MAX_FAST_INTERFACES:
            return False
        groups: dict[int, list[bytes]] = {}
        for eni in distinct:
            groups.setdefault(id(entries[eni][1]), []).append(eni)
        for members in groups.values():
            _, cache, prefixes = entries[members[0]]
            if len(groups) == 1:
                g_enis, g_srcs, g_dsts, g_sizes = enis, srcs, dsts, numbers
            else:
                picked = list(map(set(members).__contains__, enis))
                g_enis, g_srcs, g_dsts, g_sizes = (list(compress(c, picked)) for c in (enis, srcs, dsts, numbers))
            try:
                flags = list(map(or_, map(cache.__getitem__, g_srcs), map(cache.__getitem__, g_dsts)))
            except KeyError:
                _classify(cache, prefixes, set(g_srcs).union(g_dsts))
                flags = list(map(or_, map(cache.__getitem__, g_srcs), map(cache.__getitem__, g_dsts)))
            s3_sizes = list(compress(g_sizes, flags))
            s3_enis = list(compress(g_enis, flags))
            for eni in members:
                acc = entries[eni][0]
                if len(members) == 1:
                    total, s3 = sum(g_sizes), sum(s3_sizes)
                else:
                    total = sum(compress(g_sizes, map(eni.__eq__, g_enis)))
                    s3 = sum(compress(s3_sizes, map(eni.__eq__, s3_enis)))
                acc[0] += s3
                acc[1] += total - s3
        stats = self.stats
        stats.records += records
        stats.nat_records += on_nat - no_data
        stats.no_data += no_data
        return True

    def _scan(self, lines: list[bytes], name: str, line_no: int, width: int, index: dict[str, int]) -> None:
        """The hot loop: kept flat, with locals only."""
        get = self._entries.get
        i_eni, i_src, i_dst, i_bytes = index["interface-id"], index["srcaddr"], index["dstaddr"], index["bytes"]
        records = nat = no_data = 0
        bad: list[int] = []
        for position, line in enumerate(lines):
            parts = line.split()
            if len(parts) != width:
                if parts:
                    records += 1
                    bad.append(position)
                continue
            records += 1
            entry = get(parts[i_eni])
            if entry is None:
                continue
            count = parts[i_bytes]
            size = int(count) if count.isdigit() and len(count) <= MAX_DIGITS else MAX_COUNT
            if size >= MAX_COUNT:
                if count == b"-":
                    no_data += 1
                else:
                    bad.append(position)
                continue
            nat += 1
            acc, cache, prefixes = entry
            address = parts[i_src]
            hit = cache.get(address)
            if hit is None:
                if len(cache) >= ADDRESS_CACHE_LIMIT:
                    cache.clear()
                hit = cache[address] = address in prefixes
            if not hit:
                address = parts[i_dst]
                hit = cache.get(address)
                if hit is None:
                    if len(cache) >= ADDRESS_CACHE_LIMIT:
                        cache.clear()
                    hit = cache[address] = address in prefixes
            if hit:
                acc[0] += size
            else:
                acc[1] += size
        stats = self.stats
        stats.records += records
        stats.nat_records += nat
        stats.no_data += no_data
        stats.malformed += len(bad)
        for position in bad[: max(0, MAX_EXAMPLES - len(stats.malformed_examples))]:
            self._example(lines[position], f"{name}:{line_no + position}")

    def _example(self, line: bytes, where: str, note: str = "") -> None:
        """Keep a malformed line's start as an example (printable characters only: no control bytes on a terminal)."""
        text = line[:480].decode("utf-8", "replace").strip()[:120]
        shown = "".join(c if c.isprintable() else "?" for c in text)
        self.stats.malformed_examples.append(f"{where}: {shown}{note}")

    def _overlong(self, start: bytes, name: str, line_no: int) -> None:
        """Count a line longer than ``MAX_LINE_BYTES`` as one malformed record (its start is the example)."""
        stats = self.stats
        stats.records += 1
        stats.malformed += 1
        if len(stats.malformed_examples) < MAX_EXAMPLES:
            self._example(start, f"{name}:{line_no}", f"... (longer than {MAX_LINE_BYTES} bytes)")
