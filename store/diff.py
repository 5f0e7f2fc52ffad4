"""What changed between two revisions: a field-by-field diff and a one-line summary.

Pure functions over view models and specs. Targets are matched by NIM name first (in
order, when a name repeats), then the rest by position; a pair whose tags differ
shows a tag change, and every config field that differs is listed with a path such
as `llm-agg.VllmWorker.resources.limits.gpu`.
"""

from collections.abc import Sequence
from typing import Any

from store.schemas import (
    ChangeKind,
    FieldChange,
    RevisionDiff,
    RevisionView,
    TargetConfig,
    TargetSpec,
    TargetView,
)

Target = TargetView | TargetSpec
"""Either side of a comparison: a stored target or one about to be deployed."""

SUMMARY_WIDTH = 80
_VALUE_WIDTH = 24
_NO_CHANGE = "no change"
_FIRST = "first revision"

# Summary order: what an operator looks for first.
_RANK = {"tag": 0, "scaling": 1, "resources": 2}


def diff_revisions(
    old: RevisionView | None, new: RevisionView | Sequence[TargetSpec]
) -> RevisionDiff:
    """Every difference from `old` (None: nothing deployed) to `new`."""
    old_targets: Sequence[Target] = old.targets if old is not None else ()
    new_targets: Sequence[Target] = (
        new.targets if isinstance(new, RevisionView) else tuple(new)
    )
    changes: list[FieldChange] = []
    for before, after in _pairs(old_targets, new_targets):
        changes.extend(_target_changes(before, after, old_targets, new_targets))
    return RevisionDiff(
        old_uid=old.uid if old is not None else None,
        new_uid=new.uid if isinstance(new, RevisionView) else None,
        old_tags=tuple(t.tag for t in old_targets),
        new_tags=tuple(t.tag for t in new_targets),
        changes=tuple(changes),
    )


def summarize(diff: RevisionDiff, width: int = SUMMARY_WIDTH) -> str:
    """The diff in one line, e.g. `llm:v1 -> llm:v2, VllmWorker gpu 1 -> 2`.

    Parts that do not fit in `width` characters are counted as `+N more`. A diff
    from nothing reads `first revision`.
    """
    if diff.old_uid is None and not diff.old_tags and diff.new_tags:
        return _FIRST
    parts = [_describe(change) for change in _by_rank(diff.changes)]
    if not parts:
        return _NO_CHANGE
    shown: list[str] = []
    for index, part in enumerate(parts):
        rest = len(parts) - index - 1
        tail = f", +{rest} more" if rest else ""
        candidate = ", ".join([*shown, part])
        if shown and len(candidate + tail) > width:
            return ", ".join(shown) + f", +{len(parts) - index} more"
        shown.append(part)
    return ", ".join(shown)


# --- matching --------------------------------------------------------------------


def _pairs(
    old: Sequence[Target], new: Sequence[Target]
) -> list[tuple[Target | None, Target | None]]:
    """Old and new targets paired by NIM name, then the rest by position."""
    unmatched_old = list(range(len(old)))
    matched: dict[int, int] = {}
    for j, target in enumerate(new):
        same = next((i for i in unmatched_old if old[i].nim == target.nim), None)
        if same is not None:
            matched[j] = same
            unmatched_old.remove(same)
    leftover_new = [j for j in range(len(new)) if j not in matched]
    for j, i in zip(leftover_new, list(unmatched_old), strict=False):
        matched[j] = i
        unmatched_old.remove(i)

    pairs: list[tuple[Target | None, Target | None]] = [
        (old[matched[j]] if j in matched else None, new[j]) for j in range(len(new))
    ]
    pairs += [(old[i], None) for i in unmatched_old]
    return pairs


def _label(target: Target, side: Sequence[Target]) -> str:
    """The target's NIM name, numbered when the name repeats on its side."""
    same = [t for t in side if t.nim == target.nim]
    if len(same) < 2:
        return target.nim
    return f"{target.nim}#{[id(t) for t in same].index(id(target)) + 1}"


