"""Choose the DMS from the settings: the HTTP client, or the embedded simulator."""

from cai_tui.dms.http_client import HttpDeploymentManager
from cai_tui.dms.simulator import Simulator
from cai_tui.settings import Settings
from store.clock import Clock, IdFactory, new_uuid, system_clock
from store.dms import DeploymentManager


def make_dms(
    settings: Settings,
    *,
    clock: Clock = system_clock,
    new_id: IdFactory = new_uuid,
) -> DeploymentManager:
    """The DMS at `DMS_URL` (or `DMS_HOST`/`DMS_PORT`), else the simulator.

    `clock` and `new_id` reach only the simulator: a real DMS keeps its own time
    and gives its own ids.
    """
    endpoint = settings.dms_endpoint
    if endpoint is not None:
        return HttpDeploymentManager(endpoint, timeout=settings.cai_dms_timeout_seconds)
    return Simulator(
        settings.sim_store_path,
        step_seconds=settings.cai_sim_seconds,
        clock=clock,
        new_id=new_id,
    )
