import pandas as pd
import pytest

from qainsights.audits import pseudonymize

# RFC 4231, HMAC-SHA-256 test case 1: key = 0x0b repeated 20 times, data = "Hi There".
RFC4231_KEY = b"\x0b" * 20
RFC4231_DIGEST = "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"


def test_matches_rfc4231_test_vector():
    frame = pd.DataFrame({"moderator_id": ["Hi There"]})
    out = pseudonymize(frame, "moderator_id", key=RFC4231_KEY, length=64)
    assert out.loc[0, "moderator_id"] == RFC4231_DIGEST


def test_truncation_keeps_the_digest_prefix():
    frame = pd.DataFrame({"auditor_id": ["Hi There", None]})
    out = pseudonymize(frame, ["auditor_id"], key=RFC4231_KEY)
    assert out.loc[0, "auditor_id"] == RFC4231_DIGEST[:12]
    assert pd.isna(out.loc[1, "auditor_id"])


def test_same_id_same_pseudonym_across_columns_and_input_untouched():
    frame = pd.DataFrame({"moderator_id": ["x1", "x2", "x1"], "auditor_id": ["x2", "x2", "x3"]})
    before = frame.copy()
    out = pseudonymize(frame, key="k" * 16)
    assert out.loc[0, "moderator_id"] == out.loc[2, "moderator_id"]
    assert out.loc[1, "moderator_id"] == out.loc[0, "auditor_id"]
    assert not set(out["moderator_id"]) & {"x1", "x2"}
    pd.testing.assert_frame_equal(frame, before)


def test_different_keys_give_unlinkable_pseudonyms():
    frame = pd.DataFrame({"moderator_id": ["x1"]})
    a = pseudonymize(frame, "moderator_id", key="a" * 16)
    b = pseudonymize(frame, "moderator_id", key="b" * 16)
    assert a.loc[0, "moderator_id"] != b.loc[0, "moderator_id"]


def test_numeric_ids_are_hashed_as_text():
    numbers = pseudonymize(pd.DataFrame({"m": [17]}), "m", key=RFC4231_KEY)
    text = pseudonymize(pd.DataFrame({"m": ["17"]}), "m", key=RFC4231_KEY)
    assert numbers.loc[0, "m"] == text.loc[0, "m"]


@pytest.mark.parametrize("key", [None, "short", b"", 12345])
def test_weak_or_missing_key_is_refused(key):
    with pytest.raises(ValueError, match=r"The 'key' parameter of pseudonymize must be a secret"):
        pseudonymize(pd.DataFrame({"m": ["a"]}), "m", key=key)


def test_bad_length_and_missing_column():
    frame = pd.DataFrame({"m": ["a"]})
    with pytest.raises(ValueError, match=r"'length' parameter of pseudonymize must be an integer"):
        pseudonymize(frame, "m", key="k" * 16, length=4)
    with pytest.raises(ValueError, match=r"pseudonymize needs column 'moderator_id' in 'frame'"):
        pseudonymize(frame, "moderator_id", key="k" * 16)
