"""Keyed pseudonyms for people's identifiers, so a report can leave the team."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

import pandas as pd

from .._caller import public
from .._compat import STR
from .._validation import as_column_list, check_columns, check_frame

_MIN_KEY_BYTES = 16


@public
def pseudonymize(
    frame: pd.DataFrame,
    columns: str | Sequence[str] = ("moderator_id", "auditor_id"),
    key: str | bytes | None = None,
    *,
    length: int = 12,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with identifiers replaced by keyed hashes (HMAC-SHA256).

    The same identifier and key always give the same pseudonym, in every column and every
    report, so tables stay joinable; without the key, pseudonyms cannot be reversed or
    recomputed from a list of candidate identifiers. Missing values stay missing. Hashing is
    done once per distinct identifier.

    Parameters
    ----------
    frame : DataFrame
        The table; it is not modified.
    columns : str or list of str, default ("moderator_id", "auditor_id")
        The identifier columns to replace.
    key : str or bytes
        A secret of at least 16 bytes, kept outside the report (e.g. in a secrets manager).
    length : int, default 12
        Hex characters kept from each digest (8 to 64); 12 gives 48 bits, ample for
        distinguishing thousands of people.

    Returns
    -------
    DataFrame
        A copy with the listed columns replaced by pseudonyms.

    References
    ----------
    Krawczyk, Bellare & Canetti (1997). HMAC: Keyed-Hashing for Message Authentication. RFC 2104.

    Examples
    --------
    >>> import pandas as pd
    >>> staff = pd.DataFrame({"moderator_id": ["alice", "bob", "alice"]})
    >>> out = pseudonymize(staff, "moderator_id", key="a-long-secret-key-0123")
    >>> out["moderator_id"].nunique(), out.loc[0, "moderator_id"] == out.loc[2, "moderator_id"]
    (2, True)
    >>> staff["moderator_id"].tolist()
    ['alice', 'bob', 'alice']
    """
    check_frame(frame, name="frame")
    names = as_column_list(columns)
    check_columns(frame, names, param="frame")
    secret = _check_key(key)
    if isinstance(length, bool) or not isinstance(length, int) or not 8 <= length <= 64:
        raise ValueError(
            "The 'length' parameter of pseudonymize must be an integer from 8 to 64. "
            f"Got {length!r} instead."
        )
    out = frame.copy()
    for name in names:
        values = frame[name]
        distinct = pd.unique(values.dropna().astype(STR))
        table = {
            v: hmac.new(secret, v.encode(), hashlib.sha256).hexdigest()[:length] for v in distinct
        }
        out[name] = values.astype(STR).map(table).where(values.notna()).astype(STR)
    return out


def _check_key(key: str | bytes | None) -> bytes:
    secret = key.encode() if isinstance(key, str) else key
    if not isinstance(secret, bytes) or len(secret) < _MIN_KEY_BYTES:
        raise ValueError(
            f"The 'key' parameter of pseudonymize must be a secret of at least {_MIN_KEY_BYTES} "
            f"bytes (str or bytes). Got {'no key' if key is None else 'a shorter or other value'}"
            " instead. Generate one with secrets.token_hex(32) and keep it out of the report."
        )
    return secret
