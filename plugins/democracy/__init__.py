"""民主星 (democracy star, 15 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from fivestar import Item, Linear, Section, count, dec, edition_hooks, flag_item, heavy_item, item

EDITION = "shaoxing-2020"
SUPERVISION = "完善党内监督"
EDUCATION = "健全监督教育"
DISCIPLINE = "强化纪律作风"

SECTION = Section(
    id="democracy",
    title="民主星",
    title_en="Democracy star",
    group="party_building",
    order=40,
    subtotals=((SUPERVISION, dec(5)), (EDUCATION, dec(4)), (DISCIPLINE, dec(6))),
)

MEETINGS_STANDARD = "严格执行组织生活会（1分）、民主评议党员制度（0.5分）"
DISCIPLINE_STANDARD = (
    "紧盯各种形式的降低标准、规避变通、隐形变异等\u201c四风\u201d问题，深化运用监督执纪\u201c四种形态\u201d，"
    "无党员干部严重违纪违法情形（出现违纪情形的，主要领导扣1分/人次，其他市管干部扣0.8分/人次，"
    "科级干部扣0.6分/人次，其他党员扣0.5分/人次，扣完为止）"
)

ITEMS: list[Item] = [
    flag_item(
        "democracy.life_meeting",
        points=1,
        subtotal=SUPERVISION,
        title="严格执行组织生活会",
        title_en="Organisational life meetings held strictly",
        standard=MEETINGS_STANDARD,
    ),
    flag_item(
        "democracy.member_appraisal",
        points="0.5",
        subtotal=SUPERVISION,
        title="严格执行民主评议党员制度",
        title_en="Democratic appraisal of members",
        standard=MEETINGS_STANDARD,
    ),
    flag_item(
        "democracy.discipline_officer",
        points="0.5",
        subtotal=SUPERVISION,
        title="配强机关纪检干部",
        title_en="Strong discipline-inspection staff in the organ",
    ),
    flag_item(
        "democracy.discipline_list",
        points="0.5",
        subtotal=SUPERVISION,
        title="履行机关党组织纪检责任清单",
        title_en="The organ party organisation's discipline-inspection responsibility list carried out",
    ),
    flag_item(
        "democracy.deputy_attends",
        points="0.5",
        subtotal=SUPERVISION,
        title="专职副书记列席党委（党组、工委）民主生活会和有关会议",
        title_en="The full-time deputy secretary attends the leadership's democratic life meetings",
    ),
    flag_item(
        "democracy.disclosure",
        points=1,
        subtotal=SUPERVISION,
        title="尊重党员主体地位，落实党务公开有关要求，按规定及时公布党内信息",
        title_en="Party affairs made public; party information published in time",
    ),
    flag_item(
        "democracy.member_rights",
        points=1,
        subtotal=SUPERVISION,
        title="落实党员知情权、参与权、选举权、监督权",
        title_en="Members' rights to know, take part, elect and supervise",
    ),
    item(
        "democracy.conduct",
        points=3,
        subtotal=EDUCATION,
        title="持续开展正风肃纪（3分，在市直机关工委组织的正风肃纪中被通报批评的，每次扣0.5分）",
        title_en="Continuous conduct and discipline campaign (each public criticism deducts 0.5)",
        facts=count(
            "conduct_criticisms",
            "times criticised in the working committee's conduct campaign",
            doc_zh="在工委组织的正风肃纪中被通报批评的次数",
            maximum=100,
        ),
        rule=Linear.of(("-0.5", "conduct_criticisms"), start=3),
        standard="把纪律挺在前面，实践好监督执纪\u201c四种形态\u201d。深化机关作风建设，高标准从严执行中央八项规定实施细则精神，"
        "落实\u201c1+X\u201d监督机制，持续开展正风肃纪（3分，在市直机关工委组织的正风肃纪中被通报批评的，每次扣0.5分）",
    ),
    flag_item(
        "democracy.integrity_education",
        points=1,
        subtotal=EDUCATION,
        title="机关党组织每年至少开展1次党内法规和廉政专题学习、警示教育",
        title_en="At least one session a year on party regulations, integrity and warning education",
    ),
    item(
        "democracy.discipline",
        points=6,
        subtotal=DISCIPLINE,
        title="无党员干部严重违纪违法情形（主要领导扣1分/人次，其他市管干部扣0.8分/人次，科级干部扣0.6分/人次，其他党员扣0.5分/人次，扣完为止）",
        title_en="No serious violations of discipline or law (deductions per person and case by rank)",
        facts=(
            count(
                "violations_main_leader",
                "cases involving the principal leader",
                doc_zh="主要领导严重违纪违法的人次",
                maximum=1000,
            ),
            count(
                "violations_city_cadre",
                "cases involving other city-managed cadres",
                doc_zh="其他市管干部严重违纪违法的人次",
                maximum=1000,
            ),
            count(
                "violations_section_cadre",
                "cases involving section-level cadres",
                doc_zh="科级干部严重违纪违法的人次",
                maximum=1000,
            ),
            count(
                "violations_other", "cases involving other members", doc_zh="其他党员严重违纪违法的人次", maximum=1000
            ),
        ),
        rule=Linear.of(
            (-1, "violations_main_leader"),
            ("-0.8", "violations_city_cadre"),
            ("-0.6", "violations_section_cadre"),
            ("-0.5", "violations_other"),
            start=6,
        ),
        standard=DISCIPLINE_STANDARD,
    ),
]

HEAVY = [
    heavy_item(
        "democracy.heavy.eight_rules",
        title="有违反中央八项规定及实施细则精神的行为",
        title_en="Breaches of the central eight-point rules and their implementing details",
    ),
    heavy_item(
        "democracy.heavy.leadership_violation",
        title="有部门（单位）班子成员严重违纪违法情形",
        title_en="A member of the department's leadership seriously violated discipline or law",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)
