"""Validators of the deploy forms: each failure names the problem and the fix."""

from textual.validation import ValidationResult, Validator

from store.config import EXAMPLES, quantity_problem
from store.errors import InvalidInput
from store.names import check_label


class Label1035(Validator):
    """A name that becomes a Kubernetes name: an RFC 1035 label."""

    def __init__(self, kind: str) -> None:
        super().__init__()
        self.kind = kind

    def validate(self, value: str) -> ValidationResult:
        """Accept an RFC 1035 label; say what is wrong otherwise."""
        try:
            check_label(self.kind, value)
        except InvalidInput as exc:
            return self.failure(exc.message)
        return self.success()


class WholeNumber(Validator):
    """A whole number of 0 or more, such as a replica count or a GPU count."""

    def __init__(self, what: str, *, optional: bool = False) -> None:
        super().__init__()
        self.what = what
        self.optional = optional

    def validate(self, value: str) -> ValidationResult:
        """Accept digits only (or nothing, when optional)."""
        if not value and self.optional:
            return self.success()
        if value.isdigit():
            return self.success()
        return self.failure(
            f"{self.what} `{value}` is not a whole number: use 0, 1, 2…"
        )


class Quantity(Validator):
    """A Kubernetes quantity of cpu (`500m`, `4`) or memory (`16Gi`); may be empty."""

    def __init__(self, what: str, *, memory: bool) -> None:
        super().__init__()
        self.what = what
        self.memory = memory

    def validate(self, value: str) -> ValidationResult:
        """Accept an empty value or a quantity of the right kind."""
        if not value:
            return self.success()
        problem = quantity_problem("memory" if self.memory else "cpu", value)
        if problem is None:
            return self.success()
        example = EXAMPLES["memory" if self.memory else "cpu"]
        return self.failure(f"{self.what} `{value}` is not a quantity: use {example}")
