"""How a deployment's progress after a write reads on screen."""

from rich.text import Text

from store.schemas import DeploymentDetail, LeftoverView

SETTLING = frozenset({"deploying", "image-building", "terminating"})
"""Statuses that are on their way somewhere: the screen keeps following them."""


def resources_text(detail: DeploymentDetail) -> Text:
    """`2 of 4 resources running`, then what the DMS says of the ones that are not."""
    revision = detail.active_revision
    resources = [r for t in revision.targets for r in t.resources] if revision else []
    running = sum(1 for r in resources if r.state == "running")
    text = Text(f"{running} of {len(resources)} DMS resources running")
    for resource in resources:
        if resource.state != "running" and resource.message:
            text.append(f"; {resource.name}: {resource.message}", style="italic")
    return text


def follow_text(detail: DeploymentDetail, *, stuck: str | None) -> tuple[Text, bool]:
    """The line shown while following a deployment, and whether it is a problem."""
    status = detail.status
    if stuck is not None:
        text = Text(f"{detail.name} is stuck {status} for {stuck}: ", style="bold red")
        text.append_text(resources_text(detail))
        return text, True
    if status in SETTLING:
        text = Text(f"following {detail.name}: {status}, ", style="yellow")
        text.append_text(resources_text(detail))
        return text, False
    if status == "running":
        return Text(f"{detail.name} is running", style="bold green"), False
    if status in ("terminated", "non-deployed"):
        return Text(f"{detail.name} is {status}"), False
    text = Text(f"{detail.name} is {status}: ", style="bold red")
    text.append_text(resources_text(detail))
    return text, True


def leftovers_text(leftovers: list[LeftoverView]) -> Text:
    """The needs-attention line for DMS resources a write could not delete."""
    if not leftovers:
        return Text()
    count = len(leftovers)
    noun = "resource" if count == 1 else "resources"
    text = Text(
        f"needs attention: {count} DMS {noun} left over (L retries): ", style="bold red"
    )
    first = leftovers[0]
    text.append(f"{first.kind} {first.name}: {first.error}", style="italic")
    return text
