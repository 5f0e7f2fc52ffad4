"""`LocalStore`: the Store interface on SQLAlchemy, over SQLite or PostgreSQL.

Reads are short transactions that go through `store.scope`. Writes follow the
workflow of DESIGN.md: a short check, an operation record with a lease, the DMS
calls with no transaction open, one compare-and-set transaction (the point of no
return), then the deletes of what the write replaced.
"""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime

from sqlalchemy import (
    delete,
    select,
    tuple_,
    update,
)
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from store import scope
from store.audit import Audit, outcome_of
from store.dms import ResourceRequest
from store.dms_calls import Doomed, FailedDelete, create_all, delete_all, delete_one
from store.errors import (
    DmsError,
    DmsTimeout,
    InvalidInput,
    NameTaken,
    ReadOnly,
    StaleRevision,
    StoreError,
)
from store.local_reads import LocalReads
from store.models import (
    Cluster,
    CompoundNim,
    CompoundNimVersion,
    Deployment,
    DmsResource,
    LeftoverResource,
    Revision,
    Target,
)
from store.names import (
    check_label,
    check_nim_name,
    check_tag_length,
    check_version,
)
from store.preview import (
    DeployPlan,
    check_target_uids,
    deactivate_preview,
    delete_preview,
    deploy_preview,
    used_target_uids_error,
)
from store.queries import (
    active_revision,
    resource_rows,
    revision_views,
)
from store.recovery import recover
from store.resources import target_requests
from store.schemas import (
    ANY_REVISION,
    KUBE_UID,
    KUBE_VERSION,
    ClusterSpec,
    ClusterUpdate,
    ClusterView,
    DeploymentDetail,
    DeploymentSpec,
    ImageBuildStatus,
    LeftoverView,
    NimSpec,
    NimUpdate,
    NimView,
    RevisionView,
    TargetSpec,
    VersionSpec,
    VersionView,
    WritePreview,
)
from store.views import (
    cluster_view,
    nim_view,
    version_view,
)
from store.workflow import (
    add_leftovers,
    check_expected,
    check_targets,
    name_taken,
    nothing_active,
    outcome_message,
    overall_status,
    planned,
    set_status,
    still_active,
)

log = logging.getLogger(__name__)


