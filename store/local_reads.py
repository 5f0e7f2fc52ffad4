"""The read side of `LocalStore`: its construction, paged reads and lookups.

Every read is one short session (a transaction on SQLite; on PostgreSQL statements
that autocommit, see `LocalReads._read`) whose conditions come from `store.scope`,
so what is out of the caller's scope is `NotFound`, never shown.
"""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import (
    and_,
    func,
    select,
    tuple_,
)
from sqlalchemy.orm import Session

from store import scope
from store.audit import LEASE_SECONDS, default_owner
from store.clock import Clock, IdFactory, new_uuid, system_clock
from store.database import Database
from store.diff import diff_revisions, summarize
from store.dms import DeploymentManager
from store.errors import (
    NotFound,
    StoreError,
)
from store.interface import DeploymentListing, Store
from store.models import (
    Cluster,
    CompoundNim,
    CompoundNimVersion,
    Deployment,
    LeftoverResource,
    Operation,
    Revision,
)
from store.paging import decode_cursor, encode_cursor
from store.queries import (
    SORT_COLUMNS,
    active_tags,
    actives_and_counts,
    contains,
    deployment_conditions,
    deployment_counts,
    deployment_total_select,
    nim_versions,
    revision_views,
    rows_before,
    sort_value,
)
from store.schemas import (
    Caller,
    ClusterView,
    DeploymentDetail,
    DeploymentQuery,
    DeploymentSummary,
    LeftoverView,
    NimView,
    OperationView,
    Page,
    PageRequest,
    RevisionView,
    VersionView,
)
from store.views import (
    cluster_view,
    detail_view,
    leftover_view,
    nim_view,
    operation_view,
    summary_view,
    version_view,
)

Item = TypeVar("Item", DeploymentSummary, DeploymentDetail)


@dataclass(frozen=True)
class PagedRows:
    """One page of deployment rows, before they become views."""

    rows: list[Deployment]
    total: int
    start: int
    next_cursor: str | None
    prev_cursor: str | None

    def of(self, items: tuple[Item, ...]) -> Page[Item]:
        """The page with these views of its rows."""
        return Page(
            items=items,
            total=self.total,
            start=self.start,
            next_cursor=self.next_cursor,
            prev_cursor=self.prev_cursor,
        )


