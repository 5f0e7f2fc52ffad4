"""Revision diffs and their one-line summaries, and the summaries in the history."""

from datetime import UTC, datetime

from store.diff import diff_revisions, summarize
from store.local import LocalStore
from store.schemas import (
    DeploymentSpec,
    PageRequest,
    ResourceItem,
    Resources,
    RevisionView,
    Scaling,
    ServiceConfig,
    TargetConfig,
    TargetSpec,
    TargetView,
)

AT = datetime(2026, 3, 2, tzinfo=UTC)


def worker(gpu: str = "1", replicas: int = 1, memory: str = "8Gi") -> TargetConfig:
    """A config with a frontend and a GPU worker."""
    return TargetConfig(
        services={
            "Frontend": ServiceConfig(),
            "VllmWorker": ServiceConfig(
                scaling=Scaling(min_replicas=replicas, max_replicas=replicas),
                resources=Resources(limits=ResourceItem(gpu=gpu, memory=memory)),
            ),
        }
    )


def revision(uid: str, *targets: tuple[str, str, TargetConfig]) -> RevisionView:
    """A revision with these (nim, version, config) targets."""
    return RevisionView(
        uid=uid,
        status="inactive",
        creator="alice",
        created_at=AT,
        updated_at=AT,
        targets=tuple(
            TargetView(
                uid=f"{uid}-{i}",
                nim=nim,
                version=version,
                config=config,
                creator="alice",
                created_at=AT,
            )
            for i, (nim, version, config) in enumerate(targets)
        ),
    )


def test_tag_and_gpu_change_read_as_in_the_history() -> None:
    old = revision("r1", ("llm-agg", "abc", worker("1")))
    new = revision("r2", ("llm-agg", "def", worker("2")))
    diff = diff_revisions(old, new)
    assert [(c.path, c.old, c.new) for c in diff.changes] == [
        ("llm-agg.tag", "llm-agg:abc", "llm-agg:def"),
        ("llm-agg.VllmWorker.resources.limits.gpu", "1", "2"),
    ]
    assert summarize(diff) == "llm-agg:abc -> llm-agg:def, VllmWorker gpu 1 -> 2"


def test_replicas_and_every_other_field_are_listed() -> None:
    before = worker(replicas=1).model_copy(update={"enable_ingress": False})
    after = worker(replicas=3).model_copy(
        update={"enable_ingress": True, "extra": {"debug": True}}
    )
    diff = diff_revisions(
        revision("r1", ("llm", "v1", before)),
        (TargetSpec(nim="llm", version="v1", config=after),),
    )
    by_path = {c.path: c for c in diff.changes}
    assert by_path["llm.VllmWorker.scaling.min_replicas"].new == 3
    assert by_path["llm.VllmWorker.scaling.max_replicas"].old == 1
    assert by_path["llm.enable_ingress"].kind == "changed"
    assert by_path["llm.extra.debug"].kind == "added"
    assert by_path["llm.extra.debug"].old is None
    assert diff.new_uid is None and diff.old_tags == ("llm:v1",)
    assert len(diff.changes) == 4
    assert summarize(diff) == (
        "VllmWorker max replicas 1 -> 3, VllmWorker min replicas 1 -> 3, +2 more"
    )


def test_targets_match_by_name_then_by_position() -> None:
    old = revision("r1", ("a", "v1", worker()), ("b", "v1", worker()))
    new = revision("r2", ("b", "v1", worker()), ("c", "v1", worker()))
    diff = diff_revisions(old, new)
    # `b` is the same target moved; `c` took `a`'s place.
    assert [(c.path, c.old, c.new) for c in diff.changes] == [("c.tag", "a:v1", "c:v1")]


def test_added_and_removed_targets() -> None:
    old = revision("r1", ("a", "v1", worker()), ("b", "v1", worker()))
    grown = revision(
        "r2", ("a", "v1", worker()), ("b", "v1", worker()), ("c", "v1", worker())
    )
    assert summarize(diff_revisions(old, grown)) == "+c:v1"
    shrunk = diff_revisions(old, revision("r3", ("a", "v1", worker())))
    assert [(c.kind, c.old) for c in shrunk.changes] == [("removed", "b:v1")]
    assert summarize(shrunk) == "-b:v1"


def test_the_summary_is_cut_with_a_count_of_the_rest() -> None:
    old = revision("r1", *((f"nim{i}", "v1", worker()) for i in range(8)))
    new = revision("r2", *((f"nim{i}", "v2", worker()) for i in range(8)))
    line = summarize(diff_revisions(old, new), width=60)
    assert len(line) <= 60
    assert line.startswith("nim0:v1 -> nim0:v2, ")
    assert line.endswith(" more")
    shown = line.count("->")
    assert line.endswith(f"+{8 - shown} more")


def test_first_revision_and_no_change() -> None:
    only = revision("r1", ("llm", "v1", worker()))
    assert summarize(diff_revisions(None, only)) == "first revision"
    same = diff_revisions(only, revision("r2", ("llm", "v1", worker())))
    assert same.is_empty and summarize(same) == "no change"


def test_history_rows_summarize_the_change_from_the_one_before(
    store: LocalStore,
) -> None:
    def spec(version: str, gpu: str) -> tuple[TargetSpec, ...]:
        return (TargetSpec(nim="llm", version=version, config=worker(gpu)),)

    store.create_deployment(
        "us-west", DeploymentSpec(name="api", targets=spec("v1", "1"))
    )
    store.roll_out("us-west", "api", spec("v2", "2"))
    store.roll_out("us-west", "api", spec("v2", "4"))

    history = store.list_revisions("us-west", "api").items
    assert [r.summary for r in history] == [
        "VllmWorker gpu 2 -> 4",
        "llm:v1 -> llm:v2, VllmWorker gpu 1 -> 2",
        "first revision",
    ]
    # A page that stops before the oldest still knows what its last row changed.
    page = store.list_revisions("us-west", "api", PageRequest(count=2)).items
    assert [r.summary for r in page] == [r.summary for r in history[:2]]


def test_a_service_change_is_told_once_not_again_in_the_v1_fields() -> None:
    from store.config import check_target_config

    first = check_target_config(
        TargetConfig(
            services={
                "Frontend": ServiceConfig(
                    resources=Resources(requests=ResourceItem(cpu="1"))
                )
            }
        ),
        "llm:a",
    )
    second = check_target_config(
        TargetConfig(
            services={
                "Frontend": ServiceConfig(
                    resources=Resources(requests=ResourceItem(cpu="2"))
                )
            }
        ),
        "llm:a",
    )
    diff = diff_revisions(
        revision("old", ("llm", "a", first)), revision("new", ("llm", "a", second))
    )
    fields = [c.field for c in diff.changes]
    assert fields == ["Frontend.resources.requests.cpu"]
