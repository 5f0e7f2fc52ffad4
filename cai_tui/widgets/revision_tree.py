"""A tree of one revision: its targets, their whole config and their DMS resources."""

from datetime import datetime

from rich.text import Text
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from cai_tui.widgets.cells import age, short_uid, status_text
from store.schemas import (
    DmsResourceView,
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


class RevisionTree(Tree[None]):
    """Shows the targets of the revision chosen in the history, fully expanded."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__("no revision chosen", id=id)
        self.show_root = True
        self.guide_depth = 3

    def show_revision(self, revision: RevisionView | None, now: datetime) -> None:
        """Replace the tree with `revision` (or a hint when there is none)."""
        self.clear()
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
            self._add_target(self.root, target)
        self.root.expand_all()

    def _add_target(self, parent: TreeNode[None], target: TargetView) -> None:
        node = parent.add(Text.assemble(("target ", "dim"), (target.tag, "bold cyan")))
        config = target.config

        for name, service in config.services.items():
            self._add_service(node, name, service)
        if config.resources is not None:
            self._add_resources(node.add("target resources"), config.resources)
        if config.hpa_conf:
            hpa = " · ".join(f"{k} {v}" for k, v in config.hpa_conf.items())
            node.add_leaf(f"autoscaling: {hpa}")
        if config.deployment_strategy:
            node.add_leaf(f"strategy: {config.deployment_strategy}")
        if config.cold_start_timeout is not None:
            node.add_leaf(f"cold start timeout: {config.cold_start_timeout}s")

        resources = node.add("DMS resources")
        if not target.resources:
            resources.add_leaf(Text("none recorded", style="dim"))
        for resource in target.resources:
            resources.add_leaf(self._resource_label(resource))

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

    @staticmethod
    def _resource_label(resource: DmsResourceView) -> Text:
        label = Text.assemble(
            (resource.kind, "bold"),
            f" {resource.name}  id {resource.resource_id or '-'}  ",
            status_text(resource.state),
        )
        if resource.message:
            label.append(f"  {resource.message}", style="italic")
        return label
