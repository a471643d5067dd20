from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from clearance.models import PostalOperator
from postal.models import ApiKey, hash_api_key


@pytest.mark.django_db
def test_it_creates_an_operator_and_prints_its_key_once():
    out = StringIO()
    call_command("create_operator", "BH Pošta", "--code", "BHPOST", "--country", "ba", stdout=out)

    raw_key = out.getvalue().strip().splitlines()[-1]
    operator = PostalOperator.objects.get(code="BHPOST")
    assert operator.country == "BA"
    api_key = ApiKey.objects.get(operator=operator)
    assert api_key.key_hash == hash_api_key(raw_key)
    assert not ApiKey.objects.filter(key_hash=raw_key).exists()
    assert raw_key.startswith(api_key.prefix)


@pytest.mark.django_db
def test_it_refuses_a_duplicate_code():
    call_command("create_operator", "Demo", "--code", "DUP", stdout=StringIO())
    with pytest.raises(CommandError, match="code"):
        call_command("create_operator", "Demo again", "--code", "DUP", stdout=StringIO())
