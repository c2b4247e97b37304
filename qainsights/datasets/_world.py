"""The simulated moderation operation: sites, queues, policies, markets and their difficulty.

Effects are on the log-odds of an error; shares are of decision volume.
"""

from __future__ import annotations

import numpy as np

BASE_ERROR_RATE = 0.035

#: name, site_type, share of decisions, log-odds effect, markets served
SITES = (
    ("Dublin", "in_house", 0.28, 0.00, ("en-GB", "en-US", "de-DE")),
    ("Austin", "in_house", 0.14, -0.10, ("en-US", "es-MX")),
    ("Manila", "vendor", 0.26, 0.25, ("en-US", "en-PH")),
    ("Hyderabad", "vendor", 0.20, 0.15, ("en-US", "hi-IN")),
    ("Lisbon", "vendor", 0.12, 0.30, ("pt-BR", "es-MX", "de-DE")),
)

#: name, share of decisions, log-odds effect, audit oversampling factor, median handle time (s),
#: share of items that QA judges violating
QUEUES = (
    ("user_reports", 0.40, 0.00, 1.0, 45.0, 0.45),
    ("proactive", 0.30, -0.40, 1.0, 30.0, 0.60),
    ("appeals", 0.12, 0.50, 1.5, 90.0, 0.30),
    ("high_risk", 0.08, 0.80, 3.0, 150.0, 0.70),
    ("ads", 0.10, -0.20, 1.0, 40.0, 0.35),
)

#: name, log-odds effect, probabilities of (over, under, wrong policy) among its errors,
#: probabilities of severity (low, medium, high, critical) among its errors
POLICIES = (
    ("hate_speech", 0.40, (0.30, 0.50, 0.20), (0.15, 0.35, 0.35, 0.15)),
    ("harassment", 0.20, (0.35, 0.45, 0.20), (0.25, 0.40, 0.25, 0.10)),
    ("spam", -0.50, (0.55, 0.35, 0.10), (0.60, 0.30, 0.08, 0.02)),
    ("violence", 0.30, (0.25, 0.55, 0.20), (0.10, 0.25, 0.40, 0.25)),
    ("adult_nudity", -0.20, (0.40, 0.45, 0.15), (0.30, 0.40, 0.20, 0.10)),
    ("misinformation", 0.50, (0.30, 0.40, 0.30), (0.30, 0.40, 0.20, 0.10)),
)

#: policy mix of each queue (rows follow QUEUES, columns follow POLICIES)
QUEUE_POLICY_MIX = np.array(
    [
        [0.25, 0.25, 0.15, 0.15, 0.10, 0.10],
        [0.15, 0.10, 0.35, 0.15, 0.20, 0.05],
        [0.25, 0.25, 0.10, 0.15, 0.10, 0.15],
        [0.35, 0.10, 0.00, 0.40, 0.05, 0.10],
        [0.05, 0.05, 0.60, 0.05, 0.10, 0.15],
    ]
)

#: market log-odds effects (languages with fewer specialist reviewers are harder)
MARKETS = {
    "en-US": 0.0,
    "en-GB": -0.05,
    "en-PH": 0.05,
    "de-DE": 0.10,
    "es-MX": 0.10,
    "pt-BR": 0.15,
    "hi-IN": 0.20,
}

#: enforcement actions and how often each is the right one among violating items
ENFORCEMENT = (("label", 0.15), ("restrict", 0.20), ("remove", 0.60), ("suspend", 0.05))

ROOT_CAUSES = (
    "guideline_misread",
    "missed_context",
    "fatigue",
    "tool_issue",
    "policy_ambiguity",
    "training_gap",
)
#: how often each root cause explains an error that no planted effect caused
ROOT_CAUSE_MIX = np.array([0.32, 0.25, 0.12, 0.08, 0.08, 0.15])
