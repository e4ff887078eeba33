"""The base of vpclint's file formats' pydantic models."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    """A model that refuses any field it does not define, so a misspelt or foreign key in a file is an error."""

    model_config = ConfigDict(extra="forbid")
