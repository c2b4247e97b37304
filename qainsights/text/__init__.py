"""Qualitative QA data: auditors' comments, appeal reasons and disputed items as terms and themes.

:func:`tokenize` and :func:`term_matrix` turn comments into sparse term counts;
:func:`distinctive_terms` finds the words and phrases over-represented in one group of comments
against another, with a test; :func:`rising_terms` does so for every period against the one
before and :func:`terms_by_group` for every group against the rest; :func:`comment_themes` finds unsupervised themes (TF-IDF and NMF, with the ``text`` extra);
:func:`mask_text` and :func:`snippet` make untrusted text safe to show.
"""

from .groups import terms_by_group
from .logodds import DistinctiveTerms, distinctive_terms, log_odds_z
from .periods import rising_terms
from .redact import mask_text, snippet
from .summary import CommentSummary, comment_summary
from .themes import CommentThemes, comment_themes
from .tokens import ENGLISH_STOP_WORDS, TermMatrix, term_matrix, tokenize

__all__ = [
    "ENGLISH_STOP_WORDS",
    "CommentSummary",
    "CommentThemes",
    "DistinctiveTerms",
    "TermMatrix",
    "comment_summary",
    "comment_themes",
    "distinctive_terms",
    "log_odds_z",
    "mask_text",
    "rising_terms",
    "snippet",
    "term_matrix",
    "terms_by_group",
    "tokenize",
]
