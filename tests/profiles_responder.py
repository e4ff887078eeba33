"""A Route 53 Profiles responder on 127.0.0.1 for the tests: moto 5.2.5 does not implement ``route53profiles``
(server mode answers HTTP 500, ``mock_aws`` 404 "Not yet implemented"), so real boto3 is pointed at this instead
through ``AWS_ENDPOINT_URL_ROUTE53PROFILES`` (botocore's service-specific endpoint setting), beside moto.

It answers the three listings vpclint could call, in AWS's REST-JSON shapes (botocore's ``route53profiles`` model;
the AWS CLI examples ``list-profile-associations`` and ``list-profile-resource-associations``):
``GET /profileassociations`` (``resourceId``/``profileId`` filters), ``GET /profileresourceassociations/profileid/<id>``
(``resourceType`` filter) and ``GET /profiles``, each paged by ``maxResults``/``nextToken`` (``page_size`` items at
most). By default an account has no Profiles, as every moto account; a test adds associations and resources, or
names operations to refuse as AWS does (HTTP 403 ``AccessDeniedException``). Only loopback.
"""

from __future__ import annotations

import json
import threading
import urllib.parse
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Optional

ENV = "AWS_ENDPOINT_URL_ROUTE53PROFILES"


class ProfilesService:
    """The responder's state (what the account's Profiles hold) and its HTTP server."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.server: Optional[ThreadingHTTPServer] = None
        self.reset()

    def reset(self) -> None:
        """No Profiles, nothing refused, every call forgotten."""
        with getattr(self, "lock", threading.Lock()):
            self.associations: list[dict[str, Any]] = []
            self.resources: dict[str, list[dict[str, Any]]] = {}
            self.profiles: list[dict[str, Any]] = []
            self.denied: set[str] = set()
            self.page_size = 100
            self.calls: Counter[str] = Counter()

    def associate(self, profile_id: str, vpc_id: str, owner: str = "123456789012", status: str = "COMPLETE") -> None:
        """A VPC associated with a Profile (one ``ProfileAssociation`` as the CLI example shows it)."""
        self.associations.append({
            "CreationTime": 1709338817.148, "Id": f"rpassoc-{len(self.associations):08x}", "ModificationTime": 1709338974.772,
            "Name": f"{vpc_id}-association", "OwnerId": owner, "ProfileId": profile_id, "ResourceId": vpc_id,
            "Status": status, "StatusMessage": "Created Profile Association"})

    def carry(self, profile_id: str, arn: str, resource_type: str, owner: str = "123456789012", status: str = "COMPLETE") -> None:
        """A resource the Profile carries (one ``ProfileResourceAssociation`` as the CLI example shows it)."""
        listed = self.resources.setdefault(profile_id, [])
        listed.append({
            "CreationTime": 1710851216.613, "Id": f"rpr-{profile_id[-4:]}{len(listed):08x}", "ModificationTime": 1710851216.613,
            "Name": f"resource-{len(listed)}", "OwnerId": owner, "ProfileId": profile_id, "ResourceArn": arn,
            "ResourceType": resource_type, "Status": status, "StatusMessage": "Completed creation of the association"})

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_port}"

    def start(self) -> None:
        """Serve on 127.0.0.1, a free port, from a daemon thread."""
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, headers, body = service.answer(self.path)
                data = json.dumps(body).encode()
                self.send_response(status)
                for key, value in {**headers, "Content-Type": "application/json", "Content-Length": str(len(data))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, name="profiles-responder", daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def answer(self, target: str) -> tuple[int, dict[str, str], dict[str, Any]]:
        """``(status, headers, body)`` for one GET."""
        parsed = urllib.parse.urlsplit(target)
        query = dict(urllib.parse.parse_qsl(parsed.query))
        path = parsed.path.rstrip("/")
        with self.lock:
            if path == "/profileassociations":
                operation, key = "ListProfileAssociations", "ProfileAssociations"
                items = [a for a in self.associations if query.get("resourceId") in (None, a["ResourceId"])
                         and query.get("profileId") in (None, a["ProfileId"])]
            elif path.startswith("/profileresourceassociations/profileid/"):
                operation, key = "ListProfileResourceAssociations", "ProfileResourceAssociations"
                profile_id = urllib.parse.unquote(path.rsplit("/", 1)[1])
                items = [r for r in self.resources.get(profile_id, [])
                         if query.get("resourceType") in (None, r["ResourceType"])]
            elif path == "/profiles":
                operation, key, items = "ListProfiles", "ProfileSummaries", list(self.profiles)
            else:
                return 404, {"x-amzn-ErrorType": "ResourceNotFoundException"}, {"Message": f"no such resource: {path}"}
            self.calls[operation] += 1
            if operation in self.denied:
                return 403, {"x-amzn-ErrorType": "AccessDeniedException"}, {
                    "Message": f"User is not authorized to perform: route53profiles:{operation}"}
            size = min(int(query.get("maxResults", self.page_size)), self.page_size)
        start = int(query.get("nextToken", "t0")[1:])
        body: dict[str, Any] = {key: items[start:start + size]}
        if start + size < len(items):
            body["NextToken"] = f"t{start + size}"
        return 200, {}, body
