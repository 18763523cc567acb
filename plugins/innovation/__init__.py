"""创新星 (innovation star, 15 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar import Item, Levels, Linear, Section, choice, count, dec, edition_hooks, flag_item, heavy_item, item

EDITION = "shaoxing-2020"
IDEAS = "创新工作理念"
CARRIERS = "创新工作载体"
PLATFORMS = "创新管理平台"

SECTION = Section(
    id="innovation",
    title="创新星",
    title_en="Innovation star",
    group="party_building",
    order=50,
    subtotals=((IDEAS, dec(3)), (CARRIERS, dec(8)), (PLATFORMS, dec(4))),
)

POSITIONS_STANDARD = (
    "按要求建好用好机关党建实体阵地和网络阵地\u201c两大阵地\u201d（2分，建好用好实体阵地1分，建好用好网络阵地1分）"
)
PLATFORMS_STANDARD = (
    "积极探索应用\u201c互联网+\u201d党建，推广应用\u201c智慧党建\u201d管理服务平台和全国党员管理信息系统，"
    "实现智慧学习、智慧管理、智慧服务、智慧互动，提高机关党建信息化、科学化水平"
    "（4分，熟练操作使用\u201c智慧党建\u201d和\u201c全国系统\u201d2分，系统基础信息维护及时准确2分）"
)

ITEMS: list[Item] = [
    flag_item(
        "innovation.research",
        points=2,
        subtotal=IDEAS,
        title="认真研究新时代机关党建工作特点规律，每年有机关党建研究课题，并将成果转化实践",
        title_en="A party-building research topic every year, its results put into practice",
    ),
    flag_item(
        "innovation.info_reports",
        points=1,
        subtotal=IDEAS,
        title="及时总结推广实践中行之有效的经验做法，积极上报机关党建工作信息",
        title_en="Sharing what works and reporting party-building news",
    ),
    flag_item(
        "innovation.party_business",
        points=2,
        subtotal=CARRIERS,
        title="推动党建与中心工作、部门业务深度融合，互促共进（\u201c党建+业务\u201d特色工作2分）",
        title_en="Distinctive 'party building + business' work",
    ),
    flag_item(
        "innovation.physical_position",
        points=1,
        subtotal=CARRIERS,
        title="建好用好实体阵地",
        title_en="Physical party-building sites built and used well",
        standard=POSITIONS_STANDARD,
    ),
    flag_item(
        "innovation.online_position",
        points=1,
        subtotal=CARRIERS,
        title="建好用好网络阵地",
        title_en="Online party-building positions built and used well",
        standard=POSITIONS_STANDARD,
    ),
    item(
        "innovation.station_activities",
        points=2,
        subtotal=CARRIERS,
        title="积极组织党员（离退休党员）利用党员教育联系点、党员驿站开展活动（2分，每次1分）",
        title_en="Activities at member education contact points and member stations (1 each)",
        facts=count(
            "station_activities",
            "activities held at contact points or member stations",
            doc_zh="利用党员教育联系点、党员驿站开展活动的次数",
            maximum=1000,
        ),
        rule=Linear.of((1, "station_activities")),
    ),
    item(
        "innovation.clean_organ",
        points=2,
        subtotal=CARRIERS,
        title="扎实开展\u201c建设清廉机关、创建模范机关\u201d创建，形成工作亮点和特色（2分，开展争创1分，命名1分）",
        title_en="'Clean organs, model organs': took part 1, named 1 more",
        facts=choice(
            "clean_organ",
            ("none", "participated", "named"),
            "none, participated or named",
            doc_zh="“清廉机关、模范机关”创建情况",
        ),
        rule=Levels.of("clean_organ", none=0, participated=1, named=2),
    ),
    flag_item(
        "innovation.platform_use",
        points=2,
        subtotal=PLATFORMS,
        title="熟练操作使用\u201c智慧党建\u201d和\u201c全国系统\u201d",
        title_en="Skilled use of the 'smart party building' platform and the national system",
        standard=PLATFORMS_STANDARD,
    ),
    flag_item(
        "innovation.platform_data",
        points=2,
        subtotal=PLATFORMS,
        title="系统基础信息维护及时准确",
        title_en="The systems' basic data kept up to date and accurate",
        standard=PLATFORMS_STANDARD,
    ),
]

HEAVY = [
    heavy_item(
        "innovation.heavy.outdated_conduct",
        title="有不适合新时代全面从严治党的认识和行为",
        title_en="Views and conduct unfit for strict party governance in the new era",
    ),
    heavy_item(
        "innovation.heavy.platform_error",
        title="出现党建管理服务系统平台使用出现重大差错的现象",
        title_en="A serious error in using the party-building management platforms",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
