"""规范星 (norms star, 25 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar import (
    DERIVED,
    AllFlags,
    Item,
    Linear,
    Section,
    count,
    dec,
    edition_hooks,
    flag_item,
    heavy_item,
    item,
    yes_no,
)

EDITION = "shaoxing-2020"
RESPONSIBILITY = "责任机制规范"
ORGANISATION = "组织设置规范"
ORGANISATION_LIFE = "组织生活规范"

SECTION = Section(
    id="norms",
    title="规范星",
    title_en="Norms star",
    group="party_building",
    order=20,
    subtotals=((RESPONSIBILITY, dec(10)), (ORGANISATION, dec(5)), (ORGANISATION_LIFE, dec(10))),
)

LISTS_STANDARD = (
    "建立实施基层党组织书记抓机关党建责任清单并实行联述联评联考制度（6分，制定并公示基层党组织书记个性清单2分，"
    "组织开展基层党组织书记述职评议2分，基层党组织书记责任清单执行到位，效果明显2分）"
)
THREE_MEETINGS_STANDARD = "加强和规范党内政治生活，严格执行\u201c三会一课\u201d（3分，会议2分，党课1分）"
PARTY_WORK_STANDARD = "规范做好发展党员（1分）、党费收缴使用管理（1分）、党内年报（1分）等日常党务工作"

ITEMS: list[Item] = [
    item(
        "norms.reports_heard",
        points=2,
        subtotal=RESPONSIBILITY,
        title="党组（党委）定期研究机关党建工作，督促落实各项任务（班子至少每年听取2次机关党建<老干部工作、群团工作>汇报，每次1分）",
        title_en="The leadership hears reports on party building at least twice a year",
        facts=count(
            "reports_heard",
            "reports on party building heard by the leadership this year",
            doc_zh="班子本年度听取机关党建工作汇报的次数",
            maximum=100,
        ),
        rule=Linear.of((1, "reports_heard")),
    ),
    flag_item(
        "norms.regulation_meeting",
        points=1,
        subtotal=RESPONSIBILITY,
        title="每年至少召开1次会议专题研究党内法规执行工作，将党内法规纳入理论学习和干部教育培训的重要内容",
        title_en="At least one meeting a year on applying party regulations",
    ),
    flag_item(
        "norms.personal_lists",
        points=2,
        subtotal=RESPONSIBILITY,
        title="制定并公示基层党组织书记个性清单",
        title_en="Secretaries' personalised responsibility lists drawn up and published",
        fact="personal_lists_published",
        standard=LISTS_STANDARD,
        owner=DERIVED,
    ),
    flag_item(
        "norms.secretary_review",
        points=2,
        subtotal=RESPONSIBILITY,
        title="组织开展基层党组织书记述职评议",
        title_en="Secretaries report on their duties and are appraised",
        standard=LISTS_STANDARD,
    ),
    flag_item(
        "norms.lists_fulfilled",
        points=2,
        subtotal=RESPONSIBILITY,
        title="基层党组织书记责任清单执行到位，效果明显",
        title_en="Secretaries' responsibility lists carried out, with clear effect",
        standard=LISTS_STANDARD,
        owner=DERIVED,
    ),
    flag_item(
        "norms.annual_plan",
        points=1,
        subtotal=RESPONSIBILITY,
        title="制定党建工作年度计划，不断完善机关党建工作制度",
        title_en="An annual party-building plan and improving rules",
    ),
    flag_item(
        "norms.timely_election",
        points=1,
        subtotal=ORGANISATION,
        title="优化机关党组织设置，按期开展组织换届",
        title_en="Organisations renewed by election on time",
    ),
    flag_item(
        "norms.staffing",
        points=1,
        subtotal=ORGANISATION,
        title="按要求配齐配强机关党组织（离退休党支部）班子和专职党务工作人员",
        title_en="Leadership and full-time party staff complete and strong",
        fact="staffing_complete",
    ),
    flag_item(
        "norms.branch_standard",
        points=2,
        subtotal=ORGANISATION,
        title="严格落实《中国共产党党和国家机关基层组织工作条例》《中国共产党支部工作条例（试行）》，全面推行党支部标准化规范化建设",
        title_en="Standardised branches throughout, under the regulations",
    ),
    flag_item(
        "norms.pioneer_branch",
        points=1,
        subtotal=ORGANISATION,
        title="组织开展\u201c先锋支部\u201d建设，加强分类指导，充分战斗堡垒作用",
        title_en="'Pioneer branch' building",
    ),
    flag_item(
        "norms.three_meetings",
        points=2,
        subtotal=ORGANISATION_LIFE,
        title="严格执行\u201c三会一课\u201d（会议2分）",
        title_en="'Three meetings and one lecture': the meetings",
        standard=THREE_MEETINGS_STANDARD,
    ),
    flag_item(
        "norms.party_lectures",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="严格执行\u201c三会一课\u201d（党课1分）",
        title_en="'Three meetings and one lecture': the party lectures",
        standard=THREE_MEETINGS_STANDARD,
    ),
    item(
        "norms.theme_day",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="支部主题党日（1分，有计划、有落实）",
        title_en="Branch theme party day, planned and held",
        facts=(
            yes_no("theme_day_planned", "theme days planned", doc_zh="支部主题党日有计划"),
            yes_no("theme_day_held", "theme days held as planned", doc_zh="支部主题党日按计划落实"),
        ),
        rule=AllFlags(("theme_day_planned", "theme_day_held")),
    ),
    flag_item(
        "norms.brand_results",
        points=2,
        subtotal=ORGANISATION_LIFE,
        title="提高组织生活质量，提升\u201c五星双优\u201d品牌影响力（有具体成果）",
        title_en="Concrete results raising the 'five stars, two excellences' brand",
    ),
    flag_item(
        "norms.leaders_example",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="党员领导干部带头上党课，以普通党员的身份参加所在支部的组织生活",
        title_en="Leading cadres give party lectures and join branch life as ordinary members",
    ),
    flag_item(
        "norms.recruitment",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="规范做好发展党员",
        title_en="Admitting new members by the rules",
        standard=PARTY_WORK_STANDARD,
    ),
    flag_item(
        "norms.dues",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="党费收缴使用管理",
        title_en="Collecting, using and managing party dues",
        standard=PARTY_WORK_STANDARD,
    ),
    flag_item(
        "norms.annual_statistics",
        points=1,
        subtotal=ORGANISATION_LIFE,
        title="党内年报",
        title_en="The party's annual statistical report",
        standard=PARTY_WORK_STANDARD,
    ),
]

HEAVY = [
    heavy_item(
        "norms.heavy.secretary_vacancy",
        title="有机关党组织书记空缺3个月以上现象",
        title_en="The organ party secretary's post vacant for more than three months",
    ),
    heavy_item(
        "norms.heavy.special_members",
        title="有党员领导干部不上党课、不参加组织生活会，成为\u201c特殊党员\u201d",
        title_en="Leading cadres who give no party lectures and skip organisational life ('special members')",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