class LocalReads(Store):
    """Reads of the local store; `LocalStore` adds the writes."""

    def __init__(
        self,
        db: Database,
        caller: Caller,
        dms: DeploymentManager,
        *,
        clock: Clock = system_clock,
        new_id: IdFactory = new_uuid,
        dms_concurrency: int = 8,
        read_only: bool = False,
        stuck_seconds: float = 900,
        owner: str | None = None,
        lease_seconds: float = LEASE_SECONDS,
    ) -> None:
        self.db = db
        self._caller = caller
        self.dms = dms
        self.clock = clock
        self.new_id = new_id
        self.dms_concurrency = dms_concurrency
        self.read_only = read_only
        self.stuck_seconds = stuck_seconds
        self.owner = owner or default_owner()
        self.lease_seconds = lease_seconds
        self._recovered = False

    @property
    def caller(self) -> Caller:
        """Who this store acts for, and in which scope."""
        return self._caller

    def describe(self) -> str:
        """Where the data lives and who acts, without secrets."""
        identity = self._caller.identity
        return (
            f"{self.db.describe()} as {identity.user} of {identity.org} "
            f"({self._caller.scope} scope)"
        )

    def is_stuck(self, deployment: DeploymentDetail) -> bool:
        """Whether a deployment has stayed `deploying` past `stuck_seconds`."""
        since = deployment.status_changed_at or deployment.updated_at
        elapsed = (self.clock() - since).total_seconds()
        return deployment.status == "deploying" and elapsed > self.stuck_seconds

    # --- reads: clusters ---------------------------------------------------------

    def list_clusters(self, page: PageRequest = PageRequest()) -> Page[ClusterView]:
        """The organization's clusters, newest first, with deployment counts."""
        self._ensure_default_cluster()
        condition = scope.clusters(self._caller)
        if page.search:
            condition = and_(condition, contains(Cluster.name, page.search))
        with self._read() as session:
            total = session.scalar(select(func.count()).where(condition)) or 0
            rows = session.scalars(
                select(Cluster)
                .where(condition)
                .order_by(Cluster.created_at.desc(), Cluster.uid.desc())
                .offset(page.start)
                .limit(page.count)
            ).all()
            counts = deployment_counts(session, self._caller, [r.uid for r in rows])
            items = tuple(cluster_view(r, counts.get(r.uid, 0)) for r in rows)
        return Page(items=items, total=total, start=page.start)

    def get_cluster(self, name: str) -> ClusterView:
        """One cluster of the caller's organization."""
        self._ensure_default_cluster()
        with self._read() as session:
            row = self._cluster(session, name)
            counts = deployment_counts(session, self._caller, [row.uid])
            return cluster_view(row, counts.get(row.uid, 0))

    def get_cluster_brief(self, name: str) -> ClusterView:
        """One cluster without its deployment count (which scans its deployments)."""
        self._ensure_default_cluster()
        with self._read() as session:
            return cluster_view(self._cluster(session, name), 0)

    # --- reads: deployments ------------------------------------------------------

    def deployment_details(
        self, page: Page[DeploymentSummary]
    ) -> list[DeploymentDetail]:
        """Each row of a page with its active revision, in a few queries in all."""
        uids = [row.uid for row in page.items]
        if not uids:
            return []
        with self._read() as session:
            rows = {
                row.uid: row
                for row in session.scalars(
                    scope.visible_deployments(self._caller).where(
                        Deployment.uid.in_(uids)
                    )
                )
                .unique()
                .all()
            }
            found = iter(self._details(session, list(rows.values())))
            details = {row.uid: next(found) for row in rows.values()}
        return [
            details.get(listed.uid) or DeploymentDetail(**listed.model_dump())
            for listed in page.items
        ]

    def list_deployments(
        self, query: DeploymentQuery = DeploymentQuery()
    ) -> Page[DeploymentSummary]:
        """Deployments in scope, filtered, sorted and keyset- or offset-paged in SQL."""
        self._before_page(query)
        with self._read() as session:
            paged = self._page(session, query)
            tags = active_tags(session, [r.uid for r in paged.rows])
            items = tuple(
                summary_view(r, *tags.get(r.uid, (None, ()))) for r in paged.rows
            )
        return paged.of(items)

    def list_deployment_details(
        self, query: DeploymentQuery = DeploymentQuery()
    ) -> Page[DeploymentDetail]:
        """A page of `list_deployments`, each row with its active revision.

        One read for the page and its details; a row deleted between its
        statements (PostgreSQL) shows with no active revision.
        """
        self._before_page(query)
        with self._read() as session:
            paged = self._page(session, query)
            items = tuple(self._details(session, paged.rows))
        return paged.of(items)

    def _before_page(self, query: DeploymentQuery) -> None:
        # A page of the `default` cluster finds it even before its first write.
        if query.cluster is not None:
            self._ensure_default_cluster()

    def list_deployment_listing(
        self, query: DeploymentQuery = DeploymentQuery()
    ) -> DeploymentListing:
        """`list_deployment_details` with the clusters and NIM versions it names,
        all from one read: four statements on a page that is not empty."""
        self._before_page(query)
        with self._read() as session:
            paged = self._page(session, query)
            items = tuple(self._details(session, paged.rows))
            tags = (
                (target.nim, target.version)
                for item in items
                if item.active_revision is not None
                for target in item.active_revision.targets
            )
            versions = nim_versions(session, self._caller, tags)
            clusters = {
                row.cluster.name: cluster_view(row.cluster) for row in paged.rows
            }
        return DeploymentListing(
            page=paged.of(items), clusters=clusters, versions=versions
        )

    def _page(self, session: Session, query: DeploymentQuery) -> PagedRows:
        """The rows of one page of deployments, its total and its cursors.

        The total comes as a column of the rows' own select: a round trip less.
        Only an empty page asks for it, and whether the cluster exists, apart.
        """
        sort = SORT_COLUMNS[query.sort]
        conditions = deployment_conditions(query)
        base = scope.visible_deployments(self._caller).where(*conditions)
        cursor = query.after or query.before
        backwards = query.before is not None and query.after is None
        descending = query.descending != backwards
        order = (
            (sort.desc(), Deployment.uid.desc())
            if descending
            else (sort, Deployment.uid)
        )

        counted = deployment_total_select(self._caller, query)
        statement = (
            base.add_columns(counted.scalar_subquery())
            .order_by(*order)
            .limit(query.limit + 1)
        )
        start = query.start
        if cursor is not None:
            value, uid = decode_cursor(cursor)
            key = tuple_(sort, Deployment.uid)
            beyond = (
                key < tuple_(value, uid) if descending else key > tuple_(value, uid)
            )
            statement = statement.where(beyond)
        else:
            statement = statement.offset(query.start)
        found = session.execute(statement).unique().all()
        rows = [row for row, _ in found]
        if found:
            total = int(found[0][1] or 0)
        else:
            if query.cluster is not None:
                # NotFound for a cluster that is not there (or not the caller's).
                self._cluster(session, query.cluster)
            total = int(session.scalar(counted) or 0)
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        if backwards:
            rows.reverse()
        if cursor is not None and rows:
            start = rows_before(session, base, sort, rows[0], query.descending)

        def cursor_of(row: Deployment) -> str:
            return encode_cursor(sort_value(row, query.sort), row.uid)

        has_next = (more and not backwards) or (backwards and cursor is not None)
        has_prev = (more and backwards) or (not backwards and start > 0)
        return PagedRows(
            rows=rows,
            total=total,
            start=start,
            next_cursor=cursor_of(rows[-1]) if rows and has_next else None,
            prev_cursor=cursor_of(rows[0]) if rows and has_prev else None,
        )

    def _details(
        self, session: Session, rows: Sequence[Deployment]
    ) -> list[DeploymentDetail]:
        """These rows with their active revisions and revision counts."""
        found = actives_and_counts(session, [row.uid for row in rows])
        actives = [active for active, _ in found.values() if active is not None]
        views = {view.uid: view for view in revision_views(session, actives)}
        details = []
        for row in rows:
            active, count = found.get(row.uid, (None, 0))
            view = views.get(active.uid) if active is not None else None
            details.append(detail_view(row, view, count))
        return details

    def get_deployment(
        self, cluster: str, name: str, namespace: str | None = None
    ) -> DeploymentDetail:
        """One deployment with its active revision."""
        self._ensure_default_cluster()
        with self._read() as session:
            row = self._deployment(session, cluster, name, namespace)
            return self._detail(session, row)

    def list_revisions(
        self, cluster: str, deployment: str, page: PageRequest = PageRequest()
    ) -> Page[RevisionView]:
        """A deployment's history, newest first, each revision with its targets."""
        self._ensure_default_cluster()
        with self._read() as session:
            row = self._deployment(session, cluster, deployment, None)
            condition = Revision.deployment_uid == row.uid
            total = session.scalar(select(func.count()).where(condition)) or 0
            # One row past the page: the revision before the page's oldest, so its
            # summary can say what changed.
            revisions = session.scalars(
                select(Revision)
                .where(condition)
                .order_by(Revision.created_at.desc(), Revision.uid.desc())
                .offset(page.start)
                .limit(page.count + 1)
            ).all()
            views = revision_views(session, revisions)
        olders = [*views[1:], None][: len(views)]
        items = [
            view.model_copy(update={"summary": summarize(diff_revisions(older, view))})
            for view, older in zip(views, olders, strict=True)
        ]
        return Page(items=tuple(items[: page.count]), total=total, start=page.start)

    def get_revision(self, cluster: str, deployment: str, uid: str) -> RevisionView:
        """One revision, looked up only under its own deployment."""
        self._ensure_default_cluster()
        with self._read() as session:
            row = self._deployment(session, cluster, deployment, None)
            revision = session.scalar(
                select(Revision).where(
                    Revision.uid == uid, Revision.deployment_uid == row.uid
                )
            )
            if revision is None:
                raise NotFound(
                    f"revision `{uid}` not found in deployment `{deployment}` of "
                    f"cluster `{cluster}`"
                )
            return revision_views(session, [revision])[0]

    # --- reads: NIMs, operations, leftovers --------------------------------------

    def list_nims(self, page: PageRequest = PageRequest()) -> Page[NimView]:
        """Compound NIMs in scope, by name, searchable."""
        condition = scope.nims(self._caller)
        if page.search:
            condition = and_(condition, contains(CompoundNim.name, page.search))
        with self._read() as session:
            total = session.scalar(select(func.count()).where(condition)) or 0
            rows = session.scalars(
                select(CompoundNim)
                .where(condition)
                .order_by(CompoundNim.name)
                .offset(page.start)
                .limit(page.count)
            ).all()
            items = tuple(self._nim_view(session, r) for r in rows)
        return Page(items=items, total=total, start=page.start)

    def get_nim(self, name: str) -> NimView:
        """One Compound NIM in scope."""
        with self._read() as session:
            return self._nim_view(session, self._nim(session, name))

    def list_versions(
        self, nim: str, page: PageRequest = PageRequest()
    ) -> Page[VersionView]:
        """Versions of one NIM, newest first."""
        with self._read() as session:
            parent = self._nim(session, nim)
            condition = CompoundNimVersion.nim_uid == parent.uid
            if page.search:
                condition = and_(
                    condition, contains(CompoundNimVersion.version, page.search)
                )
            total = session.scalar(select(func.count()).where(condition)) or 0
            rows = session.scalars(
                select(CompoundNimVersion)
                .where(condition)
                .order_by(
                    CompoundNimVersion.created_at.desc(), CompoundNimVersion.uid.desc()
                )
                .offset(page.start)
                .limit(page.count)
            ).all()
            items = tuple(version_view(r, parent.name) for r in rows)
        return Page(items=items, total=total, start=page.start)

    def get_version(self, nim: str, version: str) -> VersionView:
        """One version of one NIM in scope."""
        with self._read() as session:
            parent = self._nim(session, nim)
            return version_view(self._version(session, parent, version), parent.name)

    def get_version_and_nim(
        self, nim: str, version: str
    ) -> tuple[VersionView, NimView]:
        """One version of one NIM in scope, and that NIM, in one read."""
        with self._read() as session:
            parent = self._nim(session, nim)
            row = self._version(session, parent, version)
            return version_view(row, parent.name), self._nim_view(session, parent)

    def list_operations(
        self,
        page: PageRequest = PageRequest(),
        cluster: str | None = None,
        deployment: str | None = None,
    ) -> Page[OperationView]:
        """Recorded writes in scope, newest first; of one deployment if named."""
        condition = scope.operations(self._caller)
        if cluster is not None:
            condition = and_(condition, Operation.cluster == cluster)
        if deployment is not None:
            condition = and_(condition, Operation.deployment == deployment)
        with self._read() as session:
            total = session.scalar(select(func.count()).where(condition)) or 0
            rows = session.scalars(
                select(Operation)
                .where(condition)
                .order_by(Operation.started_at.desc(), Operation.uid.desc())
                .offset(page.start)
                .limit(page.count)
            ).all()
            items = tuple(operation_view(r) for r in rows)
        return Page(items=items, total=total, start=page.start)

    def list_leftovers(self) -> list[LeftoverView]:
        """DMS resources left over by writes, oldest first."""
        with self._read() as session:
            rows = session.scalars(
                select(LeftoverResource)
                .where(scope.leftovers(self._caller))
                .order_by(LeftoverResource.recorded_at, LeftoverResource.uid)
            ).all()
            return [leftover_view(r) for r in rows]

    # --- lookups ------------------------------------------------------------------

    @contextmanager
    def _read(self) -> Iterator[Session]:
        """A read session; on PostgreSQL its statements autocommit.

        Under PostgreSQL's READ COMMITTED each statement sees its own snapshot
        whether or not a transaction holds them, so a read's BEGIN and ROLLBACK
        are two round trips that buy nothing. Without them the connection also
        keeps its prepared statements (a ROLLBACK drops them), so a frequent
        query is planned once per connection. SQLite keeps its transaction: there
        it is what gives a read one snapshot.
        """
        with self.db.read() as session:
            if not self.db.is_sqlite:
                session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
            yield session

    def _ensure_default_cluster(self) -> None:
        org = self._caller.identity.org
        if org in self.db.default_cluster_orgs:
            return
        try:
            with self.db.write() as session:
                self._ensure_default_in(session)
        except StoreError:
            if not self.read_only:
                raise
            return  # a read-only file cannot take it; reads then just lack it
        self.db.default_cluster_orgs.add(org)

    def _ensure_default_in(self, session: Session) -> None:
        scope.ensure_default_cluster(session, self._caller, self.clock, self.new_id)

    def _cluster(self, session: Session, name: str) -> Cluster:
        row = session.scalar(
            select(Cluster).where(scope.clusters(self._caller), Cluster.name == name)
        )
        if row is None:
            raise NotFound(
                f"cluster `{name}` not found in organization "
                f"`{self._caller.identity.org}`"
            )
        return row

    def _deployment(
        self, session: Session, cluster: str, name: str, namespace: str | None
    ) -> Deployment:
        cluster_row = self._cluster(session, cluster)
        statement = scope.visible_deployments(self._caller).where(
            Deployment.cluster_uid == cluster_row.uid, Deployment.name == name
        )
        if namespace is not None:
            statement = statement.where(Deployment.namespace == namespace)
        row = session.scalar(statement)
        if row is None:
            where = f" in namespace `{namespace}`" if namespace else ""
            raise NotFound(
                f"deployment `{name}` not found in cluster `{cluster}`{where}"
            )
        return row

    def _nim(self, session: Session, name: str) -> CompoundNim:
        row = session.scalar(
            select(CompoundNim).where(
                scope.nims(self._caller), CompoundNim.name == name
            )
        )
        if row is None:
            raise NotFound(
                f"Compound NIM `{name}` not found in organization "
                f"`{self._caller.identity.org}`"
            )
        return row

    def _version(
        self, session: Session, nim: CompoundNim, version: str
    ) -> CompoundNimVersion:
        row = session.scalar(
            select(CompoundNimVersion).where(
                CompoundNimVersion.nim_uid == nim.uid,
                CompoundNimVersion.version == version,
            )
        )
        if row is None:
            raise NotFound(
                f"version `{version}` of Compound NIM `{nim.name}` not found"
            )
        return row

    def _nim_view(self, session: Session, row: CompoundNim) -> NimView:
        mine = CompoundNimVersion.nim_uid == row.uid
        count = select(func.count()).where(mine).scalar_subquery()
        latest = (
            select(CompoundNimVersion.version)
            .where(mine)
            .order_by(
                CompoundNimVersion.created_at.desc(), CompoundNimVersion.uid.desc()
            )
            .limit(1)
            .scalar_subquery()
        )
        counted, newest = session.execute(select(count, latest)).one()
        return nim_view(row, counted or 0, newest)

    def _detail(self, session: Session, row: Deployment) -> DeploymentDetail:
        return self._details(session, [row])[0]
