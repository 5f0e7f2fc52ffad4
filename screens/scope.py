"""The Scope screen: who the user is and which scope it works in."""

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, Input, Label, RadioButton, RadioSet

from cai_tui.widgets.too_small import TooSmall
from store.schemas import Caller, Identity, Scope


class ScopeScreen(Screen[Caller]):
    """Asks for organization, user and scope; dismisses with the chosen `Caller`."""

    CSS_PATH = "scope.tcss"
    BINDINGS = [
        Binding("ctrl+s", "continue", "Continue", id="continue"),
    ]

    def __init__(
        self,
        *,
        org: str,
        user: str,
        scope: Scope,
        store: str = "",
        remote: bool = False,
        token: bool = False,
    ) -> None:
        super().__init__()
        self._org = org
        self._user = user
        self._scope = scope
        self._store = store
        """Where the data lives, as the user should read it."""
        self._remote = remote
        """A CAI API decides the scope itself: it is shown, not chosen."""
        self._token = remote and token
        """A CAI API that knows the user by its token: identity is not asked for."""

    def compose(self) -> ComposeResult:
        """The identity form."""
        yield Header()
        with Vertical(id="form"):
            yield Label("Who are you, and what do you want to see?", id="title")
            if self._store:
                yield Label(f"Store: {self._store}", id="store")
            if self._token:
                yield Label("Identity: the server knows you by CAI_API_TOKEN")
            yield Label("Organization")
            yield Input(
                self._org, id="org", placeholder="organization id", disabled=self._token
            )
            yield Label("User")
            yield Input(
                self._user, id="user", placeholder="user id", disabled=self._token
            )
            yield Label("Scope")
            if self._remote:
                yield Label("set by the server (the title shows it)", id="server-scope")
            with RadioSet(id="scope", disabled=self._remote):
                yield RadioButton(
                    "user: what I created", value=self._scope == "user", id="user-scope"
                )
                yield RadioButton(
                    "organization: everything of my organization",
                    value=self._scope == "organization",
                    id="organization-scope",
                )
            yield Label("", id="problem")
            yield Button("Continue", variant="primary", id="continue")
        yield TooSmall()
        yield Footer()

    def on_mount(self) -> None:
        """Start in the first field (on Continue when nothing is to be typed)."""
        if self._token:
            self.query_one("#continue", Button).focus()
        else:
            self.query_one("#org", Input).focus()

    @on(Input.Submitted)
    @on(Button.Pressed, "#continue")
    def _submitted(self) -> None:
        self.action_continue()

    def action_continue(self) -> None:
        """Check the fields and go on, or say inline what is missing."""
        org = self.query_one("#org", Input).value.strip()
        user = self.query_one("#user", Input).value.strip()
        missing = [
            name for name, value in (("organization", org), ("user", user)) if not value
        ]
        problem = self.query_one("#problem", Label)
        if missing:
            problem.update(f"give the {' and the '.join(missing)} id to continue")
            problem.add_class("-shown")
            return
        problem.remove_class("-shown")

        organization = self.query_one("#organization-scope", RadioButton).value
        scope: Scope = "organization" if organization else "user"
        self.dismiss(Caller(identity=Identity(org=org, user=user), scope=scope))
