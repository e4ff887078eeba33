"""The NAT gateway traffic a snapshot may carry (``collect --with-metrics``): the cost model's input, read from
CloudWatch beside the network resources of :mod:`vpclint.snapshot`."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field

from vpclint.strict import StrictModel


class NatGatewayTraffic(StrictModel):
    """One NAT gateway's processed bytes over the window (CloudWatch ``AWS/NATGateway``, Sum)."""

    nat_gateway_id: str
    bytes_in_from_source: int = Field(ge=0)
    bytes_in_from_destination: int = Field(ge=0)

    @property
    def processed_bytes(self) -> int:
        """The bytes AWS bills as NAT data processing."""
        return self.bytes_in_from_source + self.bytes_in_from_destination


class NatGatewayMetrics(StrictModel):
    """The region's NAT gateway traffic, read by ``collect --with-metrics`` (optional in a snapshot)."""

    start: datetime
    end: datetime
    days: int = Field(ge=1)
    gateways: list[NatGatewayTraffic] = Field(default_factory=list)
