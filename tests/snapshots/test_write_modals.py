"""Pictures of the write modals and the diff, at 120x36 and 80x24.

All start on deployment trtllm-agg-router-canary-6 of ops-oncall, over the replayed
fixture with the clock and ids fixed.
"""

from typing import Any

import pytest

from screens.clusters import ClustersScreen
from screens.deploy_form import DeployFormScreen
from screens.deployment import DeploymentScreen
from screens.deployments import DeploymentsScreen
from screens.diff import DiffScreen
from screens.preview import PreviewScreen
from screens.version_picker import VersionPickerScreen
from tests.snapshots.test_screens import SIZES, SnapCompare, on, pick, press, steps
from tests.ui.app_factory import MakeApp, ops_oncall

TO_CANARY = (
    on(ClustersScreen),
    pick("us-west-h100"),
    press("enter"),
    on(DeploymentsScreen),
    press("enter"),
    on(DeploymentScreen),
)


@pytest.mark.parametrize("size", SIZES)
def test_roll_out_form(snap_compare: SnapCompare, make_app: MakeApp, size: Any) -> None:
    """The roll-out form: the target trtllm-agg-router with its version button,
    then one line per service (Frontend, Processor, Router, TensorRTLLMWorker) of
    replicas, requests and limits, prefilled from the active revision."""
    app = make_app(ops_oncall())
    run = steps(*TO_CANARY, press("R"), on(DeployFormScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_version_picker(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The versions of trtllm-agg-router: the deployed one marked, the failed
    build greyed with `image build failed`, the first choosable one highlighted."""
    app = make_app(ops_oncall())
    run = steps(
        *TO_CANARY,
        press("R"),
        on(DeployFormScreen),
        press("shift+tab", "enter"),
        on(VersionPickerScreen),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_roll_out_preview(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The preview of a roll out to version v9upctnwlavyf4r6: the effect on the
    current revision, the tag change and config changes side by side, the POST and
    DELETE requests to the DMS, the reason input and the Roll out button."""
    app = make_app(ops_oncall())
    run = steps(
        *TO_CANARY,
        press("R"),
        on(DeployFormScreen),
        press("shift+tab", "enter"),
        on(VersionPickerScreen),
        press("slash", *"v9up", "enter", "enter"),
        on(DeployFormScreen),
        press("ctrl+s"),
        on(PreviewScreen),
    )
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_deactivate_preview(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The preview of a deactivate: the DELETE requests, and an input asking for
    the deployment's name; the Deactivate button stays disabled until it matches."""
    app = make_app(ops_oncall())
    run = steps(*TO_CANARY, press("X"), on(PreviewScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)


@pytest.mark.parametrize("size", SIZES)
def test_diff_of_two_revisions(
    snap_compare: SnapCompare, make_app: MakeApp, size: Any
) -> None:
    """The two newest revisions marked and diffed: old and new tags, the one-line
    summary, and every differing field with its old and new value."""
    app = make_app(ops_oncall())
    run = steps(*TO_CANARY, press("m", "down", "m", "v"), on(DiffScreen))
    assert snap_compare(app, terminal_size=size, run_before=run)
