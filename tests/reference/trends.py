"""Trends: the published values of tests/reference/trends.md.

The decomposition's effects are derived by hand in the note and the test; the period
comparisons are checked against statsmodels and scipy at test time.
"""

DAS_GUPTA_TABLE_2_1 = {
    "black": {"earnings_per_earner": 10930, "share_earning": 0.717892},
    "white": {"earnings_per_earner": 16591, "share_earning": 0.825974},
}
"""Das Gupta, P. (1993), *Standardization and Decomposition of Rates: A User's Manual*, US Bureau
of the Census, Current Population Reports P23-186, Table 2.1: mean earnings of black and white
men aged 18 and over, US 1980, as earnings per earner times the share earning (as reproduced in
the DasGuptR R package's README, example ``eg2.1``)."""
