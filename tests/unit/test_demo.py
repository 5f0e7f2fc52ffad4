"""The demo history shipped in the package replays cleanly into a fresh store."""

from pathlib import Path

from cai_tui.demo import DEMO_ORG, HISTORY, DemoOpener
from cai_tui.replay import load_requests
from cai_tui.settings import load_settings
from store.schemas import Caller, DeploymentQuery, Identity


def test_demo_history_is_valid_and_ships_in_the_package() -> None:
    requests = load_requests(HISTORY)
    assert len(requests) > 40
    assert {r.org for r in requests} == {"default", "other-co"}
    orgs = [r.org for r in requests]
    assert max(set(orgs), key=orgs.count) == DEMO_ORG


def test_demo_opener_seeds_a_throwaway_store(tmp_path: Path) -> None:
    opener = DemoOpener(load_settings(cai_store=str(tmp_path / "mine.db")))
    try:
        folder = Path(opener.settings.cai_store).parent
        assert folder != tmp_path
        assert opener.seed() == []
        store = opener(Caller(identity=Identity(org="default", user="default")))
        clusters = {c.name for c in store.list_clusters().items}
        assert clusters == {"default", "gpu-east", "gpu-west", "staging"}
        mine = store.list_deployments(DeploymentQuery())
        assert mine.total > 0
        assert {d.creator for d in mine.items} == {"default"}
        everyone = opener(
            Caller(identity=Identity(org="default", user="x"), scope="organization")
        ).list_deployments(DeploymentQuery())
        assert {d.creator for d in everyone.items} >= {"default", "alice", "bob"}
        assert all(d.organization == "default" for d in everyone.items)
        store.close()
    finally:
        opener.cleanup()
    assert not folder.exists()
    assert not (tmp_path / "mine.db").exists()
