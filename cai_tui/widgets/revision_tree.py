"""A tree of one revision: its targets, their whole config and their DMS resources."""

from collections.abc import Mapping
from datetime import datetime

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from cai_tui.widgets.cells import age, short_uid, status_text
from store.schemas import (
    DmsResourceView,
    LeftoverView,
    ResourceItem,
    Resources,
    RevisionView,
    ServiceConfig,
    TargetView,
)


def resource_item_text(item: ResourceItem | None) -> str:
    """`cpu 1 · memory 2Gi · gpu 1` for requests or limits; `-` when none are set."""
    if item is None:
        return "-"
    parts = [
        f"{name} {value}"
        for name, value in (
            ("cpu", item.cpu),
            ("memory", item.memory),
            ("gpu", item.gpu),
        )
        if value
    ]
    parts.extend(f"{key} {value}" for key, value in (item.custom or {}).items())
    return " · ".join(parts) if parts else "-"


DELETED_MESSAGE = "deleted"
"""What the store says of a resource of an inactive revision that is gone."""
LEFT_OVER_PREFIX = "left over, needs attention: "
"""How the store starts the message of one whose delete failed."""


def resource_status(
    resource: DmsResourceView,
    revision: RevisionView,
    leftovers: Mapping[str, LeftoverView],
) -> Text:
    """The state shown for a resource: live for the active revision; otherwise
    `deleted`, or `needs attention` when its delete failed and it is left over.

    An inactive revision's resources are gone (or left over) whatever state the
    DMS last reported while they ran.
    """
    if revision.status == "active":
        text = status_text(resource.state)
        if resource.message:
            text.append(f"  {resource.message}", style="italic")
        return text
    leftover = leftovers.get(resource.resource_id or "")
    error = leftover.error if leftover is not None else ""
    if not error and resource.state is None and resource.message != DELETED_MESSAGE:
        error = resource.message.removeprefix(LEFT_OVER_PREFIX)
    if error:
        return Text.assemble(
            ("needs attention", "bold red"), (f"  left over: {error}", "italic")
        )
    return Text("deleted", style="dim")


class RevisionTree(Tree[None]):
    """Shows the targets of the revision chosen in the history, fully expanded."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("no revision chosen", id=id)
        self.show_root = True
        self.guide_depth = 3
        self._leftovers: dict[str, LeftoverView] = {}

    def show_revision(
        self,
        revision: RevisionView | None,
        now: datetime,
        leftovers: list[LeftoverView] | None = None,
    ) -> None:
        """Replace the tree with `revision` (or a hint when there is none).

        `leftovers` are the DMS resources earlier writes could not delete.
        """
        self.clear()
        self._leftovers = {item.resource_id: item for item in leftovers or ()}
        if revision is None:
            self.root.set_label("no revision chosen")
            return

        label = Text.assemble(
            (f"revision {short_uid(revision.uid)} ", "bold"),
            (revision.status, "green" if revision.status == "active" else "dim"),
            f" by {revision.creator}, {age(revision.created_at, now)}",
        )
        if revision.rolled_back_from:
            label.append(f", roll back of {short_uid(revision.rolled_back_from)}")
        if revision.reason:
            label.append(f": {revision.reason}", style="italic")
        self.root.set_label(label)

        if not revision.targets:
            self.root.add_leaf(Text("no targets", style="dim"))
        for target in revision.targets:
            self._add_target(self.root, target, revision)
        self.root.expand_all()

    def _add_target(
        self, parent: TreeNode[None], target: TargetView, revision: RevisionView
    ) -> None:
        node = parent.add(Text.assemble(("target ", "dim"), (target.tag, "bold cyan")))
        config = target.config

        for name, service in config.services.items():
            self._add_service(node, name, service)
        # With services, the v1 fields only repeat the first service: shown once.
        hpa = {
            k: v
            for k, v in (config.hpa_conf or {}).items()
            if not config.services or k not in ("min_replicas", "max_replicas")
        }
        if config.resources is not None and not config.services:
            self._add_resources(node.add("target resources"), config.resources)
        if hpa:
            text = " · ".join(f"{k} {v}" for k, v in hpa.items())
            node.add_leaf(f"autoscaling: {text}")
        if config.deployment_strategy:
            node.add_leaf(f"strategy: {config.deployment_strategy}")
        if config.cold_start_timeout is not None:
            node.add_leaf(f"cold start timeout: {config.cold_start_timeout}s")

        resources = node.add("DMS resources")
        if not target.resources:
            resources.add_leaf(Text("none recorded", style="dim"))
        for resource in target.resources:
            resources.add_leaf(self._resource_label(resource, revision))

    def _add_service(
        self, parent: TreeNode[None], name: str, service: ServiceConfig
    ) -> None:
        scaling = service.scaling
        node = parent.add(
            Text.assemble(
                ("service ", "dim"),
                (name, "bold"),
                f"  replicas {scaling.min_replicas}-{scaling.max_replicas}",
            )
        )
        self._add_resources(node, service.resources)
        if service.cold_start_timeout is not None:
            node.add_leaf(f"cold start timeout: {service.cold_start_timeout}s")

    @staticmethod
    def _add_resources(parent: TreeNode[None], resources: Resources) -> None:
        parent.add_leaf(f"requests  {resource_item_text(resources.requests)}")
        parent.add_leaf(f"limits    {resource_item_text(resources.limits)}")

    def _resource_label(
        self, resource: DmsResourceView, revision: RevisionView
    ) -> Text:
        return Text.assemble(
            (resource.kind, "bold"),
            f" {resource.name}  id {resource.resource_id or '-'}  ",
            resource_status(resource, revision, self._leftovers),
        )
