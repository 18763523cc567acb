"""规范星 (norms star, 25 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar.declare import count, edition_hooks, flag_item, item, yes_no
from fivestar.facts import DERIVED
from fivestar.model import HeavyItem, Item, Section
from fivestar.numbers import dec
from fivestar.rules import AllFlags, Linear

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
        "党组（党委）定期研究机关党建工作，督促落实各项任务（班子至少每年听取2次机关党建<老干部工作、群团工作>汇报，每次1分）",
        "The leadership hears reports on party building at least twice a year",
        2,
        (count("reports_heard", "reports on party building heard by the leadership this year"),),
        Linear.of((1, "reports_heard")),
        RESPONSIBILITY,
    ),
    flag_item(
        "norms.regulation_meeting",
        "每年至少召开1次会议专题研究党内法规执行工作，将党内法规纳入理论学习和干部教育培训的重要内容",
        "At least one meeting a year on applying party regulations",
        1,
        "regulation_meeting",
        RESPONSIBILITY,
    ),
    flag_item(
        "norms.personal_lists",
        "制定并公示基层党组织书记个性清单",
        "Secretaries' personalised responsibility lists drawn up and published",
        2,
        "personal_lists_published",
        RESPONSIBILITY,
        LISTS_STANDARD,
        owner=DERIVED,
    ),
    flag_item(
        "norms.secretary_review",
        "组织开展基层党组织书记述职评议",
        "Secretaries report on their duties and are appraised",
        2,
        "secretary_review",
        RESPONSIBILITY,
        LISTS_STANDARD,
    ),
    flag_item(
        "norms.lists_fulfilled",
        "基层党组织书记责任清单执行到位，效果明显",
        "Secretaries' responsibility lists carried out, with clear effect",
        2,
        "lists_fulfilled",
        RESPONSIBILITY,
        LISTS_STANDARD,
        owner=DERIVED,
    ),
    flag_item(
        "norms.annual_plan",
        "制定党建工作年度计划，不断完善机关党建工作制度",
        "An annual party-building plan and improving rules",
        1,
        "annual_plan",
        RESPONSIBILITY,
    ),
    flag_item(
        "norms.timely_election",
        "优化机关党组织设置，按期开展组织换届",
        "Organisations renewed by election on time",
        1,
        "timely_election",
        ORGANISATION,
    ),
    flag_item(
        "norms.staffing",
        "按要求配齐配强机关党组织（离退休党支部）班子和专职党务工作人员",
        "Leadership and full-time party staff complete and strong",
        1,
        "staffing_complete",
        ORGANISATION,
    ),
    flag_item(
        "norms.branch_standard",
        "严格落实《中国共产党党和国家机关基层组织工作条例》《中国共产党支部工作条例（试行）》，全面推行党支部标准化规范化建设",
        "Standardised branches throughout, under the regulations",
        2,
        "branch_standard",
        ORGANISATION,
    ),
    flag_item(
        "norms.pioneer_branch",
        "组织开展\u201c先锋支部\u201d建设，加强分类指导，充分战斗堡垒作用",
        "'Pioneer branch' building",
        1,
        "pioneer_branch",
        ORGANISATION,
    ),
    flag_item(
        "norms.three_meetings",
        "严格执行\u201c三会一课\u201d（会议2分）",
        "'Three meetings and one lecture': the meetings",
        2,
        "three_meetings",
        ORGANISATION_LIFE,
        THREE_MEETINGS_STANDARD,
    ),
    flag_item(
        "norms.party_lectures",
        "严格执行\u201c三会一课\u201d（党课1分）",
        "'Three meetings and one lecture': the party lectures",
        1,
        "party_lectures",
        ORGANISATION_LIFE,
        THREE_MEETINGS_STANDARD,
    ),
    item(
        "norms.theme_day",
        "支部主题党日（1分，有计划、有落实）",
        "Branch theme party day, planned and held",
        1,
        (
            yes_no("theme_day_planned", "theme days planned"),
            yes_no("theme_day_held", "theme days held as planned"),
        ),
        AllFlags(("theme_day_planned", "theme_day_held")),
        ORGANISATION_LIFE,
    ),
    flag_item(
        "norms.brand_results",
        "提高组织生活质量，提升\u201c五星双优\u201d品牌影响力（有具体成果）",
        "Concrete results raising the 'five stars, two excellences' brand",
        2,
        "brand_results",
        ORGANISATION_LIFE,
    ),
    flag_item(
        "norms.leaders_example",
        "党员领导干部带头上党课，以普通党员的身份参加所在支部的组织生活",
        "Leading cadres give party lectures and join branch life as ordinary members",
        1,
        "leaders_example",
        ORGANISATION_LIFE,
    ),
    flag_item(
        "norms.recruitment",
        "规范做好发展党员",
        "Admitting new members by the rules",
        1,
        "recruitment",
        ORGANISATION_LIFE,
        PARTY_WORK_STANDARD,
    ),
    flag_item(
        "norms.dues",
        "党费收缴使用管理",
        "Collecting, using and managing party dues",
        1,
        "dues",
        ORGANISATION_LIFE,
        PARTY_WORK_STANDARD,
    ),
    flag_item(
        "norms.annual_statistics",
        "党内年报",
        "The party's annual statistical report",
        1,
        "annual_statistics",
        ORGANISATION_LIFE,
        PARTY_WORK_STANDARD,
    ),
]

HEAVY = [
    HeavyItem(
        "norms.heavy.secretary_vacancy",
        "norms",
        "有机关党组织书记空缺3个月以上现象",
        "The organ party secretary's post vacant for more than three months",
    ),
    HeavyItem(
        "norms.heavy.special_members",
        "norms",
        "有党员领导干部不上党课、不参加组织生活会，成为\u201c特殊党员\u201d",
        "Leading cadres who give no party lectures and skip organisational life ('special members')",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
