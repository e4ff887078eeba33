"""End to end: the real vpclint executable against a moto server, two regions."""

from scenarios import build_private_vpc, build_vpc


def test_scan_two_regions_finds_missing_ecr_dkr_only_where_missing(moto_server, run_vpclint):
    session = moto_server.session()
    bare = build_vpc(session, "us-west-2", "bare")
    good = build_private_vpc(session, "eu-central-1", "good")
    result = run_vpclint(
        ["scan", "--region", "us-west-2", "--region", "eu-central-1", "--format", "json", "--select", "ecr-dkr-endpoint-missing"],
        env=moto_server.env(),
    )
    assert result.returncode == 1, result.stderr
    report = result.json()
    assert report["regions"] == ["eu-central-1", "us-west-2"]
    flagged = {(f["region"], f["resource_id"]) for f in report["findings"]}
    assert ("us-west-2", bare.vpc_id) in flagged
    assert not any(vpc == good.vpc_id for _, vpc in flagged)
