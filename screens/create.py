"""Creating a deployment: the deploy form, its preview, then the write."""

from dataclasses import replace

from screens.deploy_form import DeployFormScreen, DeployRequest, Draft
from screens.preview import Confirmation
from screens.writing import WritingScreen
from store.schemas import DeploymentDetail, DeploymentSpec


def spec_of(draft: Draft) -> DeploymentSpec:
    """The deployment a create form describes."""
    return DeploymentSpec(
        name=draft.name, namespace=draft.namespace, targets=draft.targets
    )


def create_deployment(
    screen: WritingScreen, cluster: str, *, choose_cluster: bool = False
) -> None:
    """Open the create form over `screen` for a deployment in `cluster`, or, with
    `choose_cluster`, in the cluster the user types (starting from `cluster`); the
    write runs in the screen's worker."""
    if screen.refused_read_only():
        return
    store = screen.context.store
    draft = screen.draft or Draft("", screen.context.namespace, ())
    if not choose_cluster or not draft.cluster:
        draft = replace(draft, cluster=cluster)

    def submitted(request: DeployRequest | None) -> None:
        if request is None:
            return
        screen.draft = request.draft
        spec = spec_of(request.draft)

        def commit(c: Confirmation) -> DeploymentDetail:
            return store.create_deployment(
                request.draft.cluster, spec, c.reason, target_uids=c.preview.target_uids
            )

        screen.write(commit, request.confirmation, "Create")

    title = "Create a deployment"
    form = DeployFormScreen(
        screen.context,
        draft,
        lambda d: store.preview_create(d.cluster, spec_of(d)),
        title=title if choose_cluster else f"{title} in cluster {cluster}",
        verb="Create",
        creating=True,
        choose_cluster=choose_cluster,
    )
    screen.app.push_screen(form, submitted)
