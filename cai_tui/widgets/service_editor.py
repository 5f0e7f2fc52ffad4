"""One line of a deploy form: a service's replicas and resource requests and limits."""

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.validation import Validator
from textual.widgets import Input, Label, Static

from cai_tui.widgets.validators import Quantity, WholeNumber
from store.schemas import ResourceItem, Resources, Scaling, ServiceConfig

FIELDS: tuple[tuple[str, str], ...] = (
    ("min", "min"),
    ("max", "max"),
    ("req-cpu", "cpu"),
    ("req-memory", "memory"),
    ("req-gpu", "gpu"),
    ("lim-cpu", "cpu"),
    ("lim-memory", "memory"),
    ("lim-gpu", "gpu"),
)
"""Each input's class and its column heading."""

NAME_WIDTH = 14


def service_heading() -> Static:
    """The column headings above a target's service lines."""
    groups = f"{'service':<{NAME_WIDTH}}{'replicas':<14}{'requests':<21}limits"
    fields = "".join(f"{label:<7}" for _, label in FIELDS)
    return Static(f"{groups}\n{'':<{NAME_WIDTH}}{fields}", classes="columns")


def _validators(field: str) -> list[Validator]:
    if field in ("min", "max"):
        return [WholeNumber(f"{field} replicas")]
    side = "request" if field.startswith("req") else "limit"
    kind = field.split("-", 1)[1]
    what = f"{kind} {side}"
    if kind == "gpu":
        return [WholeNumber(what, optional=True)]
    return [Quantity(what, memory=kind == "memory")]


class ServiceEditor(Horizontal):
    """Edits one service's scaling and resources; keeps the rest of its config."""

    DEFAULT_CSS = """
    ServiceEditor {
        height: 1;
    }
    ServiceEditor Label {
        width: 14;
    }
    ServiceEditor Input {
        width: 6;
        height: 1;
        border: none;
        padding: 0;
        margin-right: 1;
        background: $boost;
    }
    ServiceEditor Input:focus {
        background: $primary 30%;
    }
    ServiceEditor Input.-invalid {
        background: $error 40%;
    }
    """

    def __init__(self, service: str, config: ServiceConfig) -> None:
        super().__init__()
        self.service = service
        self.base = config

    def compose(self) -> ComposeResult:
        """The service's name and one input per field."""
        yield Label(self.service[: NAME_WIDTH - 1])
        values = self._values(self.base)
        for field, _ in FIELDS:
            yield Input(
                values[field],
                classes=field,
                validators=_validators(field),
                compact=True,
                select_on_focus=False,
            )

    @staticmethod
    def _values(config: ServiceConfig) -> dict[str, str]:
        requests = config.resources.requests or ResourceItem()
        limits = config.resources.limits or ResourceItem()
        return {
            "min": str(config.scaling.min_replicas),
            "max": str(config.scaling.max_replicas),
            "req-cpu": requests.cpu or "",
            "req-memory": requests.memory or "",
            "req-gpu": requests.gpu or "",
            "lim-cpu": limits.cpu or "",
            "lim-memory": limits.memory or "",
            "lim-gpu": limits.gpu or "",
        }

    def value_of(self, field: str) -> str:
        """What is typed in one field."""
        return self.query_one(f".{field}", Input).value.strip()

    def problems(self) -> list[tuple[Input, str]]:
        """Each invalid input with what is wrong, in the order shown."""
        found: list[tuple[Input, str]] = []
        for field, _ in FIELDS:
            field_input = self.query_one(f".{field}", Input)
            result = field_input.validate(field_input.value.strip())
            if result is not None and not result.is_valid:
                found.append(
                    (field_input, f"{self.service}: {result.failures[0].description}")
                )
        if not found:
            low, high = int(self.value_of("min")), int(self.value_of("max"))
            if low > high:
                field_input = self.query_one(".max", Input)
                found.append(
                    (
                        field_input,
                        f"{self.service}: min replicas {low} is more than max {high}: "
                        "raise max or lower min",
                    )
                )
        return found

    def config(self) -> ServiceConfig:
        """The edited config (call after `problems` found none)."""
        resources = Resources(
            requests=self._item("req", self.base.resources.requests),
            limits=self._item("lim", self.base.resources.limits),
        )
        scaling = Scaling(
            min_replicas=int(self.value_of("min")),
            max_replicas=int(self.value_of("max")),
        )
        return self.base.model_copy(update={"scaling": scaling, "resources": resources})

    def _item(self, side: str, base: ResourceItem | None) -> ResourceItem | None:
        cpu, memory, gpu = (
            self.value_of(f"{side}-{kind}") or None for kind in ("cpu", "memory", "gpu")
        )
        custom = base.custom if base is not None else None
        if cpu is None and memory is None and gpu is None and custom is None:
            return None
        return ResourceItem(cpu=cpu, memory=memory, gpu=gpu, custom=custom)
