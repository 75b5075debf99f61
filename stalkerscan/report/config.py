"""The organisation's own helpline and service contacts, shown in the report's safety box.

Read from `organisation.yaml` in the user's config folder (platformdirs:
`~/.config/stalkerscan/organisation.yaml` on Linux) or from the file given with `--org-config`.
With no file, the report gives general advice and no phone number: we never invent one.

    name: "Example Support Service"
    contacts:
      - name: "Helpline"
        phone: "+00 000 000 000"
        hours: "Mon-Fri 9:00-17:00"
        note: "Free and confidential"
      - name: "Website"
        web: "support.example.org"
    note: "Ask for the digital safety team."

Every value is plain text (shown escaped, never as a link: the report makes no requests).
"""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from stalkerscan.errors import ConfigError, UsageError

CONFIG_FILE = "organisation.yaml"
MAX_CONFIG_BYTES = 64 * 1024


class Contact(BaseModel):
    """One way to reach a service."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(max_length=200)
    phone: str | None = Field(default=None, max_length=100)
    web: str | None = Field(default=None, max_length=300)
    email: str | None = Field(default=None, max_length=200)
    hours: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=500)


class OrgConfig(BaseModel):
    """An organisation's name, contacts and a note for the safety box."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = Field(default=None, max_length=200)
    contacts: tuple[Contact, ...] = Field(default=(), max_length=20)
    note: str | None = Field(default=None, max_length=1000)


def default_config_path() -> Path:
    """`organisation.yaml` in the user's config folder."""
    from platformdirs import user_config_dir

    return Path(user_config_dir("stalkerscan")) / CONFIG_FILE


def load_org_config(path: Path | None = None) -> OrgConfig | None:
    """The organisation config from `path`, else the default file if it exists, else None.

    Raises UsageError (with the fix) when the file is unreadable or not a valid config.
    """
    import yaml

    explicit = path is not None
    target = path if path is not None else default_config_path()
    if not target.is_file():
        if explicit:
            raise UsageError(
                f"Organisation config {target} not found.", "Check the path given to --org-config."
            )
        return None
    try:
        data = target.read_bytes()[: MAX_CONFIG_BYTES + 1]
    except OSError as err:
        raise UsageError(
            f"Cannot read {target}: {err.strerror}.", "Check its permissions."
        ) from err
    if len(data) > MAX_CONFIG_BYTES:
        raise UsageError(f"{target} is too large.", "Keep the organisation config under 64 KiB.")
    try:
        raw = yaml.safe_load(data.decode("utf-8"))
        return OrgConfig.model_validate(raw or {})
    except (yaml.YAMLError, UnicodeDecodeError, ValidationError) as err:
        first = str(err).splitlines()[0][:200]
        raise ConfigError(
            f"{target} is not a valid organisation config ({first}).",
            "See docs/reports.md for the format.",
        ) from err
