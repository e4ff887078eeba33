"""Regenerate the embedded demo snapshot from the moto scenario in ``tests/scenarios.py``.

    python tests/demo/make_demo_snapshot.py          # rewrite vpclint/demo/demo-snapshot.json
    python tests/demo/make_demo_snapshot.py --check  # exit 1 if the shipped file differs

moto's random ids are seeded, so the same scenario always gives the same file. The NAT gateway metrics are
made up (moto has no traffic to measure): 30 days ending on the seed's date, so that ``vpclint cost --demo`` and
the evidence of ``nat-gateway-carries-s3-traffic`` show figures. moto has no Route 53 Profiles: the test harness's
responder (tests/profiles_responder.py, on 127.0.0.1) answers them, and the demo account has none.
"""

from __future__ import annotations

import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from unittest import mock

import boto3
from moto import mock_aws
from moto.moto_api._internal import mock_random

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from profiles_responder import ENV as PROFILES_ENV  # noqa: E402
from profiles_responder import ProfilesService  # noqa: E402
from scenarios import build_demo_account  # noqa: E402

from vpclint.collect.scheduler import collect  # noqa: E402
from vpclint.snapshot import Snapshot  # noqa: E402
from vpclint.snapshot_metrics import NatGatewayMetrics, NatGatewayTraffic  # noqa: E402
from vpclint.snapshot_files import dumps  # noqa: E402

SHIPPED = Path(__file__).resolve().parents[2] / "vpclint" / "demo" / "demo-snapshot.json"
SEED = 20251219
DEMO_REGIONS = ["eu-west-1", "us-east-1"]
METRICS_END = datetime(2025, 12, 19, tzinfo=timezone.utc)
METRICS_DAYS = 30
NAT_GB_PER_GATEWAY = {"prod": 14_000, "analytics": 3_000, "shared": 800}
"""Made-up NAT data processing over the window, per gateway, by the VPC's Name tag."""
FAKE_ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
}


def generate() -> str:
    """Build the demo account in moto and return its snapshot JSON."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    profiles = ProfilesService()
    profiles.start()
    try:
        with mock.patch.dict(os.environ, {**clean, **FAKE_ENV, PROFILES_ENV: profiles.url}, clear=True), mock_aws():
            mock_random.seed(SEED)
            session = boto3.Session(region_name="us-east-1")
            build_demo_account(session)
            snapshot = collect(session, DEMO_REGIONS, account_id="123456789012", partition="aws", max_workers=1)
            snapshot.generator = "vpclint demo (tests/demo/make_demo_snapshot.py)"
    finally:
        profiles.stop()
    add_demo_metrics(snapshot)
    return dumps(snapshot)


def add_demo_metrics(snapshot: Snapshot) -> None:
    """Give every NAT gateway of a named demo VPC its made-up traffic, 90% of it inbound from the destination."""
    for region in snapshot.regions:
        names = {vpc.vpc_id: vpc.tags.get("Name") for vpc in region.vpcs}
        gateways = []
        for nat in sorted(region.nat_gateways, key=lambda n: n.nat_gateway_id):
            total = NAT_GB_PER_GATEWAY.get(names.get(nat.vpc_id) or "", 0) * 10**9
            gateways.append(NatGatewayTraffic(
                nat_gateway_id=nat.nat_gateway_id, bytes_in_from_source=total // 10, bytes_in_from_destination=total - total // 10,
            ))
        region.nat_gateway_metrics = NatGatewayMetrics(
            start=METRICS_END - timedelta(days=METRICS_DAYS), end=METRICS_END, days=METRICS_DAYS, gateways=gateways,
        )


def main() -> int:
    text = generate()
    if "--check" in sys.argv[1:]:
        same = SHIPPED.read_text(encoding="utf-8") == text
        print("demo snapshot is up to date" if same else f"{SHIPPED} differs from the scenario: regenerate it")
        return 0 if same else 1
    SHIPPED.write_text(text, encoding="utf-8")
    print(f"wrote {SHIPPED}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
