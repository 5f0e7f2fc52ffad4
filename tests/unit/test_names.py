"""Name rules and the DMS resource names of api_contract.md 8.17."""

import hashlib

import pytest

from store.errors import InvalidInput
from store.names import (
    check_label,
    check_nim_name,
    deployment_resource_name,
    request_resource_name,
    split_tag,
)


@pytest.mark.parametrize("name", ["US-West", "us_west", "a" * 64, "1abc", "", "abc-"])
def test_invalid_labels_are_refused_with_the_rule(name: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_label("cluster", name)
    assert "cluster name" in caught.value.message


@pytest.mark.parametrize("name", ["a", "us-west-h100", "a" * 63, "x1"])
def test_valid_labels_pass(name: str) -> None:
    assert check_label("deployment", name) == name


@pytest.mark.parametrize("tag", ["llm-agg", "a:b:c", ":v", "n:"])
def test_tags_need_exactly_one_colon(tag: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        split_tag(tag)
    assert "name:version" in caught.value.message


def test_nim_names_are_lowercase() -> None:
    with pytest.raises(InvalidInput):
        check_nim_name("Hello_World")
    assert check_nim_name("hello-world") == "hello-world"


def test_resource_names_carry_the_target_hash_and_fit_63() -> None:
    uid = "2f1e0c5a-0000-4000-8000-000000000001"
    suffix = hashlib.sha256(uid.encode()).hexdigest()[:8]
    assert deployment_resource_name("llm-agg-prod", uid) == f"llm-agg-prod-{suffix}"
    assert request_resource_name("llm-agg:abc", uid) == f"llm-agg--abc-{suffix}"
    long_name = deployment_resource_name("d" * 63, uid)
    assert len(long_name) == 63
    assert long_name.endswith(f"-{suffix}")
