"""End to end: endpoint policies written to a moto server, scanned by the real vpclint executable."""

from scenarios import add_interface_endpoint, add_s3_gateway, build_private_vpc, build_vpc, endpoint_security_group

REGION = "us-east-1"
TEAM_BUCKET_ONLY = {
    "Version": "2012-10-17",
    "Statement": [
        {"Sid": "TeamBucket", "Effect": "Allow", "Principal": "*", "Action": "s3:*",
         "Resource": ["arn:aws:s3:::acme-artifacts", "arn:aws:s3:::acme-artifacts/*"]},
    ],
}
DENY_BATCH_GET_IMAGE = {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"},
        {"Sid": "NoManifests", "Effect": "Deny", "Principal": "*", "Action": "ecr:BatchGetImage", "Resource": "*"},
    ],
}
RULES = ("s3-endpoint-policy-blocks-layer-bucket", "ecr-endpoint-policy-blocks-pull")


def test_scan_reports_endpoint_policies_that_block_or_cannot_be_read(moto_server, run_vpclint):
    """A deny on ecr.dkr, an unparsable ecr.api policy and a team-bucket-only S3 gateway are each reported."""
    session = moto_server.session()
    locked = build_vpc(session, REGION, "locked", cidr="10.5.0.0/16")
    endpoint_security_group(session, locked, ["10.5.0.0/16"])
    dkr = add_interface_endpoint(session, locked, "ecr.dkr", locked.private_subnets, policy=DENY_BATCH_GET_IMAGE)
    api = add_interface_endpoint(session, locked, "ecr.api", locked.private_subnets)
    session.client("ec2", region_name=REGION).modify_vpc_endpoint(VpcEndpointId=api, PolicyDocument="{not json")
    s3 = add_s3_gateway(session, locked, locked.private_route_tables, policy=TEAM_BUCKET_ONLY)
    good = build_private_vpc(session, REGION, "good", cidr="10.6.0.0/16")

    args = ["scan", "--region", REGION, "--format", "json"]
    for rule in RULES:
        args += ["--select", rule]
    result = run_vpclint(args, env=moto_server.env())

    assert result.returncode == 1, result.stderr
    report = result.json()
    assert report["summary"]["complete"] is True
    by_resource = {f["resource_id"]: f for f in report["findings"]}
    assert set(by_resource) == {dkr, api, s3}
    assert not set(good.endpoints.values()) & set(by_resource)

    s3_finding = by_resource[s3]
    assert s3_finding["rule_id"] == "s3-endpoint-policy-blocks-layer-bucket"
    assert s3_finding["vpc_id"] == locked.vpc_id
    assert "are denied: no statement allows s3:GetObject on arn:aws:s3:::prod-us-east-1-starport-layer-bucket/*" in s3_finding["message"]
    assert s3_finding["evidence"]["decision"]["verdict"] == "denied"
    assert s3_finding["evidence"]["policy"] == TEAM_BUCKET_ONLY
    assert f"--region {REGION} --vpc-endpoint-id {s3} --policy-document file://policy.json" in s3_finding["remediation"]

    dkr_finding = by_resource[dkr]
    assert dkr_finding["rule_id"] == "ecr-endpoint-policy-blocks-pull"
    decision = dkr_finding["evidence"]["decision"]
    assert decision["verdict"] == "denied"
    assert decision["denied_actions"] == ["ecr:BatchGetImage"]
    assert [(s["index"], s["sid"]) for s in decision["deciding_statements"]] == [(1, "NoManifests")]
    assert "blocks image pulls: statement 1 (Sid 'NoManifests') explicitly denies ecr:BatchGetImage" in dkr_finding["message"]

    api_finding = by_resource[api]
    assert api_finding["evidence"]["decision"]["verdict"] == "malformed"
    assert api_finding["evidence"]["policy_error"].startswith("not valid JSON")
    assert "cannot be proven to allow image pulls: the endpoint policy is malformed: not valid JSON" in api_finding["message"]
