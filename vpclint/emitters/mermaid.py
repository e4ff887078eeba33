"""A VPC's pull path as a Mermaid flowchart (GitHub renders ``mermaid`` code blocks): each workload subnet, then
per flow the DNS answer, the route, the endpoint, NAT gateway or S3 gateway, and the service, the link that
blocks a flow drawn in red with what blocks it.

Steps that are the same for several subnets (one NAT gateway, one endpoint) are drawn once.
"""

from __future__ import annotations

from typing import NamedTuple, Optional

from vpclint.findings import FlowRow, SubnetRow, VpcRow
from vpclint.text import plain

FLOWS = ("registry_api", "registry", "layers")
HOSTS = {"registry_api": "api.ecr", "registry": "dkr.ecr"}
SERVICES = {"registry_api": "ECR API", "registry": "ECR registry", "layers": "S3: image layers"}
STAGE_OF_LINK = {
    "dns": "dns", "route": "route", "network-acl": "route", "workload-sg": "route",
    "endpoint-state": "via", "endpoint-sg": "via", "endpoint-policy": "via",
}
CLASSES = (
    "classDef subnet fill:#e8f0fe,stroke:#1a73e8",
    "classDef ok fill:#e6f4ea,stroke:#188038",
    "classDef nat fill:#fef7e0,stroke:#b06000",
    "classDef broken fill:#fce8e6,stroke:#d93025,color:#a50e0e,stroke-width:2px",
    "classDef unknown fill:#f1f3f4,stroke:#5f6368,stroke-dasharray:4 3",
)


class Step(NamedTuple):
    """One node of a chain: its stage, label (lines), class (``subnet``, ``ok``, ``nat``, ``broken``, ``unknown``)
    and the exit it leads to (``via``), so that chains through different NAT gateways or endpoints stay apart."""

    stage: str
    label: str
    style: str
    via: str = ""


def label(text: str) -> str:
    """Text for a quoted Mermaid label: quotes, angle brackets and markup characters as entity codes, each line
    break a ``<br/>``."""
    codes = {'"': "#quot;", "<": "#lt;", ">": "#gt;", "#": "#35;", "`": "#96;", "|": "#124;"}
    return "<br/>".join("".join(codes.get(char, char) for char in plain(line)) for line in text.split("\n"))


def chain(subnet: SubnetRow, name: str, flow: FlowRow) -> list[Step]:
    """The steps of one flow from one subnet, ending at the service, the blocking link or what is unknown."""
    start = Step("subnet", f"{subnet.subnet_id}\n{subnet.availability_zone}, {subnet.kind}", "subnet")
    link = flow.link
    if flow.path == "unknown":
        return [start, Step("unknown", f"{name}: unknown\n{flow.reason}", "unknown")]
    if flow.path == "blocked" and link is None:
        return [start, Step("broken", f"{name} blocked\n{flow.reason}", "broken")]
    link_stage = STAGE_OF_LINK.get(link.kind, "via") if link is not None else None
    private = flow.path == "endpoint" or link_stage == "via" or (flow.via or "").startswith("vpce-")
    stages: list[tuple[str, str]] = []
    if name in HOSTS:
        stages.append(("dns", f"DNS: {HOSTS[name]} resolves to {'the endpoint' if private else 'the public service'}"))
    private_route = "route: S3 prefix list" if name == "layers" else "route: local"
    stages += [("route", private_route if private else "route: 0.0.0.0/0"), ("via", _via(name, flow))]
    steps = [start]
    for stage, text in stages:
        if link is not None and flow.path == "blocked" and stage == link_stage:
            return steps + [Step(stage, f"✗ {link.kind}: {link.resource_id}\n{link.detail}", "broken")]
        steps.append(Step(stage, text, "nat" if stage == "via" and flow.path == "nat" else "ok", flow.via or ""))
    return steps + [Step("service", SERVICES[name], "ok")]


def _via(name: str, flow: FlowRow) -> str:
    """The step before the service: the endpoint, NAT gateway or other target the flow leaves through."""
    if flow.path == "nat":
        return f"NAT gateway {flow.via}"
    if flow.path == "routed":
        return f"routed via {flow.via or 'a route target'}"
    if name == "layers":
        return f"S3 gateway endpoint {flow.via or ''}".rstrip()
    return f"{flow.service} endpoint {flow.via or ''}".rstrip()


class Diagram:
    """Nodes and edges of one flowchart, steps shared by several chains drawn once."""

    def __init__(self) -> None:
        self.nodes: dict[Step, str] = {}
        self.edges: dict[tuple[str, str], Optional[str]] = {}

    def node(self, step: Step) -> str:
        """The node id of a step, added on first sight."""
        return self.nodes.setdefault(step, f"n{len(self.nodes)}")

    def add(self, steps: list[Step], flow: str) -> None:
        """A chain; the edge out of the subnet is labelled with the flow."""
        ids = [self.node(step) for step in steps]
        for i, (a, b) in enumerate(zip(ids, ids[1:])):
            self.edges.setdefault((a, b), flow if i == 0 else None)

    def render(self) -> str:
        """The Mermaid source: nodes, edges (red into a broken link), classes."""
        lines = ["flowchart LR"]
        for step, node in self.nodes.items():
            shape = ('(["', '"])') if step.stage == "service" else ('{{"', '"}}') if step.stage == "dns" else ('["', '"]')
            lines.append(f"  {node}{shape[0]}{label(step.label)}{shape[1]}:::{step.style}")
        broken = {node for step, node in self.nodes.items() if step.style == "broken"}
        red = []
        for index, ((a, b), text) in enumerate(self.edges.items()):
            arrow = "-.->" if b in broken else "-->"
            lines.append(f"  {a} {arrow}{f'|{label(text)}|' if text else ''} {b}")
            if b in broken:
                red.append(str(index))
        lines.extend(f"  {c}" for c in CLASSES)
        if red:
            lines.append(f"  linkStyle {','.join(red)} stroke:#d93025,stroke-width:2px")
        return "\n".join(lines)


def pull_path_diagram(vpc: VpcRow) -> str:
    """The Mermaid flowchart of a VPC's pull path from every workload subnet."""
    diagram = Diagram()
    for subnet in vpc.subnets:
        for name in FLOWS:
            if name in subnet.flows:
                diagram.add(chain(subnet, name, subnet.flows[name]), name)
    return diagram.render()
