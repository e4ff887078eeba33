"""The config file (``.vpclint.toml`` or ``--config FILE``): the defaults a team commits next to its baseline.

Every key is optional; command-line flags override them. Relative paths are relative to the config file.

.. code-block:: toml

    regions = ["us-east-1", "eu-west-1"]   # or: all_regions = true
    fail_on = "high"
    select = []                             # rule ids; empty means every rule
    ignore = ["s3-gateway-route-table-missing"]
    baseline = "vpclint-baseline.json"
    required_endpoints = ["logs", "sts", "ecs", "ecs-agent", "ecs-telemetry"]
    timeout = 600                           # seconds for a live collection (--timeout overrides)
    org = true                              # or: accounts = ["111122223333"], accounts_file = "accounts.txt"
    exclude_accounts = ["444455556666"]
    role_name = "vpclint-readonly"          # assumed in each account but the caller's
    external_id = "..."                     # if the role's trust policy asks for one
"""

from __future__ import annotations

import difflib
import re
import sys
from pathlib import Path
from typing import Any, Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, ValidationError, ValidationInfo, field_validator

from vpclint.errors import VpclintError
from vpclint.documents import describe_validation_error, load_data, read_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

CONFIG_FILE = ".vpclint.toml"
MAX_TIMEOUT = 86_400
"""The longest ``timeout`` (a day), as ``--timeout``."""
_SERVICE = re.compile(r"^[a-z0-9][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)*$")
_ACCOUNT = re.compile(r"^\d{12}$")
ROLE_NAME = re.compile(r"^([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$")
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
ROLE_PATTERNS = {
    "role_name": (ROLE_NAME, "an IAM role name (or path/name)"),
    "external_id": (EXTERNAL_ID, "an external id: 2 to 1,224 characters of letters, digits and +=,.@:/-"),
}
"""What ``role_name`` and ``external_id`` (and ``--role-name``, ``--external-id``) must match."""


class Config(BaseModel):
    """The config file's keys."""

    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(default_factory=list)
    all_regions: bool = False
    fail_on: Optional[Literal["critical", "high", "medium", "low", "none"]] = None
    select: list[str] = Field(default_factory=list)
    ignore: list[str] = Field(default_factory=list)
    baseline: Optional[Path] = None
    required_endpoints: list[str] = Field(default_factory=list)
    skip_tags: bool = True  # honour the vpclint:skip tag (--no-skip-tags sets false)
    timeout: Optional[float] = None
    org: bool = False
    accounts: list[str] = Field(default_factory=list)
    accounts_file: Optional[Path] = None
    exclude_accounts: list[str] = Field(default_factory=list)
    role_name: Optional[str] = None
    external_id: Optional[str] = None

    @field_validator("accounts", "exclude_accounts")
    @classmethod
    def _account_ids(cls, value: list[str]) -> list[str]:
        for account in value:
            if not _ACCOUNT.match(account):
                raise ValueError(f"{account!r} is not an AWS account id (12 digits, as a string)")
        return value

    @field_validator("role_name", "external_id")
    @classmethod
    def _role(cls, value: Optional[str], info: ValidationInfo) -> Optional[str]:
        pattern, what = ROLE_PATTERNS[info.field_name]
        if value is not None and not pattern.match(value):
            raise ValueError(f"expected {what}")
        return value

    @field_validator("timeout", mode="before")
    @classmethod
    def _seconds(cls, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value <= MAX_TIMEOUT:  # nan too
            raise ValueError(f"expected a number of seconds above 0 and at most {MAX_TIMEOUT:,}, got {value!r}")
        return float(value)

    @field_validator("required_endpoints")
    @classmethod
    def _service_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not _SERVICE.match(name):
                raise ValueError(f"{name!r} is not an endpoint service name such as 'logs' or 'ecr.api'")
        return sorted(set(value))

    def settings(self) -> dict[str, Any]:
        """The settings the view and the rules read (every VPC item carries them: ``settings.required_services``,
        ``settings.skip_tags``)."""
        return {"required_services": list(self.required_endpoints), "skip_tags": self.skip_tags}


def _suggestion(key: str) -> str:
    """`` (did you mean fail_on?)`` for the config key closest to ``key``, or nothing."""
    close = difflib.get_close_matches(key.replace("-", "_"), sorted(Config.model_fields), n=1)
    return f" (did you mean {close[0]}?)" if close else ""


def parse_config(text: str, source: str, base: Path) -> Config:
    """Parse TOML text; ``base`` is the folder relative paths are resolved against."""
    try:
        data = load_data(text, source, "config", tomllib.loads)
    except tomllib.TOMLDecodeError as exc:
        raise VpclintError(f"config {source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - set(Config.model_fields)) if isinstance(data, dict) else []
    if unknown:
        raise VpclintError(f"config {source}: unknown key `{unknown[0]}`{_suggestion(unknown[0])}")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise VpclintError(f"config {source}: {describe_validation_error(exc)}") from None
    for key in ("baseline", "accounts_file"):
        value = getattr(config, key)
        if value is not None and not value.is_absolute():
            config = config.model_copy(update={key: base / value})
    return config


def config_path(explicit: Optional[Path], cwd: Optional[Path] = None) -> Path:
    """The config file a command reads: ``explicit``, else ``.vpclint.toml`` in ``cwd``."""
    return explicit if explicit is not None else Path(cwd or Path.cwd()) / CONFIG_FILE


def load_config(explicit: Optional[Path], cwd: Optional[Path] = None) -> Config:
    """``explicit`` if given (it must exist), else ``.vpclint.toml`` in ``cwd`` if present, else the defaults."""
    path = config_path(explicit, cwd)
    if explicit is None and not path.is_file():
        return Config()
    return parse_config(read_text(path, "config"), str(path), path.parent)
