"""市财政局的个性项目: an item of the innovation star that applies to the
finance bureau's organisation only. For every other organisation it is
不适用: not scored, not in its maximum, no missing-fact warning."""

from fivestar import flag_item, hookimpl, scope

SCOPE = scope(organisations=["sx-finance"])
"""Every item of this plugin applies to 市财政局 only."""


@hookimpl
def assess_items(edition):
    if edition != "shaoxing-2020":
        return []
    return [
        flag_item(
            "innovation.budget_party_building",
            points=2,
            subtotal="创新工作载体",
            title="个性项目：党建引领预算绩效管理改革，形成可复制的经验做法",
            title_en="Own item: party building leads the reform of budget performance management",
        ),
    ]