class LocalStore(LocalReads):
    """The Store interface on a local database, with a DMS injected.

    Cheap to make: the API server makes one per request over a shared `Database`.
    `clock` and `new_id` give every timestamp and id (resource names follow target
    ids); `owner` names this process on the operations it runs, whose leases last
    `lease_seconds` unless renewed.
    """

    # --- writes: clusters and NIMs -----------------------------------------------

    def create_cluster(self, spec: ClusterSpec) -> ClusterView:
        """Create a cluster in the caller's organization."""
        with self._audit("create_cluster", spec.name) as audit:
            check_label("cluster", spec.name)
            now = self.clock()
            row = Cluster(
                uid=self.new_id(),
                organization=self._caller.identity.org,
                name=spec.name,
                description=spec.description,
                kube_config=spec.kube_config,
                creator=self._caller.identity.user,
                created_at=now,
                updated_at=now,
            )
            taken = NameTaken(
                f"cluster name `{spec.name}` is taken in organization "
                f"`{self._caller.identity.org}`: choose another name"
            )
            with self._unique(taken), self.db.write() as session:
                self._ensure_default_in(session)
                session.add(row)
                session.flush()
                view = cluster_view(row)
            audit.message = f"created cluster {spec.name}"
        return view

    def create_nim(self, spec: NimSpec) -> NimView:
        """Create a Compound NIM; its name is unique in the organization."""
        with self._audit("create_nim", None) as audit:
            check_nim_name(spec.name)
            now = self.clock()
            row = CompoundNim(
                uid=self.new_id(),
                organization=self._caller.identity.org,
                name=spec.name,
                description=spec.description,
                labels=[label.model_dump() for label in spec.labels],
                creator=self._caller.identity.user,
                created_at=now,
                updated_at=now,
            )
            taken = NameTaken(
                f"Compound NIM name `{spec.name}` is taken in organization "
                f"`{self._caller.identity.org}`: choose another name"
            )
            with self._unique(taken), self.db.write() as session:
                session.add(row)
                session.flush()
                view = nim_view(row)
            audit.message = f"created Compound NIM {spec.name}"
        return view

    def create_version(self, nim: str, spec: VersionSpec) -> VersionView:
        """Create a version of a Compound NIM in scope."""
        with self._audit("create_version", None) as audit:
            check_version(spec.version)
            check_tag_length(nim, spec.version)
            now = self.clock()
            taken = NameTaken(
                f"version `{spec.version}` of Compound NIM `{nim}` exists already: "
                "choose another version"
            )
            with self._unique(taken), self.db.write() as session:
                parent = self._nim(session, nim)
                row = CompoundNimVersion(
                    uid=self.new_id(),
                    nim_uid=parent.uid,
                    version=spec.version,
                    description=spec.description,
                    labels=[label.model_dump() for label in spec.labels],
                    manifest=spec.manifest,
                    image_build_status=spec.image_build_status,
                    build_at=spec.build_at,
                    creator=self._caller.identity.user,
                    created_at=now,
                    updated_at=now,
                )
                session.add(row)
                parent.updated_at = now
                session.flush()
                view = version_view(row, parent.name)
            audit.message = f"created {nim}:{spec.version}"
        return view

    def set_image_build_status(
        self, nim: str, version: str, status: ImageBuildStatus
    ) -> VersionView:
        """Record how a version's image build went."""
        with self._audit("set_image_build_status", None) as audit:
            with self.db.write() as session:
                parent = self._nim(session, nim)
                row = self._version(session, parent, version)
                row.image_build_status = status
                row.updated_at = self.clock()
                session.flush()
                view = version_view(row, parent.name)
            audit.message = f"image build of {nim}:{version} is {status}"
        return view

    def update_cluster(self, name: str, update: ClusterUpdate) -> ClusterView:
        """Change a cluster's description or kubeconfig (None keeps a field)."""
        with self._audit("update_cluster", name) as audit:
            self._ensure_default_cluster()
            with self.db.write() as session:
                row = self._cluster(session, name)
                if update.description is not None:
                    row.description = update.description
                if update.kube_config is not None:
                    row.kube_config = update.kube_config
                row.updated_at = self.clock()
                session.flush()
                view = cluster_view(row)
            audit.message = f"updated cluster {name}"
        return view

    def update_nim(self, name: str, update: NimUpdate) -> NimView:
        """Change a Compound NIM's description or labels (None keeps a field)."""
        with self._audit("update_nim", None) as audit:
            with self.db.write() as session:
                row = self._nim(session, name)
                if update.description is not None:
                    row.description = update.description
                if update.labels is not None:
                    row.labels = [label.model_dump() for label in update.labels]
                row.updated_at = self.clock()
                session.flush()
                view = nim_view(row)
            audit.message = f"updated Compound NIM {name}"
        return self.get_nim(view.name)

    def update_version(self, nim: str, version: str, update: NimUpdate) -> VersionView:
        """Change a version's description, labels, manifest or build time."""
        with self._audit("update_version", None) as audit:
            with self.db.write() as session:
                parent = self._nim(session, nim)
                row = self._version(session, parent, version)
                if update.description is not None:
                    row.description = update.description
                if update.labels is not None:
                    row.labels = [label.model_dump() for label in update.labels]
                if update.manifest is not None:
                    row.manifest = update.manifest
                if update.build_at is not None:
                    row.build_at = update.build_at
                row.updated_at = self.clock()
                session.flush()
                view = version_view(row, parent.name)
            audit.message = f"updated {nim}:{version}"
        return view

    # --- writes: deployments -----------------------------------------------------

    def set_kube_ids(
        self,
        cluster: str,
        name: str,
        ids: Mapping[str, tuple[str, str]],
        *,
        namespace: str | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        """Write Kubernetes ids into the active targets whose tag is in `ids`."""
        with self._audit("set_kube_ids", cluster, name) as audit:
            self._ensure_default_cluster()
            with self.db.write() as session:
                row = self._deployment(session, cluster, name, namespace)
                if description is not None:
                    row.description = description
                    row.updated_at = self.clock()
                active = active_revision(session, row.uid)
                targets = (
                    session.scalars(
                        select(Target).where(Target.revision_uid == active.uid)
                    ).all()
                    if active
                    else []
                )
                written = 0
                for target in targets:
                    pair = ids.get(f"{target.nim}:{target.version}")
                    if pair is None:
                        continue
                    extra = dict(target.config.get("extra") or {})
                    extra[KUBE_UID], extra[KUBE_VERSION] = pair
                    # A new dict, so the JSON column sees the change.
                    target.config = {**target.config, "extra": extra}
                    written += 1
                session.flush()
                detail = self._detail(session, row)
            audit.message = f"set the Kubernetes ids of {written} target(s) of {name}"
        return detail

    def create_deployment(
        self,
        cluster: str,
        spec: DeploymentSpec,
        reason: str = "",
        *,
        target_uids: Sequence[str] | None = None,
    ) -> DeploymentDetail:
        """Create a deployment and deploy its first revision."""
        return self._deploy(
            "create_deployment",
            cluster,
            spec.name,
            spec.targets,
            expected_active=ANY_REVISION,
            reason=reason,
            new=spec,
            target_uids=target_uids,
        )

    def roll_out(
        self,
        cluster: str,
        name: str,
        targets: tuple[TargetSpec, ...],
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        rolled_back_from: str | None = None,
        namespace: str | None = None,
        target_uids: Sequence[str] | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        """Roll out a new active revision with these targets (and `description`)."""
        return self._deploy(
            "roll_out" if rolled_back_from is None else "roll_back",
            cluster,
            name,
            targets,
            expected_active=expected_active,
            reason=reason,
            rolled_back_from=rolled_back_from,
            namespace=namespace,
            target_uids=target_uids,
            description=description,
        )

    def roll_back(
        self,
        cluster: str,
        name: str,
        revision_uid: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        target_uids: Sequence[str] | None = None,
    ) -> DeploymentDetail:
        """Roll out copies of an earlier revision's targets."""
        self._writable()
        try:
            targets = self._copies_of(cluster, name, revision_uid)
        except StoreError:
            with self._audit("roll_back", cluster, name, reason):
                raise
        return self.roll_out(
            cluster,
            name,
            targets,
            expected_active=expected_active,
            reason=reason,
            rolled_back_from=revision_uid,
            target_uids=target_uids,
        )

    # --- previews (dry runs; a read-only store previews too) ---------------------

    def preview_create(self, cluster: str, spec: DeploymentSpec) -> WritePreview:
        """What creating this deployment would do, and the DMS requests it sends."""
        plan = self._plan(
            cluster, spec.name, spec.targets, namespace=None, new=spec, uids=None
        )
        return deploy_preview("create", plan)

    def preview_roll_out(
        self,
        cluster: str,
        name: str,
        targets: tuple[TargetSpec, ...],
        *,
        namespace: str | None = None,
    ) -> WritePreview:
        """What rolling out these targets would do, from the active revision."""
        plan = self._plan(
            cluster, name, targets, namespace=namespace, new=None, uids=None
        )
        return deploy_preview("roll_out", plan)

    def preview_roll_back(
        self, cluster: str, name: str, revision_uid: str
    ) -> WritePreview:
        """What rolling back to an earlier revision would do."""
        targets = self._copies_of(cluster, name, revision_uid)
        plan = self._plan(cluster, name, targets, namespace=None, new=None, uids=None)
        return deploy_preview("roll_back", plan, rolled_back_from=revision_uid)

    def preview_deactivate(self, cluster: str, name: str) -> WritePreview:
        """What deactivating the active revision would delete."""
        self._ensure_default_cluster()
        with self.db.read() as session:
            row = self._deployment(session, cluster, name, None)
            active = active_revision(session, row.uid)
            if active is None:
                raise nothing_active(name)
            view = revision_views(session, [active])[0]
            doomed = self._resources_of(session, active.uid)
            namespace = row.namespace
        return deactivate_preview(cluster, name, namespace, view, doomed)

    def preview_delete(self, cluster: str, name: str) -> WritePreview:
        """What deleting a deployment with no active revision would remove."""
        detail = self.get_deployment(cluster, name)
        if detail.active_revision_uid is not None:
            raise still_active(name)
        return delete_preview(cluster, name, detail.namespace, detail.revision_count)

    def _copies_of(
        self, cluster: str, name: str, revision_uid: str
    ) -> tuple[TargetSpec, ...]:
        earlier = self.get_revision(cluster, name, revision_uid)
        return tuple(
            TargetSpec(nim=t.nim, version=t.version, config=t.config)
            for t in earlier.targets
        )

    def deactivate(
        self,
        cluster: str,
        name: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        namespace: str | None = None,
    ) -> DeploymentDetail:
        """Deactivate the active revision and delete its resources."""
        self._writable()
        self._recover_once()
        with self._audit("deactivate", cluster, name, reason) as audit:
            with self.db.read() as session:
                row = self._deployment(session, cluster, name, namespace)
                active = active_revision(session, row.uid)
                check_expected(name, active, expected_active)
                if active is None:
                    raise nothing_active(name)
                doomed = self._resources_of(session, active.uid)
                deployment_uid, active_uid = row.uid, active.uid

            audit.start({"revision": active_uid, "delete": planned(doomed)})
            failures: list[FailedDelete] = []
            if doomed:
                # The first delete decides: refused, the deployment runs on unchanged.
                # Unanswered, the resource may be gone already, so the write goes on
                # and the resource is a leftover until the DMS confirms it gone.
                try:
                    delete_one(self.dms, doomed[0])
                except DmsTimeout as exc:
                    failures.append(FailedDelete(doomed[0], exc.message))
                audit.renew(past_point_of_no_return=True)
                failures += delete_all(self.dms, doomed[1:], self.dms_concurrency)

            with self.db.write() as session:
                current = active_revision(session, deployment_uid)
                if current is None or current.uid != active_uid:
                    raise StaleRevision(
                        f"deployment `{name}` changed while it was deactivated: the "
                        "newer write cleans up after it; reload and try again"
                    )
                now = self.clock()
                current.status = "inactive"
                current.updated_at = now
                set_status(session, deployment_uid, "terminated", now)
                self._record_leftovers(session, failures, name, cluster)
                audit.renew(session, past_point_of_no_return=True)
            audit.message = outcome_message("deactivated", failures)
        return self.get_deployment(cluster, name, namespace)

    def delete_deployment(
        self,
        cluster: str,
        name: str,
        *,
        expected_active: str | None = ANY_REVISION,
        reason: str = "",
        namespace: str | None = None,
    ) -> DeploymentDetail:
        """Delete a deployment with no active revision, with all its history."""
        self._writable()
        with self._audit("delete_deployment", cluster, name, reason) as audit:
            with self.db.write() as session:
                row = self._deployment(session, cluster, name, namespace)
                active = active_revision(session, row.uid)
                check_expected(name, active, expected_active)
                if active is not None:
                    raise still_active(name)
                gone = self._detail(session, row)
                session.execute(delete(Deployment).where(Deployment.uid == row.uid))
            audit.message = f"deleted deployment {name}"
        return gone

    def sync_status(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """Read the active revision's resources from the DMS and store the status.

        A read-only store reports what the DMS says without storing it.
        """
        with self.db.read() as session:
            row = self._deployment(session, cluster, name, namespace)
            active = active_revision(session, row.uid)
            resources = resource_rows(session, active.uid) if active is not None else []
            deployment_uid = row.uid
            active_uid = active.uid if active is not None else None
        if active_uid is None:
            return self.get_deployment(cluster, name, namespace)

        states = self._read_states(resources)
        status = overall_status([s for s, _ in states.values()], len(resources))
        if self.read_only:
            detail = self.get_deployment(cluster, name, namespace)
            return detail.model_copy(update={"status": status})

        now = self.clock()
        with self.db.write() as session:
            current = active_revision(session, deployment_uid)
            if current is not None and current.uid == active_uid:
                for resource_uid, (state, message) in states.items():
                    session.execute(
                        update(DmsResource)
                        .where(DmsResource.uid == resource_uid)
                        .values(state=state, message=message, checked_at=now)
                    )
                set_status(session, deployment_uid, status, now, touch=False)
        return self.get_deployment(cluster, name, namespace)

    def retry_leftovers(self) -> list[LeftoverView]:
        """Delete every leftover in scope again; keep those the DMS still refuses."""
        self._writable()
        with self.db.read() as session:
            rows = session.scalars(
                select(LeftoverResource).where(scope.leftovers(self._caller))
            ).all()
            doomed = {
                r.uid: Doomed(r.resource_id, r.kind, r.name, r.namespace) for r in rows
            }
        failures = delete_all(self.dms, list(doomed.values()), self.dms_concurrency)
        failed = {f.resource.resource_id: f.error for f in failures}
        with self.db.write() as session:
            for uid, resource in doomed.items():
                if resource.resource_id in failed:
                    session.execute(
                        update(LeftoverResource)
                        .where(LeftoverResource.uid == uid)
                        .values(
                            attempts=LeftoverResource.attempts + 1,
                            error=failed[resource.resource_id],
                        )
                    )
                else:
                    session.execute(
                        delete(LeftoverResource).where(LeftoverResource.uid == uid)
                    )
        log.info(
            "%s retried %d leftover(s); %d still left",
            self._caller.identity.user,
            len(doomed),
            len(failed),
        )
        return self.list_leftovers()

    # --- the roll-out workflow ---------------------------------------------------

    def _deploy(
        self,
        kind: str,
        cluster: str,
        name: str,
        targets: Sequence[TargetSpec],
        *,
        expected_active: str | None,
        reason: str,
        rolled_back_from: str | None = None,
        namespace: str | None = None,
        new: DeploymentSpec | None = None,
        target_uids: Sequence[str] | None = None,
        description: str | None = None,
    ) -> DeploymentDetail:
        self._writable()
        self._recover_once()
        with self._audit(kind, cluster, name, reason) as audit:
            # Step 1: check, in a short read.
            plan = self._plan(
                cluster, name, targets, namespace=namespace, new=new, uids=target_uids
            )
            check_expected(name, plan.active, expected_active)
            deployment_uid, active_uid = plan.deployment_uid, plan.active_uid
            kube_namespace, cluster_uid = plan.namespace, plan.cluster_uid
            target_uids, requests = list(plan.target_uids), list(plan.requests)
            targets, doomed = plan.targets, list(plan.doomed)

            # Step 2: record the operation and what it means to create.
            audit.start(
                {
                    "deployment": deployment_uid,
                    "revision": active_uid,
                    "create": [
                        {
                            "kind": r.kind,
                            "name": r.name,
                            "namespace": r.namespace,
                            "resource_id": None,
                        }
                        for r in requests
                    ],
                    "delete": planned(doomed),
                }
            )

            # Step 3: the DMS creates; on failure those made are deleted again.
            ids = create_all(
                self.dms, requests, self.dms_concurrency, audit.record_created
            )

            # Step 4: the point of no return, one compare-and-set transaction.
            try:
                with self._unique(name_taken(name, cluster)), self.db.write() as s:
                    now = self.clock()
                    if new is not None:
                        deployment_uid = self.new_id()
                        s.add(
                            Deployment(
                                uid=deployment_uid,
                                cluster_uid=cluster_uid,
                                name=name,
                                namespace=kube_namespace,
                                description=new.description,
                                status="deploying",
                                status_changed_at=now,
                                creator=self._caller.identity.user,
                                created_at=now,
                                updated_at=now,
                            )
                        )
                        s.flush()
                    else:
                        assert deployment_uid is not None
                        self._compare(s, deployment_uid, active_uid, name)
                        set_status(s, deployment_uid, "deploying", now, restart=True)
                        if description is not None:
                            s.execute(
                                update(Deployment)
                                .where(Deployment.uid == deployment_uid)
                                .values(description=description)
                            )
                    self._write_revision(
                        s,
                        deployment_uid,
                        targets,
                        target_uids,
                        requests,
                        ids,
                        reason=reason,
                        rolled_back_from=rolled_back_from,
                        now=now,
                    )
                    audit.renew(s, past_point_of_no_return=True)
            except Exception:
                # Whatever stopped the compare-and-set, the creates must not outlive it.
                undo = [
                    Doomed(rid, r.kind, r.name, r.namespace)
                    for rid, r in zip(ids, requests, strict=True)
                ]
                left = delete_all(self.dms, undo, self.dms_concurrency)
                if left:
                    with self.db.write() as s:
                        self._record_leftovers(s, left, name, cluster)
                raise

            # Step 5: delete what the old revision ran; failures become leftovers.
            failures = delete_all(self.dms, doomed, self.dms_concurrency)
            if failures:
                with self.db.write() as s:
                    self._record_leftovers(s, failures, name, cluster)
            verb = "created" if new is not None else "rolled out"
            audit.message = outcome_message(verb, failures)
        return self.get_deployment(cluster, name)

    def _plan(
        self,
        cluster: str,
        name: str,
        targets: Sequence[TargetSpec],
        *,
        namespace: str | None,
        new: DeploymentSpec | None,
        uids: Sequence[str] | None,
    ) -> DeployPlan:
        """Step 1 of a create or roll out: every check, and the exact DMS requests."""
        if new is not None:
            check_label("deployment", new.name)
            check_label("namespace", new.namespace)
        targets = check_targets(targets)
        target_uids = (
            check_target_uids(uids, len(targets))
            if uids is not None
            else tuple(self.new_id() for _ in targets)
        )
        self._ensure_default_cluster()
        with self.db.read() as session:
            cluster_row = self._cluster(session, cluster)
            deployment_uid: str | None = None
            active_view: RevisionView | None = None
            doomed: list[Doomed] = []
            if new is None:
                row = self._deployment(session, cluster, name, namespace)
                active = active_revision(session, row.uid)
                deployment_uid, kube_namespace = row.uid, row.namespace
                if active is not None:
                    active_view = revision_views(session, [active])[0]
                    doomed = self._resources_of(session, active.uid)
            else:
                kube_namespace = new.namespace
                self._check_name_free(session, cluster_row, name)
            self._check_versions(session, targets)
            if uids is not None:
                used = session.scalars(
                    select(Target.uid).where(Target.uid.in_(target_uids))
                ).all()
                if used:
                    raise used_target_uids_error(used)
            cluster_uid = cluster_row.uid

        requests: list[ResourceRequest] = []
        for uid, spec in zip(target_uids, targets, strict=True):
            requests.extend(
                target_requests(
                    name,
                    kube_namespace,
                    uid,
                    spec.nim,
                    spec.version,
                    spec.config,
                    self._caller.identity,
                )
            )
        return DeployPlan(
            cluster=cluster,
            name=name,
            namespace=kube_namespace,
            cluster_uid=cluster_uid,
            deployment_uid=deployment_uid,
            active=active_view,
            doomed=tuple(doomed),
            targets=tuple(targets),
            target_uids=target_uids,
            requests=tuple(requests),
        )

    def _compare(
        self, session: Session, deployment_uid: str, expected: str | None, name: str
    ) -> None:
        present = session.scalar(
            select(Deployment.uid).where(Deployment.uid == deployment_uid)
        )
        if present is None:
            raise StaleRevision(
                f"deployment `{name}` was deleted meanwhile: nothing was changed"
            )
        current = active_revision(session, deployment_uid)
        current_uid = current.uid if current is not None else None
        if current_uid != expected:
            raise StaleRevision(
                f"deployment `{name}` changed meanwhile (active revision "
                f"{current_uid or 'none'}): nothing was changed; reload and try again"
            )
        if current is not None:
            current.status = "inactive"
            current.updated_at = self.clock()
            session.flush()

    def _write_revision(
        self,
        session: Session,
        deployment_uid: str,
        targets: Sequence[TargetSpec],
        target_uids: Sequence[str],
        requests: Sequence[ResourceRequest],
        ids: Sequence[str],
        *,
        reason: str,
        rolled_back_from: str | None,
        now: datetime,
    ) -> None:
        user = self._caller.identity.user
        revision_uid = self.new_id()
        session.add(
            Revision(
                uid=revision_uid,
                deployment_uid=deployment_uid,
                status="active",
                rolled_back_from=rolled_back_from,
                reason=reason,
                creator=user,
                created_at=now,
                updated_at=now,
            )
        )
        session.flush()
        for position, (uid, spec) in enumerate(zip(target_uids, targets, strict=True)):
            session.add(
                Target(
                    uid=uid,
                    revision_uid=revision_uid,
                    nim=spec.nim,
                    version=spec.version,
                    config=spec.config.without_kube_ids().model_dump(mode="json"),
                    position=position,
                    creator=user,
                    created_at=now,
                    updated_at=now,
                )
            )
        session.flush()
        for index, request in enumerate(requests):
            session.add(
                DmsResource(
                    uid=self.new_id(),
                    target_uid=target_uids[index // 2],
                    kind=request.kind,
                    name=request.name,
                    namespace=request.namespace,
                    resource_id=ids[index],
                    state=None,
                    message="",
                    checked_at=None,
                )
            )
        session.flush()

    # --- lease recovery ----------------------------------------------------------

    def recover(self) -> int:
        """Finish or undo operations whose owner's lease ran out; return how many."""
        return recover(self)

    def _recover_once(self) -> None:
        if not self._recovered:
            self._recovered = True
            self.recover()

    # --- helpers -----------------------------------------------------------------

    def _writable(self) -> None:
        if self.read_only:
            raise ReadOnly(
                f"the store {self.db.describe()} is open read-only: unset "
                "CAI_READ_ONLY to make changes"
            )

    @contextmanager
    def _audit(
        self,
        kind: str,
        cluster: str | None,
        deployment: str | None = None,
        reason: str = "",
    ) -> Iterator[Audit]:
        self._writable()
        audit = Audit(self, kind, cluster)
        audit.deployment, audit.reason = deployment, reason
        identity = self._caller.identity
        try:
            yield audit
        except StoreError as exc:
            outcome = outcome_of(exc)
            log.info(
                "%s/%s %s %s/%s: %s (%s)",
                identity.org,
                identity.user,
                kind,
                cluster or "-",
                deployment or "-",
                outcome,
                exc.message,
            )
            try:
                audit.finish(outcome, exc.message)
            except StoreError:
                log.warning("could not record the %s outcome of %s", outcome, kind)
            raise
        audit.finish("succeeded", audit.message)
        log.info(
            "%s/%s %s %s/%s: succeeded (%s)",
            identity.org,
            identity.user,
            kind,
            cluster or "-",
            deployment or "-",
            audit.message,
        )

    @contextmanager
    def _unique(self, error: StoreError) -> Iterator[None]:
        try:
            yield
        except IntegrityError:
            raise error from None

    def _check_name_free(self, session: Session, cluster: Cluster, name: str) -> None:
        # Names are unique per cluster whoever holds them, so this looks past scope.
        taken = session.scalar(
            select(Deployment.uid).where(
                Deployment.cluster_uid == cluster.uid, Deployment.name == name
            )
        )
        if taken is not None:
            raise name_taken(name, cluster.name)

    def _resources_of(self, session: Session, revision_uid: str) -> list[Doomed]:
        return [
            Doomed(r.resource_id, r.kind, r.name, r.namespace)
            for r in resource_rows(session, revision_uid)
            if r.resource_id
        ]

    def _check_versions(self, session: Session, targets: Sequence[TargetSpec]) -> None:
        pairs = {(t.nim, t.version) for t in targets}
        rows = session.execute(
            select(
                CompoundNim.name,
                CompoundNimVersion.version,
                CompoundNimVersion.image_build_status,
            )
            .join(CompoundNim, CompoundNimVersion.nim_uid == CompoundNim.uid)
            .where(
                scope.nims(self._caller),
                tuple_(CompoundNim.name, CompoundNimVersion.version).in_(pairs),
            )
        ).all()
        builds = {(nim, version): status for nim, version, status in rows}
        for target in targets:
            status = builds.get((target.nim, target.version))
            if status is None:
                raise InvalidInput(
                    f"Compound NIM version `{target.tag}` does not exist or is not "
                    "visible to you: check the tag, or create the version first"
                )
            if status != "success":
                raise InvalidInput(
                    f"the image build of `{target.tag}` is `{status}`: only a "
                    "version whose image build succeeded can be deployed"
                )

    def _read_states(
        self, resources: Sequence[DmsResource]
    ) -> dict[str, tuple[str, str]]:
        states: dict[str, tuple[str, str]] = {}
        for resource in resources:
            if not resource.resource_id:
                states[resource.uid] = ("unknown", "the DMS never returned its id")
                continue
            try:
                answer = self.dms.status(resource.resource_id)
            except DmsError as exc:
                states[resource.uid] = ("unknown", exc.message)
                continue
            if answer is None:
                states[resource.uid] = ("unknown", "this DMS offers no status reads")
                continue
            states[resource.uid] = (answer.state, answer.message)
        return states

    def _record_leftovers(
        self,
        session: Session,
        failures: Sequence[FailedDelete],
        deployment: str,
        cluster: str,
    ) -> None:
        identity = self._caller.identity
        add_leftovers(
            session,
            failures,
            self.clock(),
            self.new_id,
            identity.org,
            identity.user,
            cluster,
            deployment,
        )
