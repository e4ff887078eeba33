"""Accounts built with real boto3 calls, against moto (decorator or server mode).

Each builder takes a boto3 session and a region and returns the ids the tests assert on. The demo account
(:func:`build_demo_account`) is what ``tests/demo/make_demo_snapshot.py`` snapshots into the package.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Optional

import boto3

FULL_ACCESS_POLICY = {"Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}]}


@dataclass
class Network:
    """Ids of one VPC built by :func:`build_vpc`."""

    region: str
    vpc_id: str
    public_subnets: list[str] = field(default_factory=list)
    private_subnets: list[str] = field(default_factory=list)
    isolated_subnets: list[str] = field(default_factory=list)
    private_route_tables: list[str] = field(default_factory=list)
    public_route_table: Optional[str] = None
    main_route_table: Optional[str] = None
    nat_gateways: list[str] = field(default_factory=list)
    endpoint_sg: Optional[str] = None
    endpoints: dict[str, str] = field(default_factory=dict)


def _tag(kind: str, name: str) -> list[dict]:
    return [{"ResourceType": kind, "Tags": [{"Key": "Name", "Value": name}]}]


def build_vpc(
    session: boto3.Session,
    region: str,
    name: str,
    cidr: str = "10.0.0.0/16",
    azs: int = 3,
    public: bool = True,
    nat: bool = True,
    isolated_subnet: bool = False,
    dns_hostnames: bool = True,
    workloads: bool = True,
) -> Network:
    """A VPC with, per AZ, a public subnet (IGW) and a private subnet (own route table, NAT when ``nat``).

    ``isolated_subnet`` adds one subnet with no explicit association: it uses the main table, which has no
    default route. With ``workloads``, an instance runs in every private and isolated subnet (in the VPC's default
    security group). Returns the ids.
    """
    ec2 = session.client("ec2", region_name=region)
    base = cidr.split(".")[0] + "." + cidr.split(".")[1]
    vpc_id = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=_tag("vpc", name))["Vpc"]["VpcId"]
    # AWS gives a new VPC the region's default DHCP options set (AmazonProvidedDNS); moto gives it none.
    options = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["AmazonProvidedDNS"]}])
    ec2.associate_dhcp_options(DhcpOptionsId=options["DhcpOptions"]["DhcpOptionsId"], VpcId=vpc_id)
    if dns_hostnames:
        ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    net = Network(region=region, vpc_id=vpc_id)
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    net.main_route_table = tables[0]["RouteTableId"]
    zones = [f"{region}{letter}" for letter in "abc"[:azs]]
    if public:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc_id)
        net.public_route_table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_tag("route-table", f"{name}-public"))["RouteTable"]["RouteTableId"]
        ec2.create_route(RouteTableId=net.public_route_table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)
    for index, zone in enumerate(zones):
        if public:
            subnet = ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=f"{base}.{100 + index}.0/24", AvailabilityZone=zone,
                TagSpecifications=_tag("subnet", f"{name}-public-{zone[-1]}"),
            )["Subnet"]["SubnetId"]
            ec2.associate_route_table(RouteTableId=net.public_route_table, SubnetId=subnet)
            net.public_subnets.append(subnet)
        private = ec2.create_subnet(
            VpcId=vpc_id, CidrBlock=f"{base}.{index + 1}.0/24", AvailabilityZone=zone,
            TagSpecifications=_tag("subnet", f"{name}-private-{zone[-1]}"),
        )["Subnet"]["SubnetId"]
        table = ec2.create_route_table(VpcId=vpc_id, TagSpecifications=_tag("route-table", f"{name}-private-{zone[-1]}"))["RouteTable"]["RouteTableId"]
        ec2.associate_route_table(RouteTableId=table, SubnetId=private)
        if nat and public:
            allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
            gateway = ec2.create_nat_gateway(SubnetId=net.public_subnets[index], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
            ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=gateway)
            net.nat_gateways.append(gateway)
        net.private_subnets.append(private)
        net.private_route_tables.append(table)
    if isolated_subnet:
        net.isolated_subnets.append(
            ec2.create_subnet(
                VpcId=vpc_id, CidrBlock=f"{base}.50.0/24", AvailabilityZone=zones[-1],
                TagSpecifications=_tag("subnet", f"{name}-isolated"),
            )["Subnet"]["SubnetId"]
        )
    if workloads:
        add_workloads(session, net, net.private_subnets + net.isolated_subnets)
    return net


def endpoint_security_group(session: boto3.Session, net: Network, sources: list[str], name: str = "vpc-endpoints") -> str:
    """A security group allowing TCP 443 in from each CIDR in ``sources``."""
    ec2 = session.client("ec2", region_name=net.region)
    group = ec2.create_security_group(GroupName=name, Description="VPC interface endpoints", VpcId=net.vpc_id)["GroupId"]
    if sources:
        ec2.authorize_security_group_ingress(
            GroupId=group,
            IpPermissions=[{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "IpRanges": [{"CidrIp": c} for c in sources]}],
        )
    net.endpoint_sg = group
    return group


def add_interface_endpoint(
    session: boto3.Session,
    net: Network,
    service: str,
    subnets: list[str],
    private_dns: bool = True,
    service_region: Optional[str] = None,
    policy: Optional[dict] = None,
) -> str:
    """An interface endpoint for ``com.amazonaws.<region>.<service>`` in the given subnets."""
    ec2 = session.client("ec2", region_name=net.region)
    kwargs = {"PolicyDocument": json.dumps(policy)} if policy is not None else {}
    endpoint = ec2.create_vpc_endpoint(
        VpcId=net.vpc_id,
        VpcEndpointType="Interface",
        ServiceName=f"com.amazonaws.{service_region or net.region}.{service}",
        SubnetIds=subnets,
        SecurityGroupIds=[net.endpoint_sg] if net.endpoint_sg else [],
        PrivateDnsEnabled=private_dns,
        **kwargs,
    )["VpcEndpoint"]["VpcEndpointId"]
    net.endpoints[service] = endpoint
    return endpoint


def add_s3_gateway(session: boto3.Session, net: Network, route_tables: list[str], policy: Optional[dict] = None) -> str:
    """An S3 gateway endpoint associated with ``route_tables``."""
    ec2 = session.client("ec2", region_name=net.region)
    kwargs = {"PolicyDocument": json.dumps(policy)} if policy is not None else {}
    endpoint = ec2.create_vpc_endpoint(
        VpcId=net.vpc_id, VpcEndpointType="Gateway", ServiceName=f"com.amazonaws.{net.region}.s3",
        RouteTableIds=route_tables, **kwargs,
    )["VpcEndpoint"]["VpcEndpointId"]
    net.endpoints["s3"] = endpoint
    return endpoint


def build_private_vpc(session: boto3.Session, region: str, name: str, cidr: str = "10.1.0.0/16", workloads: bool = True) -> Network:
    """A VPC whose private path to ECR is complete: ecr.dkr, ecr.api, logs, S3 gateway on every private table (and
    with ``workloads`` an instance in every private subnet)."""
    net = build_vpc(session, region, name, cidr=cidr, workloads=workloads)
    endpoint_security_group(session, net, [cidr])
    for service in ("ecr.dkr", "ecr.api", "logs"):
        add_interface_endpoint(session, net, service, net.private_subnets)
    add_s3_gateway(session, net, net.private_route_tables)
    return net


def make_default_vpc_public(session: boto3.Session, region: str) -> None:
    """Give moto's default VPC what AWS gives it: an attached internet gateway and a default route to it."""
    ec2 = session.client("ec2", region_name=region)
    for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
        igw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=igw, VpcId=vpc["VpcId"])
        tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["RouteTables"]
        for table in tables:
            if any(a.get("Main") for a in table.get("Associations", [])):
                ec2.create_route(RouteTableId=table["RouteTableId"], DestinationCidrBlock="0.0.0.0/0", GatewayId=igw)


