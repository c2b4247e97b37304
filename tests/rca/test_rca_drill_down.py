import numpy as np
import pandas as pd
import pytest
from rca_data import random_audits
from statsmodels.stats.proportion import proportion_confint

from qainsights.rca import drill_down

PATH = ["site", "queue", "policy"]


@pytest.fixture(scope="module")
def audits():
    return random_audits()


@pytest.fixture(scope="module")
def tree(audits):
    return drill_down(audits, path=PATH)


def test_root_holds_every_audit(audits, tree):
    root = tree.iloc[0]
    assert (root["depth"], root["node"]) == (0, "All audits")
    assert root["n"] == len(audits)
    assert root["errors"] == audits["is_error"].sum()
    assert pd.isna(root["parent"])


def test_children_reconcile_with_their_parent(tree):
    children = tree[tree["depth"] > 0].groupby("parent")[["n", "errors"]].sum()
    parents = tree.set_index("node").loc[children.index, ["n", "errors"]]
    pd.testing.assert_frame_equal(children, parents, check_names=False)
    for depth in range(4):
        level = tree[tree["depth"] == depth]
        assert level["n"].sum() == tree["n"].iloc[0]
        assert level["share_of_errors"].sum() == pytest.approx(1.0)


def test_leaves_match_a_group_by_and_statsmodels_wilson(audits, tree):
    leaves = tree[tree["depth"] == 3].set_index(PATH)
    counts = audits.groupby(PATH)["is_error"].agg(["size", "sum"])
    np.testing.assert_array_equal(leaves["n"], counts["size"].reindex(leaves.index))
    np.testing.assert_array_equal(leaves["errors"], counts["sum"].reindex(leaves.index))
    low, high = proportion_confint(leaves["errors"], leaves["n"], method="wilson")
    np.testing.assert_allclose(leaves["ci_low"], low, atol=1e-12)
    np.testing.assert_allclose(leaves["ci_high"], high, atol=1e-12)


def test_depth_first_order_and_node_names(tree):
    position = {node: i for i, node in enumerate(tree["node"])}
    assert all(position[p] < i for i, p in enumerate(tree["parent"]) if pd.notna(p))
    assert tree["node"].iloc[1] == "Austin"
    assert tree["node"].iloc[2] == "Austin / ads"
    assert tree["node"].iloc[3] == "Austin / ads / hate_speech"
    assert tree["parent"].iloc[3] == "Austin / ads"
    assert tree.loc[1, ["queue", "policy"]].isna().all()
    assert tree["node"].is_unique


def test_excess_errors_of_siblings_add_up_to_zero(tree):
    # sum_i (e_i - n_i p) = E - N p = 0 when p = E / N is the parent's rate.
    sums = tree[tree["depth"] > 0].groupby("parent")["excess_errors"].sum()
    np.testing.assert_allclose(sums, 0.0, atol=1e-9)
    child = tree.iloc[1]
    assert child["excess_errors"] == pytest.approx(
        child["errors"] - child["n"] * tree["rate"].iloc[0]
    )


def test_weighted_tree_reconciles(audits):
    tree = drill_down(audits, path=["site", "queue"], weight="weight", strata="stratum")
    children = tree[tree["depth"] > 0].groupby("parent")["weighted_errors"].sum()
    parents = tree.set_index("node").loc[children.index, "weighted_errors"]
    np.testing.assert_allclose(children, parents)
    assert tree["weighted_n"].iloc[0] == pytest.approx(audits["weight"].sum())


def test_one_dimension(audits):
    tree = drill_down(audits, path="site")
    assert tree["depth"].tolist() == [0, 1, 1, 1]
    assert tree["parent"].iloc[1:].eq("All audits").all()


def test_input_is_not_modified(audits):
    before = audits.copy()
    drill_down(audits, path=PATH)
    pd.testing.assert_frame_equal(audits, before)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"path": []},
            r"The 'path' parameter of drill_down must name one or more distinct columns",
        ),
        (
            {"path": ["site", "site"]},
            "The .path. parameter of drill_down must name distinct columns",
        ),
        ({"path": ["vendor"]}, "error_rate needs column 'vendor' in 'audits'"),
        ({"method": "exact"}, "The 'method' parameter of error_rate must be one of"),
    ],
)
def test_bad_arguments(audits, kwargs, message):
    with pytest.raises(ValueError, match=message):
        drill_down(audits, **kwargs)


def test_not_a_frame():
    with pytest.raises(TypeError, match="The 'audits' parameter of drill_down must be a pandas"):
        drill_down({"site": ["a"]})


def test_empty_frame_is_refused(audits):
    with pytest.raises(ValueError, match="error_rate got no audits: 'audits' has 0 rows"):
        drill_down(audits.iloc[:0])


def test_clustered_tree_takes_each_depth_from_error_rate_with_the_clusters(audits):
    # error_rate's clustered intervals are checked against R's survey package
    # (tests/reference/rates.md); the tree must carry them node by node
    from qainsights import error_rate

    moderators = np.random.default_rng(5).integers(0, 40, len(audits))
    audits = audits.assign(moderator_id=moderators)
    tree = drill_down(audits, path=["site", "queue"], cluster="moderator_id")
    root = error_rate(audits, cluster="moderator_id")
    sites = error_rate(audits, by="site", cluster="moderator_id")
    assert tree.loc[0, ["rate", "ci_low", "ci_high", "n_eff"]].tolist() == pytest.approx(
        root.loc[0, ["rate", "ci_low", "ci_high", "n_eff"]].tolist()
    )
    depth_one = tree[tree["depth"] == 1].sort_values("site").reset_index(drop=True)
    for column in ("rate", "ci_low", "ci_high", "n_eff"):
        assert depth_one[column].to_numpy() == pytest.approx(sites[column].to_numpy())
