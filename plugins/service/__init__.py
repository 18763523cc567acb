"""服务星 (service star, 20 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar.declare import count, edition_hooks, flag_item, item
from fivestar.facts import Choice, FactSpec
from fivestar.model import HeavyItem, Item, Section
from fivestar.numbers import dec
from fivestar.rules import Levels, Linear

EDITION = "shaoxing-2020"
CENTRE = "服务中心有成效"
GRASSROOTS = "服务基层有举措"
STAFF = "服务干部职工有机制"

GRADES = Choice(("none", "participated", "selected"))
"""参与争创1分，入选1分: ``participated`` earns the first point, ``selected`` both."""

SECTION = Section(
    id="service",
    title="服务星",
    title_en="Service star",
    group="party_building",
    order=30,
    subtotals=((CENTRE, dec(6)), (GRASSROOTS, dec(6)), (STAFF, dec(8))),
)

VANGUARD_STANDARD = (
    "深化\u201c先锋工程\u201d建设，引导机关党员立足岗位亮旗争先，发挥好离退休干部作用，大力推进\u201c三服务\u201d活动等中心工作"
    "（2分，参与\u201c先锋工程\u201d争创1分，开展各类服务中心活动1分）"
)
CARE_STANDARD = "认真落实党员干部职工激励关怀帮扶制度（2分，开展党员干部职工走访、慰问1分，参加在职职工互助保障1分）"
MASS_ORG_STANDARD = "充分发挥机关群团组织作用（2分，组织健全、按时换届1分；经费收支规范1分）"

ITEMS: list[Item] = [
    flag_item(
        "service.vanguard",
        "深化\u201c先锋工程\u201d建设，参与\u201c先锋工程\u201d争创",
        "Taking part in the 'Vanguard project'",
        1,
        "vanguard",
        CENTRE,
        VANGUARD_STANDARD,
    ),
    flag_item(
        "service.centre_activities",
        "大力推进\u201c三服务\u201d活动等中心工作，开展各类服务中心活动",
        "Activities serving the organisation's central work",
        1,
        "centre_activities",
        CENTRE,
        VANGUARD_STANDARD,
    ),
    item(
        "service.top_ten_brand",
        "按照\u201c五有\u201d要求，参与\u201c十佳\u201d党建服务品牌争创，提升品牌影响力（2分，参与争创1分，入选1分）",
        "'Top ten' party-service brands: took part 1, selected 1 more",
        2,
        (FactSpec("top_ten_brand", GRADES, "none, participated or selected"),),
        Levels.of("top_ten_brand", none=0, participated=1, selected=2),
        CENTRE,
    ),
    item(
        "service.three_best",
        "深入开展\u201c三个最佳\u201d培育晒比（2分，参与争创1分，入选1分）",
        "'Three bests' showcase: took part 1, selected 1 more",
        2,
        (FactSpec("three_best", GRADES, "none, participated or selected"),),
        Levels.of("three_best", none=0, participated=1, selected=2),
        CENTRE,
    ),
    flag_item(
        "service.three_services",
        "组织党员干部深入开展\u201c三服务\u201d活动",
        "Members and cadres carry out the 'three services'",
        2,
        "three_services",
        GRASSROOTS,
    ),
    flag_item(
        "service.rural_pairing",
        "农村结对帮扶工作机制健全，活动经常",
        "Pairing with villages: working mechanism and regular activity",
        1,
        "rural_pairing",
        GRASSROOTS,
    ),
    flag_item(
        "service.community_pairing",
        "社区结对共建工作机制健全，活动经常",
        "Pairing with communities: working mechanism and regular activity",
        1,
        "community_pairing",
        GRASSROOTS,
    ),
    flag_item(
        "service.hometown_visits",
        "大兴调查研究之风，深入开展\u201c返乡走亲\u201d活动",
        "'Visiting home towns' to investigate and study",
        1,
        "hometown_visits",
        GRASSROOTS,
    ),
    flag_item(
        "service.volunteering",
        "深入开展志愿服务活动",
        "Volunteer service",
        1,
        "volunteering",
        GRASSROOTS,
    ),
    flag_item(
        "service.care_visits",
        "开展党员干部职工走访、慰问",
        "Visiting and caring for members, cadres and staff",
        1,
        "care_visits",
        STAFF,
        CARE_STANDARD,
    ),
    flag_item(
        "service.mutual_insurance",
        "参加在职职工互助保障",
        "Taking part in the staff mutual-aid insurance",
        1,
        "mutual_insurance",
        STAFF,
        CARE_STANDARD,
    ),
    flag_item(
        "service.recuperation",
        "按规定落实职工疗休养制度",
        "Staff recuperation leave as the rules require",
        1,
        "recuperation",
        STAFF,
    ),
    flag_item(
        "service.mass_org_elections",
        "机关群团组织健全、按时换届",
        "Mass organisations complete and renewed on time",
        1,
        "mass_org_elections",
        STAFF,
        MASS_ORG_STANDARD,
    ),
    flag_item(
        "service.mass_org_finance",
        "机关群团组织经费收支规范",
        "Mass organisations' accounts in order",
        1,
        "mass_org_finance",
        STAFF,
        MASS_ORG_STANDARD,
    ),
    item(
        "service.four_seasons",
        "积极参与机关工会联合会组织\u201c四季有你\u201d等文体活动（3分，未按要求参加每次扣0.5分）",
        "'Four seasons with you' and other cultural and sports events (each absence deducts 0.5)",
        3,
        (count("four_seasons_misses", "events not attended as required"),),
        Linear.of(("-0.5", "four_seasons_misses"), start=3),
        STAFF,
    ),
]

HEAVY = [
    HeavyItem(
        "service.heavy.complaints",
        "service",
        "有因党员干部主观原因引发服务对象投诉的情形",
        "Complaints from those served, caused by members' or cadres' own fault",
    ),
    HeavyItem(
        "service.heavy.inaction",
        "service",
        "有机关党员不作为、乱作为、\u201c中梗阻\u201d等突出问题",
        "Members failing to act, acting wrongly or obstructing ('blockage in the middle')",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
