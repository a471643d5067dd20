import pytest

from core import s10


def test_it_computes_the_published_check_digit():
    assert s10.check_digit("47312482") == 9
    assert s10.check_digit("12345678") == 5


@pytest.mark.parametrize("item_id", ["RB123456785GB", "LX806576725TW"])
def test_it_accepts_valid_ids(item_id):
    assert s10.is_valid(item_id)


@pytest.mark.parametrize("item_id", ["RB123456786US", "RB12345678GB", "rb123456785gb", "RB1234567850GB", ""])
def test_it_rejects_invalid_ids(item_id):
    assert not s10.is_valid(item_id)


def test_it_maps_remainders_ten_and_eleven():
    # Serials whose weighted sum is 0 mod 11 give 11 -> 5; 1 mod 11 gives 10 -> 0.
    assert s10.check_digit("00000000") == 5
    assert s10.check_digit("10000001") == {10: 0, 11: 5}.get(11 - (8 + 7) % 11, 11 - (8 + 7) % 11)


def test_make_builds_valid_ids():
    assert s10.make("RB", 12345678, "GB") == "RB123456785GB"
    assert s10.is_valid(s10.make("CP", 1, "CN"))
