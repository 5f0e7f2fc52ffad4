"""The DMS resources of a revision as the tree shows them: live, deleted, left over."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from textual.widgets.tree import TreeNode

from cai_tui.widgets.revision_tree import RevisionTree, resource_status
from store.schemas import DmsResourceView, LeftoverView, RevisionView
from tests.ui.rollout_world import (
    CANARY,
    CLUSTER,
    World,
    embedded_world,
    open_deployment,
)

__all__ = ["embedded_world"]
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


def revision(status: str) -> RevisionView:
    """A revision with no targets, `active` or `inactive`."""
    return RevisionView.model_validate(
        {
            "uid": "r1",
            "status": status,
            "creator": "ops-oncall",
            "created_at": WHEN,
            "updated_at": WHEN,
        }
    )


def resource(state: str | None, message: str = "") -> DmsResourceView:
    """A DMS resource with the state and message the store gives it."""
    return DmsResourceView.model_validate(
        {
            "kind": "CompoundAINimDeployment",
            "name": "web",
            "resource_id": "d-1",
            "state": state,
            "message": message,
        }
    )


def leftover(error: str) -> LeftoverView:
    """The resource `d-1`, left over by a delete that failed."""
    return LeftoverView(
        resource_id="d-1",
        kind="CompoundAINimDeployment",
        name="web",
        namespace="default",
        deployment=CANARY,
        cluster=CLUSTER,
        error=error,
        recorded_at=WHEN,
    )


def test_an_inactive_revisions_resources_read_deleted_or_left_over() -> None:
    running = resource("running", "all replicas ready")
    active, inactive = revision("active"), revision("inactive")

    assert str(resource_status(running, active, {})) == "running  all replicas ready"
    assert str(resource_status(running, inactive, {})) == "deleted"
    assert str(resource_status(resource(None, "deleted"), inactive, {})) == "deleted"

    kept = resource(None, "left over, needs attention: DMS said 503")
    assert str(resource_status(kept, inactive, {})) == (
        "needs attention  left over: DMS said 503"
    )
    listed = {"d-1": leftover("timed out")}
    assert str(resource_status(running, inactive, listed)) == (
        "needs attention  left over: timed out"
    )
    assert resource_status(running, inactive, {}).style == "dim"


@pytest.mark.anyio
async def test_the_tree_shows_an_earlier_revisions_resources_deleted(
    embedded_world: World,
) -> None:
    app = embedded_world.app()
    async with app.run_test(size=(120, 36)) as pilot:
        screen = await open_deployment(pilot)
        tree = screen.query_one(RevisionTree)
        await pilot.press("down")
        await pilot.pause()
        assert screen.selected_revision() is not None
        assert screen.selected_revision().status == "inactive"  # type: ignore[union-attr]

        labels = [str(node.label) for node in _walk(tree.root)]
        resources = [label for label in labels if " id " in label]
        assert resources, "the earlier revision had DMS resources"
        assert all(label.endswith("deleted") for label in resources)
        assert not any("running" in label for label in resources)


def _walk(node: TreeNode[None]) -> Iterator[TreeNode[None]]:
    yield node
    for child in node.children:
        yield from _walk(child)
