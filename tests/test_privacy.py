"""Masking of personal data."""

from dashboard.privacy import mask_name, mask_phone


def test_names_are_masked_unless_revealed():
    assert mask_name("张三丰") == "张**"
    assert mask_name("李") == "李*"
    assert mask_name("王芳", reveal=True) == "王芳"
    assert mask_name(None) == ""


def test_phones_keep_only_prefix_and_last_four():
    assert mask_phone("13912345678") == "139****5678"
    assert mask_phone("13912345678", reveal=True) == "13912345678"
    assert mask_phone("12345") == "*****"
