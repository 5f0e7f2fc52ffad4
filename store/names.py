"""Name rules: what may become a Kubernetes name, and the DMS resource names.

Clusters, deployments and namespaces are RFC 1035 labels. A NIM tag `name:version`
becomes a Kubernetes name by replacing `:` with `--`, so NIM names and versions are
kept to what leaves that a valid RFC 1123 label of at most 63 characters.
"""

import hashlib
import re

from store.errors import InvalidInput

MAX_LABEL = 63

_RFC1035 = re.compile(r"^[a-z]([-a-z0-9]*[a-z0-9])?$")
_NIM_PART = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


def check_label(kind: str, value: str) -> str:
    """Return `value` if it is an RFC 1035 label, else raise `InvalidInput`."""
    if not value:
        raise InvalidInput(f"{kind} name is empty: give 1 to 63 characters")
    if len(value) > MAX_LABEL:
        raise InvalidInput(
            f"{kind} name `{value[:20]}...` is {len(value)} characters long: "
            f"use at most {MAX_LABEL}"
        )
    if not _RFC1035.match(value):
        raise InvalidInput(
            f"{kind} name `{value}` is not an RFC 1035 label: use lowercase letters, "
            "digits and `-`, starting with a letter and ending with a letter or digit"
        )
    return value


def check_nim_name(value: str) -> str:
    """Return a valid Compound NIM name, else raise `InvalidInput`."""
    return _check_nim_part("Compound NIM name", value)


def check_version(value: str) -> str:
    """Return a valid Compound NIM version, else raise `InvalidInput`."""
    return _check_nim_part("Compound NIM version", value)


def _check_nim_part(kind: str, value: str) -> str:
    if not value:
        raise InvalidInput(f"{kind} is empty")
    if not _NIM_PART.match(value):
        raise InvalidInput(
            f"{kind} `{value}` is invalid: use lowercase letters, digits and `-`, "
            "starting and ending with a letter or digit"
        )
    if len(value) > MAX_LABEL - 3:
        raise InvalidInput(f"{kind} `{value}` is too long: use at most 60 characters")
    return value


def check_tag_length(name: str, version: str) -> None:
    """Refuse a tag whose Kubernetes form `name--version` exceeds 63 characters."""
    if len(name) + 2 + len(version) > MAX_LABEL:
        raise InvalidInput(
            f"tag `{name}:{version}` is too long: `{name}--{version}` must fit in "
            f"{MAX_LABEL} characters; choose a shorter version"
        )


def split_tag(tag: str) -> tuple[str, str]:
    """Split `name:version`; raise `InvalidInput` unless there is exactly one colon."""
    parts = tag.split(":")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise InvalidInput(
            f"bento `{tag}` is not of the form `name:version` (exactly one colon), "
            "for example `llm-agg:6d39zzzzg4zdmen2`"
        )
    return parts[0], parts[1]


def kube_tag(tag: str) -> str:
    """The Kubernetes form of a NIM tag: `:` becomes `--`, cut to 63 characters."""
    return tag.replace(":", "--")[:MAX_LABEL]


def resource_suffix(target_uid: str) -> str:
    """The first 8 hex digits of the SHA-256 of a target's uid."""
    return hashlib.sha256(target_uid.encode()).hexdigest()[:8]


def deployment_resource_name(deployment: str, target_uid: str) -> str:
    """Name of a target's `CompoundAINimDeployment`: `<deployment>-S`."""
    suffix = resource_suffix(target_uid)
    return f"{deployment[: MAX_LABEL - 9].rstrip('-')}-{suffix}"


def request_resource_name(tag: str, target_uid: str) -> str:
    """Name of a target's `CompoundAINimRequest`: `<name>--<version>-S`."""
    suffix = resource_suffix(target_uid)
    return f"{kube_tag(tag)[: MAX_LABEL - 9].rstrip('-')}-{suffix}"
