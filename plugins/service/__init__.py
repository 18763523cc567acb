"""服务星 (service star, 20 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar import Choice, Item, Levels, Linear, Section, count, dec, edition_hooks, fact, flag_item, heavy_item, item

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
        points=1,
        subtotal=CENTRE,
        title="深化\u201c先锋工程\u201d建设，参与\u201c先锋工程\u201d争创",
        title_en="Taking part in the 'Vanguard project'",
        standard=VANGUARD_STANDARD,
    ),
    flag_item(
        "service.centre_activities",
        points=1,
        subtotal=CENTRE,
        title="大力推进\u201c三服务\u201d活动等中心工作，开展各类服务中心活动",
        title_en="Activities serving the organisation's central work",
        standard=VANGUARD_STANDARD,
    ),
    item(
        "service.top_ten_brand",
        points=2,
        subtotal=CENTRE,
        title="按照\u201c五有\u201d要求，参与\u201c十佳\u201d党建服务品牌争创，提升品牌影响力（2分，参与争创1分，入选1分）",
        title_en="'Top ten' party-service brands: took part 1, selected 1 more",
        facts=fact("top_ten_brand", GRADES, "none, participated or selected", doc_zh="“十佳”党建服务品牌争创情况"),
        rule=Levels.of("top_ten_brand", none=0, participated=1, selected=2),
    ),
    item(
        "service.three_best",
        points=2,
        subtotal=CENTRE,
        title="深入开展\u201c三个最佳\u201d培育晒比（2分，参与争创1分，入选1分）",
        title_en="'Three bests' showcase: took part 1, selected 1 more",
        facts=fact("three_best", GRADES, "none, participated or selected", doc_zh="“三个最佳”培育晒比情况"),
        rule=Levels.of("three_best", none=0, participated=1, selected=2),
    ),
    flag_item(
        "service.three_services",
        points=2,
        subtotal=GRASSROOTS,
        title="组织党员干部深入开展\u201c三服务\u201d活动",
        title_en="Members and cadres carry out the 'three services'",
    ),
    flag_item(
        "service.rural_pairing",
        points=1,
        subtotal=GRASSROOTS,
        title="农村结对帮扶工作机制健全，活动经常",
        title_en="Pairing with villages: working mechanism and regular activity",
    ),
    flag_item(
        "service.community_pairing",
        points=1,
        subtotal=GRASSROOTS,
        title="社区结对共建工作机制健全，活动经常",
        title_en="Pairing with communities: working mechanism and regular activity",
    ),
    flag_item(
        "service.hometown_visits",
        points=1,
        subtotal=GRASSROOTS,
        title="大兴调查研究之风，深入开展\u201c返乡走亲\u201d活动",
        title_en="'Visiting home towns' to investigate and study",
    ),
    flag_item(
        "service.volunteering",
        points=1,
        subtotal=GRASSROOTS,
        title="深入开展志愿服务活动",
        title_en="Volunteer service",
    ),
    flag_item(
        "service.care_visits",
        points=1,
        subtotal=STAFF,
        title="开展党员干部职工走访、慰问",
        title_en="Visiting and caring for members, cadres and staff",
        standard=CARE_STANDARD,
    ),
    flag_item(
        "service.mutual_insurance",
        points=1,
        subtotal=STAFF,
        title="参加在职职工互助保障",
        title_en="Taking part in the staff mutual-aid insurance",
        standard=CARE_STANDARD,
    ),
    flag_item(
        "service.recuperation",
        points=1,
        subtotal=STAFF,
        title="按规定落实职工疗休养制度",
        title_en="Staff recuperation leave as the rules require",
    ),
    flag_item(
        "service.mass_org_elections",
        points=1,
        subtotal=STAFF,
        title="机关群团组织健全、按时换届",
        title_en="Mass organisations complete and renewed on time",
        standard=MASS_ORG_STANDARD,
    ),
    flag_item(
        "service.mass_org_finance",
        points=1,
        subtotal=STAFF,
        title="机关群团组织经费收支规范",
        title_en="Mass organisations' accounts in order",
        standard=MASS_ORG_STANDARD,
    ),
    item(
        "service.four_seasons",
        points=3,
        subtotal=STAFF,
        title="积极参与机关工会联合会组织\u201c四季有你\u201d等文体活动（3分，未按要求参加每次扣0.5分）",
        title_en="'Four seasons with you' and other cultural and sports events (each absence deducts 0.5)",
        facts=count(
            "four_seasons_misses",
            "events not attended as required",
            doc_zh="未按要求参加“四季有你”等文体活动的次数",
            maximum=100,
        ),
        rule=Linear.of(("-0.5", "four_seasons_misses"), start=3),
    ),
]

HEAVY = [
    heavy_item(
        "service.heavy.complaints",
        title="有因党员干部主观原因引发服务对象投诉的情形",
        title_en="Complaints from those served, caused by members' or cadres' own fault",
    ),
    heavy_item(
        "service.heavy.inaction",
        title="有机关党员不作为、乱作为、\u201c中梗阻\u201d等突出问题",
        title_en="Members failing to act, acting wrongly or obstructing ('blockage in the middle')",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
