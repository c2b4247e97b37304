"""Weighted log-odds with a Dirichlet prior: the published outputs of tests/reference/fightin_words.md."""

UNINFORMED_EXAMPLE = {
    "donkey": -0.6894227886807968,
    "lazier": -0.6894227886807968,
    "purple": -0.6894227886807968,
    "jumps": 0.0,
    "lazy": 0.0,
    "over": 0.0,
    "pig": 0.0,
    "the": 0.0,
    "brown": 0.6894227886807968,
    "fox": 0.6894227886807968,
    "quick": 0.6894227886807968,
}
"""fightin_words package README, "Uninformed example" (github.com/Wigder/fightin_words):
``weighted_log_odds_dirichlet(doc1, doc2, prior=.05, cv=CountVectorizer())`` with doc1 = "the
quick brown fox jumps over the lazy pig", doc2 = "the lazy purple pig jumps over the lazier
donkey": z by word, doc1 minus doc2."""

INFORMED_EXAMPLE = {
    "very": -2.2144429606255946,
    "donkey": 0.3528670051726073,
    "purple": 0.3528670051726073,
    "sleepy": 0.3528670051726073,
    "brown": 1.7074955767167836,
    "fox": 1.7074955767167836,
    "quick": 1.7074955767167836,
    "jumps": 3.4564380059373603,
    "lazy": 3.4564380059373603,
    "over": 3.4564380059373603,
    "pig": 3.4564380059373603,
    "the": 4.954523357120953,
}
"""fightin_words package README, "Informed example": the same call with doc2 = "the lazy purple
pig jumps over the " + 1000 * "very " + "sleepy donkey"."""
