"""Parse AWS service endpoint names such as ``com.amazonaws.us-east-1.ecr.dkr``."""

from __future__ import annotations

import re
from typing import NamedTuple, Optional

_PREFIXES = ("cn.com.amazonaws.", "com.amazonaws.", "aws.sagemaker.", "aws.api.")
_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


class ServiceName(NamedTuple):
    prefix: str  # "com.amazonaws" or "cn.com.amazonaws"
    region: str
    service: str  # "ecr.dkr", "ecr.api", "s3", "logs", ...


def parse_service_name(name: str) -> Optional[ServiceName]:
    """Split an AWS service name into prefix, region and service; None for names that are not AWS services.

    ``com.amazonaws.us-east-1.ecr.dkr`` -> ("com.amazonaws", "us-east-1", "ecr.dkr");
    China uses ``cn.com.amazonaws.cn-north-1.ecr.api`` (some China services keep ``com.amazonaws.``).
    Endpoint services of other accounts (``com.amazonaws.vpce.us-east-1.vpce-svc-…``) are not AWS services.
    """
    for prefix in _PREFIXES:
        if name.startswith(prefix):
            region, _, service = name[len(prefix):].partition(".")
            if _REGION.match(region) and service:
                return ServiceName(prefix.rstrip("."), region, service)
            return None
    return None


def service_prefix_for(partition: str) -> str:
    """The service-name prefix of a partition's own endpoints (``cn.com.amazonaws`` in China)."""
    return "cn.com.amazonaws" if partition == "aws-cn" else "com.amazonaws"
