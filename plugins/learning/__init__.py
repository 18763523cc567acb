"""学习星 (learning star, 25 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from decimal import Decimal

from fivestar import (
    ZERO,
    Basis,
    Custom,
    Item,
    Linear,
    Policy,
    ScoringContext,
    Section,
    Values,
    Words,
    choice_policy,
    count,
    dec,
    edition_hooks,
    flag_item,
    heavy_item,
    hookimpl,
    item,
    show,
    yes_no,
)

EDITION = "shaoxing-2020"
CONTENT = "明确学习教育内容"
SYSTEM = "执行学习教育制度"
TRAINING = "加强学习教育培训"
ONE, THREE = dec(1), dec(3)

SECTION = Section(
    id="learning",
    title="学习星",
    title_en="Learning star",
    group="party_building",
    order=10,
    subtotals=((CONTENT, dec(10)), (SYSTEM, dec(7)), (TRAINING, dec(8))),
)


def study_hours(values: Values, context: ScoringContext) -> tuple[Decimal, Basis]:
    """落实学时制度 (3 points) under the ``study_hours`` policy."""
    member, leader, xuexi = values["member_hours_met"], values["leader_hours_met"], values["xuexi_promoted"]
    split = context.policy("study_hours") == "hours-split"
    if split:
        raw = Decimal(member + leader + xuexi)
    else:
        raw = (THREE if member and leader else ZERO) - (ZERO if xuexi else ONE)

    def basis(words: Words) -> str:
        facts = (("member_hours_met", member), ("leader_hours_met", leader), ("xuexi_promoted", xuexi))
        shown = words.phrase("list", ", ").join(f"{words.fact(name)} = {words.value(value)}" for name, value in facts)
        colon = words.phrase("colon", ": ")
        if split:
            return shown + colon + words.phrase("hours_split", "1 + 1 + 1 per true fact = {raw}", raw=raw)
        return (
            shown
            + colon
            + words.phrase("all_or_nothing", "3 if both hours met, −1 if 学习强国 not promoted = {raw}", raw=show(raw))
        )

    return raw, basis


ITEMS: list[Item] = [
    flag_item(
        "learning.political_priority",
        points=1,
        subtotal=CONTENT,
        title="突出党的政治建设，学懂弄通做实习近平新时代中国特色社会主义思想作为首要任务",
        title_en="Political building first; Xi Jinping Thought as the first task",
    ),
    flag_item(
        "learning.initial_mission_system",
        points=1,
        subtotal=CONTENT,
        title="建立\u201c不忘初心、牢记使命\u201d的制度",
        title_en="A standing system for 'stay true to the original aspiration'",
    ),
    flag_item(
        "learning.party_regulations",
        points=2,
        subtotal=CONTENT,
        title="学习贯彻《中国共产党党和国家机关基层组织工作条例》等党内法规",
        title_en="Study and apply the Regulations on basic organisations and other party rules",
    ),
    item(
        "learning.conveyed",
        points=3,
        subtotal=CONTENT,
        title="及时学习中央、省委、市委重要会议和文件精神（每半年报送1次，每次1.5分，未落实的每项扣0.2分）",
        title_en="Timely study of central, provincial and municipal meetings and documents",
        facts=(
            count(
                "halfyear_reports",
                "half-yearly reports filed (0..2)",
                doc_zh="每半年报送开展情况的次数（0–2）",
                maximum=2,
            ),
            count("unimplemented", "decisions not implemented", doc_zh="上级决策部署未落实的项数", maximum=100),
        ),
        rule=Linear.of(("1.5", "halfyear_reports"), ("-0.2", "unimplemented")),
        standard="确保上级决策部署传达贯彻到每名党员（3分，每半年报送1次开展情况，每次1.5分，未落实的每项扣0.2分）",
    ),
    item(
        "learning.thought_analyses",
        points=2,
        subtotal=CONTENT,
        title="每年至少2次研判党员思想状况（每次1分）",
        title_en="At least two analyses a year of members' thinking",
        facts=count("thought_analyses", "analyses held this year", doc_zh="本年度研判党员思想状况的次数", maximum=100),
        rule=Linear.of((1, "thought_analyses")),
    ),
    flag_item(
        "learning.talks_visits",
        points=1,
        subtotal=CONTENT,
        title="实施\u201c六必谈\u201d\u201c六必访\u201d，提高思想政治工作的针对性",
        title_en="The 'six must-talks' and 'six must-visits'",
    ),
    item(
        "learning.study_system",
        points=4,
        subtotal=SYSTEM,
        title="执行学习教育制度，严格执行周一夜学、在线学习等规定（每季度报送1次，每次1分，被通报批评每次扣0.5分）",
        title_en="Monday-evening and online study (quarterly reports; criticisms deduct)",
        facts=(
            count(
                "quarterly_reports",
                "quarterly reports filed (0..4)",
                doc_zh="每季度报送学习情况的次数（0–4）",
                maximum=4,
            ),
            count("study_criticisms", "times publicly criticised", doc_zh="被通报批评的次数", maximum=100),
        ),
        rule=Linear.of((1, "quarterly_reports"), ("-0.5", "study_criticisms")),
    ),
    item(
        "learning.study_hours",
        points=3,
        subtotal=SYSTEM,
        title="落实学时制度（党员≥32学时；书记、班子≥56学时且≥1次集中培训），推动利用\u201c学习强国\u201d平台（未推广扣1分）",
        title_en="Study hours (members ≥ 32, secretaries and leaders ≥ 56 with one course) and the Xuexi Qiangguo app",
        facts=(
            yes_no("member_hours_met", "members reached 32 hours", doc_zh="党员学时均达到32学时"),
            yes_no(
                "leader_hours_met",
                "secretary and leaders reached 56 hours and one course",
                doc_zh="书记、班子成员达到56学时且参加至少1次集中培训",
            ),
            yes_no("xuexi_promoted", "Xuexi Qiangguo promoted as required", doc_zh="按要求推广使用“学习强国”平台"),
        ),
        rule=Custom(
            study_hours,
            "hours-split: 1 per true fact; all-or-nothing: 3 if both hours met, −1 if not promoted",
            basis_by_facts=True,
        ),
        policies=("study_hours",),
    ),
    flag_item(
        "learning.regular_training",
        points=2,
        subtotal=TRAINING,
        title="定期组织开展各类培训、讲座（离退休干部党支部书记、骨干每年参加老干部局组织的培训不少于1次）",
        title_en="Regular training and lectures",
    ),
    item(
        "learning.committee_training",
        points=6,
        subtotal=TRAINING,
        title="积极参加工委组织的培训（不按规定参加或培训考试成绩未达到要求的，每次扣0.5分）",
        title_en="Training run by the working committee (each miss or failed exam deducts 0.5)",
        facts=count(
            "training_misses",
            "trainings missed or exams failed",
            doc_zh="未按规定参加工委培训或考试未达要求的次数",
            maximum=100,
        ),
        rule=Linear.of(("-0.5", "training_misses"), start=6),
    ),
]

HEAVY = [
    heavy_item(
        "learning.heavy.spirit_not_conveyed",
        title="出现中央、省委、市委重要文件、会议、讲话精神未及时传达贯彻到位现象",
        title_en="Important central, provincial or municipal guidance not conveyed in time",
    ),
    heavy_item(
        "learning.heavy.religion_or_rumours",
        title="有党员参教信教、传播政治谣言及有损党和国家形象的言论和行为",
        title_en="Members practising religion or spreading political rumours",
    ),
    heavy_item(
        "learning.heavy.unprofessional_staff",
        title="有党务干部专职不专业现象",
        title_en="Full-time party staff who are not professional",
    ),
]


assess_sections, assess_items, assess_heavy_items = edition_hooks(EDITION, [SECTION], ITEMS, HEAVY)


@hookimpl
def assess_policies() -> list[Policy]:
    return [
        choice_policy(
            "study_hours",
            "hours-split",
            ("hours-split", "all-or-nothing"),
            "落实学时制度: 1 per true fact, or 3 only when both hours are met (−1 if 学习强国 not promoted).",
        )
    ]