# --- changes ---------------------------------------------------------------------


def _target_changes(
    old: Target | None,
    new: Target | None,
    old_side: Sequence[Target],
    new_side: Sequence[Target],
) -> list[FieldChange]:
    if new is None:
        assert old is not None
        label = _label(old, old_side)
        return [_change(label, "", "removed", old.tag, None)]
    label = _label(new, new_side)
    if old is None:
        return [_change(label, "", "added", None, new.tag)]

    changes: list[FieldChange] = []
    if old.tag != new.tag:
        changes.append(_change(label, "tag", "changed", old.tag, new.tag))
    before, after = _flatten_config(old.config), _flatten_config(new.config)
    for field in sorted(before.keys() | after.keys(), key=_field_order):
        if field not in after:
            changes.append(_change(label, field, "removed", before[field], None))
        elif field not in before:
            changes.append(_change(label, field, "added", None, after[field]))
        elif before[field] != after[field]:
            changes.append(
                _change(label, field, "changed", before[field], after[field])
            )
    return changes


def _change(
    target: str, field: str, kind: ChangeKind, old: Any, new: Any
) -> FieldChange:
    path = f"{target}.{field}" if field else target
    return FieldChange(
        path=path, kind=kind, old=old, new=new, target=target, field=field
    )


def _flatten_config(config: TargetConfig) -> dict[str, Any]:
    """Every leaf of a config as `path -> value`; services lose their prefix."""
    dumped = config.model_dump(mode="json", exclude_none=True)
    services = dumped.pop("services", {}) or {}
    extra = dumped.pop("extra", {}) or {}
    if services:
        # With services, the v1 fields only repeat the first one: a change would
        # be told twice.
        dumped.pop("resources", None)
        hpa = dumped.pop("hpa_conf", None) or {}
        dumped["hpa_conf"] = {
            k: v for k, v in hpa.items() if k not in ("min_replicas", "max_replicas")
        }
    flat: dict[str, Any] = {}
    for name, service in services.items():
        _flatten(service, name, flat)
    _flatten(dumped, "", flat)
    _flatten(extra, "extra", flat)
    return flat


def _flatten(value: Any, prefix: str, into: dict[str, Any]) -> None:
    # An empty map holds nothing to compare, like an absent one.
    if isinstance(value, dict):
        for key, child in value.items():
            _flatten(child, f"{prefix}.{key}" if prefix else str(key), into)
        return
    if prefix:
        into[prefix] = value


def _field_order(field: str) -> tuple[int, str]:
    parts = field.split(".")
    rank = min((_RANK[p] for p in parts[:2] if p in _RANK), default=len(_RANK))
    return rank, field


def _by_rank(changes: Sequence[FieldChange]) -> list[FieldChange]:
    def key(change: FieldChange) -> int:
        if not change.field:
            return 0
        return _field_order(change.field)[0]

    return sorted(changes, key=key)


# --- wording ---------------------------------------------------------------------


def _describe(change: FieldChange) -> str:
    if not change.field:
        return f"+{change.new}" if change.kind == "added" else f"-{change.old}"
    if change.field == "tag":
        return f"{change.old} -> {change.new}"
    return f"{_short(change.field)} {_value(change.old)} -> {_value(change.new)}"


def _short(field: str) -> str:
    """`VllmWorker.resources.limits.gpu` -> `VllmWorker gpu`, and the like."""
    parts = field.split(".")
    if "resources" in parts:
        at = parts.index("resources")
        owner, rest = parts[:at], parts[at + 1 :]
        words = rest[1:] if rest[:1] == ["limits"] else [*rest[1:], "request"]
        return " ".join([*owner, *words]) if words else field
    if "scaling" in parts:
        at = parts.index("scaling")
        words = [p.replace("_", " ") for p in parts[at + 1 :]]
        return " ".join([*parts[:at], *words])
    return field


def _value(value: Any) -> str:
    text = "none" if value is None else str(value)
    if len(text) > _VALUE_WIDTH:
        return text[: _VALUE_WIDTH - 1] + "…"
    return text
