"""学习星 (learning star, 25 points) of the Shaoxing 2020 standard."""

from __future__ import annotations

from decimal import Decimal

from fivestar import hookimpl
from fivestar.declare import count, edition_hooks, flag_item, item, yes_no
from fivestar.model import HeavyItem, Item, Policy, Section
from fivestar.numbers import ZERO, dec
from fivestar.pipeline import ScoringContext
from fivestar.policies import choice_policy
from fivestar.rules import Basis, Custom, Linear, Values, show

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

    def basis() -> str:
        shown = f"member_hours_met = {show(member)}, leader_hours_met = {show(leader)}, xuexi_promoted = {show(xuexi)}"
        if split:
            return f"{shown}: 1 + 1 + 1 per true fact = {raw}"
        return f"{shown}: 3 if both hours met, −1 if 学习强国 not promoted = {show(raw)}"

    return raw, basis


ITEMS: list[Item] = [
    flag_item(
        "learning.political_priority",
        "突出党的政治建设，学懂弄通做实习近平新时代中国特色社会主义思想作为首要任务",
        "Political building first; Xi Jinping Thought as the first task",
        1,
        "political_priority",
        CONTENT,
    ),
    flag_item(
        "learning.initial_mission_system",
        "建立\u201c不忘初心、牢记使命\u201d的制度",
        "A standing system for 'stay true to the original aspiration'",
        1,
        "initial_mission_system",
        CONTENT,
    ),
    flag_item(
        "learning.party_regulations",
        "学习贯彻《中国共产党党和国家机关基层组织工作条例》等党内法规",
        "Study and apply the Regulations on basic organisations and other party rules",
        2,
        "party_regulations",
        CONTENT,
    ),
    item(
        "learning.conveyed",
        "及时学习中央、省委、市委重要会议和文件精神（每半年报送1次，每次1.5分，未落实的每项扣0.2分）",
        "Timely study of central, provincial and municipal meetings and documents",
        3,
        (
            count("halfyear_reports", "half-yearly reports filed (0..2)", maximum=2),
            count("unimplemented", "decisions not implemented"),
        ),
        Linear.of(("1.5", "halfyear_reports"), ("-0.2", "unimplemented")),
        CONTENT,
        "确保上级决策部署传达贯彻到每名党员（3分，每半年报送1次开展情况，每次1.5分，未落实的每项扣0.2分）",
    ),
    item(
        "learning.thought_analyses",
        "每年至少2次研判党员思想状况（每次1分）",
        "At least two analyses a year of members' thinking",
        2,
        (count("thought_analyses", "analyses held this year"),),
        Linear.of((1, "thought_analyses")),
        CONTENT,
    ),
    flag_item(
        "learning.talks_visits",
        "实施\u201c六必谈\u201d\u201c六必访\u201d，提高思想政治工作的针对性",
        "The 'six must-talks' and 'six must-visits'",
        1,
        "talks_visits",
        CONTENT,
    ),
    item(
        "learning.study_system",
        "执行学习教育制度，严格执行周一夜学、在线学习等规定（每季度报送1次，每次1分，被通报批评每次扣0.5分）",
        "Monday-evening and online study (quarterly reports; criticisms deduct)",
        4,
        (
            count("quarterly_reports", "quarterly reports filed (0..4)", maximum=4),
            count("study_criticisms", "times publicly criticised"),
        ),
        Linear.of((1, "quarterly_reports"), ("-0.5", "study_criticisms")),
        SYSTEM,
    ),
    item(
        "learning.study_hours",
        "落实学时制度（党员≥32学时；书记、班子≥56学时且≥1次集中培训），推动利用\u201c学习强国\u201d平台（未推广扣1分）",
        "Study hours (members ≥ 32, secretaries and leaders ≥ 56 with one course) and the Xuexi Qiangguo app",
        3,
        (
            yes_no("member_hours_met", "members reached 32 hours"),
            yes_no("leader_hours_met", "secretary and leaders reached 56 hours and one course"),
            yes_no("xuexi_promoted", "Xuexi Qiangguo promoted as required"),
        ),
        Custom(study_hours, "hours-split: 1 per true fact; all-or-nothing: 3 if both hours met, −1 if not promoted"),
        SYSTEM,
        policies=("study_hours",),
    ),
    flag_item(
        "learning.regular_training",
        "定期组织开展各类培训、讲座（离退休干部党支部书记、骨干每年参加老干部局组织的培训不少于1次）",
        "Regular training and lectures",
        2,
        "regular_training",
        TRAINING,
    ),
    item(
        "learning.committee_training",
        "积极参加工委组织的培训（不按规定参加或培训考试成绩未达到要求的，每次扣0.5分）",
        "Training run by the working committee (each miss or failed exam deducts 0.5)",
        6,
        (count("training_misses", "trainings missed or exams failed"),),
        Linear.of(("-0.5", "training_misses"), start=6),
        TRAINING,
    ),
]

HEAVY = [
    HeavyItem(
        "learning.heavy.spirit_not_conveyed",
        "learning",
        "出现中央、省委、市委重要文件、会议、讲话精神未及时传达贯彻到位现象",
        "Important central, provincial or municipal guidance not conveyed in time",
    ),
    HeavyItem(
        "learning.heavy.religion_or_rumours",
        "learning",
        "有党员参教信教、传播政治谣言及有损党和国家形象的言论和行为",
        "Members practising religion or spreading political rumours",
    ),
    HeavyItem(
        "learning.heavy.unprofessional_staff",
        "learning",
        "有党务干部专职不专业现象",
        "Full-time party staff who are not professional",
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
