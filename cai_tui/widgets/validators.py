"""Validators of the deploy forms: each failure names the problem and the fix."""

import re

from textual.validation import ValidationResult, Validator

from store.errors import InvalidInput
from store.names import check_label

_CPU = re.compile(r"^(\d+(\.\d+)?|\d+m)$")
_MEMORY = re.compile(r"^\d+(\.\d+)?(Ki|Mi|Gi|Ti|K|M|G|T)?$")


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
        if self.memory and _MEMORY.match(value):
            return self.success()
        if not self.memory and _CPU.match(value):
            return self.success()
        example = "16Gi or 512Mi" if self.memory else "500m or 4"
        return self.failure(f"{self.what} `{value}` is not a quantity: use {example}")