def build_demo_account(session: boto3.Session) -> dict[str, Network]:
    """The embedded demo: a misconfigured three-AZ production VPC beside a correct one, in two regions.

    us-east-1 ``prod``: three private subnets behind NAT gateways and one isolated subnet on the main table;
    no ecr.dkr endpoint; an ecr.api endpoint with private DNS off in two of three AZs; an endpoint security group
    that admits only one private subnet; an S3 gateway endpoint on two of the three private route tables, with a
    policy that allows only the team's own bucket: broken. ``shared`` in us-east-1 is private; eu-west-1 holds a
    public-only ``edge`` VPC (not in scope), a private ``analytics`` VPC, a ``batch`` VPC with an S3 gateway but no
    ECR endpoints (pulls work and pay NAT), a ``legacy`` VPC behind corporate DNS servers (unknown), and a ``hub``
    with centralised ECR endpoints (private DNS off) that a peered ``spoke`` reaches through private hosted zones
    (both private: :func:`build_hub_and_spoke`). Every private subnet runs an instance (a workload:
    :func:`build_vpc`).
    """
    for region in ("us-east-1", "eu-west-1"):
        make_default_vpc_public(session, region)
    prod = build_vpc(session, "us-east-1", "prod", cidr="10.0.0.0/16", isolated_subnet=True)
    endpoint_security_group(session, prod, ["10.0.1.0/24"])
    add_interface_endpoint(session, prod, "ecr.api", prod.private_subnets[:2], private_dns=False)
    add_s3_gateway(
        session,
        prod,
        prod.private_route_tables[:2],
        policy={
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": "*", "Action": "s3:*", "Resource": ["arn:aws:s3:::acme-prod-artifacts", "arn:aws:s3:::acme-prod-artifacts/*"]}
            ],
        },
    )
    shared = build_private_vpc(session, "us-east-1", "shared", cidr="10.1.0.0/16")
    edge = build_vpc(session, "eu-west-1", "edge", cidr="10.2.0.0/16", azs=2, nat=False)
    ec2 = session.client("ec2", region_name="eu-west-1")
    for table in edge.private_route_tables:  # make the "private" subnets public: edge has only public subnets
        igw = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [edge.vpc_id]}])["InternetGateways"][0]
        ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw["InternetGatewayId"])
    analytics = build_private_vpc(session, "eu-west-1", "analytics", cidr="10.3.0.0/16")
    batch = build_vpc(session, "eu-west-1", "batch", cidr="10.4.0.0/16", azs=2)
    add_s3_gateway(session, batch, batch.private_route_tables)
    legacy = build_private_vpc(session, "eu-west-1", "legacy", cidr="10.5.0.0/16")
    ec2 = session.client("ec2", region_name="eu-west-1")
    corporate_dns = ec2.create_dhcp_options(DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.5.0.53", "10.5.1.53"]}])
    ec2.associate_dhcp_options(DhcpOptionsId=corporate_dns["DhcpOptions"]["DhcpOptionsId"], VpcId=legacy.vpc_id)
    central = build_hub_and_spoke(session, "eu-west-1", via="pcx", hub_cidr="10.6.0.0/16", spoke_cidr="10.7.0.0/16")
    return {"prod": prod, "shared": shared, "edge": edge, "analytics": analytics, "batch": batch, "legacy": legacy,
            "hub": central.hub, "spoke": central.spoke}


@dataclass
class RulePackAccount:
    """Ids of :func:`build_rule_pack_account`: the VPCs and the resources the rule pack must flag."""

    good: Network
    broken: Network
    bare: Network
    public_only: Network
    gone_dkr: Network
    cross_region_api: str
    default_sg_api: str


def build_rule_pack_account(session: boto3.Session) -> RulePackAccount:
    """Two regions of situations for the rule pack (us-west-2 and eu-central-1; default VPCs made public).

    us-west-2 ``good``: complete private path. ``broken`` (DNS hostnames off, custom DNS servers, an isolated
    subnet on the main table): an ecr.dkr endpoint with private DNS off in two of three AZs behind a group that
    admits one private subnet; an ecr.api endpoint without security groups (the VPC default group, which admits
    nothing in moto); an ecr.api endpoint for us-east-1; no logs endpoint; an S3 gateway on two of the three
    private route tables. eu-central-1 ``bare``: no endpoints; ``public_only``: only public subnets, no endpoints;
    ``gone_dkr``: complete but its ecr.dkr endpoint deleted.
    """
    for region in ("us-west-2", "eu-central-1"):
        make_default_vpc_public(session, region)
    good = build_private_vpc(session, "us-west-2", "good", cidr="10.1.0.0/16")
    broken = build_vpc(session, "us-west-2", "broken", cidr="10.2.0.0/16", isolated_subnet=True, dns_hostnames=False)
    ec2 = session.client("ec2", region_name="us-west-2")
    options = ec2.create_dhcp_options(
        DhcpConfigurations=[{"Key": "domain-name-servers", "Values": ["10.2.0.53", "10.2.1.53"]}]
    )["DhcpOptions"]["DhcpOptionsId"]
    ec2.associate_dhcp_options(DhcpOptionsId=options, VpcId=broken.vpc_id)
    endpoint_security_group(session, broken, ["10.2.1.0/24"])
    add_interface_endpoint(session, broken, "ecr.dkr", broken.private_subnets[:2], private_dns=False)
    cross_region_api = add_interface_endpoint(session, broken, "ecr.api", broken.private_subnets, service_region="us-east-1")
    default_sg_api = ec2.create_vpc_endpoint(
        VpcId=broken.vpc_id, VpcEndpointType="Interface", ServiceName="com.amazonaws.us-west-2.ecr.api",
        SubnetIds=broken.private_subnets, PrivateDnsEnabled=True,
    )["VpcEndpoint"]["VpcEndpointId"]
    add_s3_gateway(session, broken, broken.private_route_tables[:2])
    bare = build_vpc(session, "eu-central-1", "bare", cidr="10.3.0.0/16", azs=2)
    public_only = build_vpc(session, "eu-central-1", "public-only", cidr="10.4.0.0/16", azs=2, nat=False)
    west = session.client("ec2", region_name="eu-central-1")
    igw = west.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [public_only.vpc_id]}])["InternetGateways"][0]
    for table in public_only.private_route_tables:
        west.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", GatewayId=igw["InternetGatewayId"])
    gone_dkr = build_private_vpc(session, "eu-central-1", "gone-dkr", cidr="10.5.0.0/16")
    west.delete_vpc_endpoints(VpcEndpointIds=[gone_dkr.endpoints["ecr.dkr"]])
    return RulePackAccount(good, broken, bare, public_only, gone_dkr, cross_region_api, default_sg_api)


def put_nat_traffic(
    session: boto3.Session, region: str, nat_gateway_id: str, from_source: float, from_destination: float, days_ago: int = 1
) -> None:
    """Publish ``AWS/NATGateway`` BytesInFromSource/BytesInFromDestination data points for a NAT gateway."""
    from datetime import datetime, timedelta, timezone

    when = datetime.now(timezone.utc) - timedelta(days=days_ago, hours=2)
    dimensions = [{"Name": "NatGatewayId", "Value": nat_gateway_id}]
    session.client("cloudwatch", region_name=region).put_metric_data(
        Namespace="AWS/NATGateway",
        MetricData=[
            {"MetricName": "BytesInFromSource", "Dimensions": dimensions, "Timestamp": when, "Value": from_source, "Unit": "Bytes"},
            {"MetricName": "BytesInFromDestination", "Dimensions": dimensions, "Timestamp": when, "Value": from_destination, "Unit": "Bytes"},
        ],
    )


def add_workloads(session: boto3.Session, net: Network, subnets: list[str], group_ids: Optional[list[str]] = None) -> list[str]:
    """One EC2 instance (a workload that pulls images) in each subnet; returns the instance ids."""
    ec2 = session.client("ec2", region_name=net.region)
    # Asked by name: moto lists over a thousand images and takes a second or more to answer an unfiltered call
    found = ec2.describe_images(Filters=[{"Name": "name", "Values": ["amzn2-ami-hvm-*"]}])["Images"] or ec2.describe_images()["Images"]
    image = found[0]["ImageId"]
    extra = {"SecurityGroupIds": group_ids} if group_ids else {}
    return [
        ec2.run_instances(ImageId=image, MinCount=1, MaxCount=1, SubnetId=subnet, **extra)["Instances"][0]["InstanceId"]
        for subnet in subnets
    ]


def workload_group(session: boto3.Session, net: Network, egress: Optional[list[dict]] = None, name: str = "workloads") -> str:
    """A security group for workloads; ``egress`` replaces AWS's allow-all egress rule when given."""
    ec2 = session.client("ec2", region_name=net.region)
    group = ec2.create_security_group(GroupName=name, Description="workloads", VpcId=net.vpc_id)["GroupId"]
    if egress is not None:
        ec2.revoke_security_group_egress(
            GroupId=group, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
        )
        if egress:
            ec2.authorize_security_group_egress(GroupId=group, IpPermissions=egress)
    return group


def own_network_acl(session: boto3.Session, net: Network, subnet: str, entries: list[dict]) -> str:
    """A new network ACL with ``entries`` (create_network_acl_entry arguments), associated with ``subnet``."""
    ec2 = session.client("ec2", region_name=net.region)
    acl = ec2.create_network_acl(VpcId=net.vpc_id)["NetworkAcl"]["NetworkAclId"]
    for entry in entries:
        ec2.create_network_acl_entry(NetworkAclId=acl, **entry)
    current = ec2.describe_network_acls(Filters=[{"Name": "association.subnet-id", "Values": [subnet]}])["NetworkAcls"][0]
    association = next(a["NetworkAclAssociationId"] for a in current["Associations"] if a["SubnetId"] == subnet)
    ec2.replace_network_acl_association(AssociationId=association, NetworkAclId=acl)
    return acl


@dataclass
class HubAndSpoke:
    """Ids of :func:`build_hub_and_spoke`."""

    hub: Network
    spoke: Network
    connection: str  # the transit gateway or peering connection id
    zones: list[str] = field(default_factory=list)


def build_hub_and_spoke(
    session: boto3.Session, region: str, via: str = "tgw", hub_cidr: str = "10.20.0.0/16",
    spoke_cidr: str = "10.21.0.0/16", admit_spoke: bool = True, sg_referencing: Optional[str] = None,
    associate_spoke: bool = True,
) -> HubAndSpoke:
    """Centralised ECR endpoints (AWS's multi-VPC whitepaper): a ``hub`` VPC whose ecr.api and ecr.dkr endpoints
    have private DNS off, a ``spoke`` VPC with its own S3 gateway (each has one) reaching the hub over a transit gateway
    (``via="tgw"``) or a peering connection (``via="pcx"``), both VPCs routing to each other, and private hosted
    zones ``dkr.ecr.<region>.amazonaws.com`` (apex and ``*``) and ``api.ecr.<region>.amazonaws.com`` (apex) aliasing
    the hub endpoints, associated with both VPCs. Two AZs, no internet way out, an instance in every private subnet.
    ``admit_spoke`` False leaves the hub endpoint group admitting only the hub's CIDR; ``sg_referencing``
    (``enable``/``disable``) is the transit gateway's and both attachments' ``SecurityGroupReferencingSupport``;
    ``associate_spoke`` False associates the zones with the hub only (a Route 53 Profile may carry them to the
    spoke)."""
    ec2 = session.client("ec2", region_name=region)
    hub = build_vpc(session, region, "hub", cidr=hub_cidr, azs=2, public=False, nat=False)
    endpoint_security_group(session, hub, [hub_cidr, spoke_cidr] if admit_spoke else [hub_cidr], name="hub-endpoints")
    for service in ("ecr.dkr", "ecr.api"):
        add_interface_endpoint(session, hub, service, hub.private_subnets, private_dns=False)
    add_s3_gateway(session, hub, hub.private_route_tables)
    spoke = build_vpc(session, region, "spoke", cidr=spoke_cidr, azs=2, public=False, nat=False)
    add_s3_gateway(session, spoke, spoke.private_route_tables)
    if via == "tgw":
        options = {"Options": {"SecurityGroupReferencingSupport": sg_referencing}} if sg_referencing else {}
        gateway = ec2.create_transit_gateway(Description="hub", **options)["TransitGateway"]
        connection = gateway["TransitGatewayId"]
        table = gateway["Options"]["AssociationDefaultRouteTableId"]
        for net, cidr in ((hub, hub_cidr), (spoke, spoke_cidr)):
            attachment = ec2.create_transit_gateway_vpc_attachment(
                TransitGatewayId=connection, VpcId=net.vpc_id, SubnetIds=net.private_subnets, **options,
            )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
            ec2.create_transit_gateway_route(DestinationCidrBlock=cidr, TransitGatewayRouteTableId=table,
                                             TransitGatewayAttachmentId=attachment)
        target = {"TransitGatewayId": connection}
    else:
        connection = ec2.create_vpc_peering_connection(VpcId=spoke.vpc_id, PeerVpcId=hub.vpc_id)["VpcPeeringConnection"]["VpcPeeringConnectionId"]
        ec2.accept_vpc_peering_connection(VpcPeeringConnectionId=connection)
        target = {"VpcPeeringConnectionId": connection}
    for net, other in ((hub, spoke_cidr), (spoke, hub_cidr)):
        for table_id in net.private_route_tables:
            ec2.create_route(RouteTableId=table_id, DestinationCidrBlock=other, **target)
    zones = add_endpoint_zones(session, hub, [spoke.vpc_id] if associate_spoke else [])
    return HubAndSpoke(hub=hub, spoke=spoke, connection=connection, zones=zones)


def add_endpoint_zones(session: boto3.Session, hub: Network, vpc_ids: list[str]) -> list[str]:
    """Private hosted zones ``dkr.ecr.<region>.amazonaws.com`` (apex and ``*``) and ``api.ecr.<region>.amazonaws.com``
    (apex) aliasing the hub's ecr.dkr and ecr.api endpoints, associated with the hub VPC and ``vpc_ids``. Returns
    the zone ids. (moto accepts any VPC id in an association, other accounts' too: in AWS another account's VPC
    needs the zone owner's CreateVPCAssociationAuthorization and that account's AssociateVPCWithHostedZone.)"""
    region = hub.region
    ec2 = session.client("ec2", region_name=region)
    route53 = session.client("route53", region_name=region)
    endpoints = ec2.describe_vpc_endpoints(VpcEndpointIds=[hub.endpoints["ecr.dkr"], hub.endpoints["ecr.api"]])["VpcEndpoints"]
    entries = {e["VpcEndpointId"]: e["DnsEntries"][0] for e in endpoints}
    zones = []
    for service, names in (("ecr.dkr", ["", "*."]), ("ecr.api", [""])):
        zone_name = f"{service.split('.')[1]}.ecr.{region}.amazonaws.com"
        zone = route53.create_hosted_zone(
            Name=zone_name, CallerReference=f"{zone_name}-{hub.vpc_id}", HostedZoneConfig={"PrivateZone": True},
            VPC={"VPCRegion": region, "VPCId": hub.vpc_id},
        )["HostedZone"]["Id"].split("/")[-1]
        for vpc_id in vpc_ids:
            route53.associate_vpc_with_hosted_zone(HostedZoneId=zone, VPC={"VPCRegion": region, "VPCId": vpc_id})
        entry = entries[hub.endpoints[service]]
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
            {"Action": "CREATE", "ResourceRecordSet": {
                "Name": f"{prefix}{zone_name}", "Type": "A",
                "AliasTarget": {"HostedZoneId": entry["HostedZoneId"], "DNSName": entry["DnsName"], "EvaluateTargetHealth": False},
            }} for prefix in names]})
        zones.append(zone)
    return zones
