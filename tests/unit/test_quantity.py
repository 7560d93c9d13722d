"""Kubernetes quantities: parsing as the apiserver does, printing as kubectl top does."""

from decimal import Decimal

import pytest

from src.twin.store._quantity import (
    QUANTITY_PATTERN,
    QuantityError,
    format_bytes,
    format_cpu,
    is_valid_quantity,
    parse_bytes,
    parse_cpu,
    parse_quantity,
)


@pytest.mark.parametrize(
    ("text", "cores"),
    [("200m", 0.2), ("1", 1.0), ("0.5", 0.5), ("2.5", 2.5), ("100n", 1e-7), ("1e3", 1000.0), (1, 1.0), (0.25, 0.25)],
)
def test_cpu_quantities_read_as_cores(text, cores):
    assert parse_cpu(text) == pytest.approx(cores)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("200Mi", 200 * 2**20),
        ("1Gi", 2**30),
        ("128974848", 128974848),
        ("129M", 129_000_000),
        ("1k", 1000),
        ("1e3", 1000),
        ("0.5Ki", 512),
        ("256MB", 256_000_000),
        ("1GiB", 2**30),
        ("512 KB", 512_000),
        (1024, 1024),
    ],
)
def test_memory_quantities_read_as_bytes(text, size):
    assert parse_bytes(text) == size


def test_fractional_bytes_round_up_like_quantity_value():
    assert parse_bytes("100m") == 1
    assert parse_bytes("1.5") == 2


@pytest.mark.parametrize("text", ["1x", "", ".", "Mi", " 1", "1e", "one", "1.2.3", "--1"])
def test_malformed_quantities_raise_with_the_apiserver_regex(text):
    with pytest.raises(QuantityError) as caught:
        parse_cpu(text)
    assert QUANTITY_PATTERN in str(caught.value)


def test_quantity_error_is_a_value_error():
    assert issubclass(QuantityError, ValueError)


def test_human_sizes_are_accepted_for_bytes_only():
    assert parse_bytes("256MB") == 256_000_000
    with pytest.raises(QuantityError):
        parse_cpu("256MB")


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("100m", True),
        ("1.", True),
        (".5", True),
        ("+1", True),
        ("-1Mi", True),
        ("1E", True),
        ("1e-3", True),
        (3, True),
        ("256MB", False),
        ("1e", False),
        (True, False),
        (None, False),
        ({"cpu": 1}, False),
    ],
)
def test_validity_follows_the_kubernetes_grammar(value, valid):
    assert is_valid_quantity(value) is valid


def test_exact_values_compare_without_float_error():
    assert parse_quantity("0.1") * 3 == parse_quantity("300m")
    assert parse_quantity("1Gi") == Decimal(2**30)


@pytest.mark.parametrize(
    ("cores", "text"), [(0.2, "200m"), (0.0121, "13m"), (0.0, "0m"), (1.5, "1500m"), (0.3, "300m")]
)
def test_cpu_prints_as_whole_millicores_rounded_up(cores, text):
    assert format_cpu(cores) == text


@pytest.mark.parametrize(
    ("size", "text"),
    [
        (160432128, "153Mi"),
        (160432128 + 500_000, "153Mi"),
        (2 * 2**30, "2Gi"),
        (2**30 + 1, "1024Mi"),
        (512 * 1024, "512Ki"),
        (100, "100"),
    ],
)
def test_memory_prints_in_mebibytes_like_kubectl_top(size, text):
    assert format_bytes(size) == text
