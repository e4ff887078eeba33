"""The snapshot model: deterministic serialisation, round trips and atomic writes."""

from __future__ import annotations

import os

import pytest

from vpclint import writer as writer_module
from vpclint.demo import demo_snapshot_text
from vpclint.errors import VpclintError
from vpclint.documents import write_atomic
from vpclint.snapshot import CollectionError, RegionSnapshot, Snapshot


from vpclint.snapshot_files import dumps, load, parse, save


def test_demo_round_trips_byte_for_byte():
    text = demo_snapshot_text()
    parsed = parse(text, "demo")
    assert dumps(parsed) == text
    assert dumps(parse(dumps(parsed), "again")) == text


def test_dumps_sorts_keys_and_ends_with_a_newline():
    text = dumps(Snapshot(account_id="1", regions=[RegionSnapshot(region="us-east-1")]))
    assert text.endswith("}\n")
    assert text.index('"account_id"') < text.index('"errors"') < text.index('"regions"') < text.index('"schema_version"')


def test_all_errors_merges_account_and_region_errors_in_a_stable_order():
    def error(region: str, api: str) -> CollectionError:
        return CollectionError(region=region, api=api, code="AccessDenied", message="no")

    snapshot = Snapshot(
        account_id="1",
        errors=[error("us-east-1", "ec2:DescribeRegions")],
        regions=[RegionSnapshot(region="us-west-2", errors=[error("us-west-2", "ec2:DescribeVpcs")]),
                 RegionSnapshot(region="eu-west-1", errors=[error("eu-west-1", "ec2:DescribeSubnets")])],
    )
    assert [(e.region, e.api) for e in snapshot.all_errors()] == [
        ("eu-west-1", "ec2:DescribeSubnets"), ("us-east-1", "ec2:DescribeRegions"), ("us-west-2", "ec2:DescribeVpcs"),
    ]


def test_save_and_load(tmp_path):
    snapshot = parse(demo_snapshot_text(), "demo")
    path = tmp_path / "snap.json"
    save(snapshot, path)
    assert load(path) == snapshot
    assert os.listdir(tmp_path) == ["snap.json"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    path = tmp_path / "snap.json"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module.os, "replace", broken_replace)
    with pytest.raises(VpclintError, match=f"snapshot {path}: cannot write: No space left on device"):
        save(Snapshot(account_id="1"), path)
    assert path.read_text() == "old"
    assert os.listdir(tmp_path) == ["snap.json"]


def test_write_into_a_missing_directory_fails_cleanly(tmp_path):
    with pytest.raises(OSError):
        write_atomic(tmp_path / "missing" / "snap.json", "{}")
    assert os.listdir(tmp_path) == []


def test_writing_to_a_device_writes_in_place_and_keeps_the_device(tmp_path):
    """``-o /dev/null`` must not rename a regular file over the device node."""
    write_atomic(os.devnull, "{}")
    assert not os.path.isfile(os.devnull) and os.path.exists(os.devnull)
    fifo = tmp_path / "fifo"
    os.mkfifo(fifo)
    reader = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
    try:
        write_atomic(fifo, "through the pipe")
        assert os.read(reader, 100) == b"through the pipe"
    finally:
        os.close(reader)
    assert os.listdir(tmp_path) == ["fifo"]
