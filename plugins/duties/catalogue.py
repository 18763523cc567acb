"""The 2020 responsibility lists of the three levels of secretary
(2020年度“三级书记”抓机关党建工作责任清单) as data: the ten common items
(共性项目) of each level in the standard's own words, who holds each list and
where it is filed, and the countable obligations hidden in the common items."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

EDITION = "shaoxing-2020"
UNIT = "unit_secretary"
ORGAN = "organ_secretary"
BRANCH = "branch_secretary"


@dataclass(frozen=True)
class CommonItem:
    """One common item (共性项目) of a level's list, numbered as in the standard."""

    level: str
    number: int
    category: str
    text: str


@dataclass(frozen=True)
class Obligation:
    """A count a common item requires per year: at least ``minimum`` and, where
    the standard sets one, at most ``maximum``."""

    level: str
    key: str
    item: int
    minimum: int
    maximum: int | None
    text: str

    @property
    def required(self) -> str:
        return f"≥ {self.minimum}" if self.maximum is None else f"{self.minimum}..{self.maximum}"

    def met(self, recorded: int) -> bool:
        return recorded >= self.minimum and (self.maximum is None or recorded <= self.maximum)


@dataclass(frozen=True)
class Ratio:
    """A share a common item requires: ``numerator / denominator ≥ minimum``."""

    level: str
    key: str
    item: int
    numerator: str
    denominator: str
    minimum: Decimal
    text: str

    @property
    def required(self) -> str:
        return f"≥ {percent(self.minimum)}"

    def met(self, numerator: int, denominator: int) -> bool:
        """Exact: compares ``numerator ≥ minimum × denominator``, never a rounded quotient."""
        return denominator > 0 and Decimal(numerator) >= self.minimum * denominator


def percent(share: Decimal) -> str:
    """A share as a percentage for people, truncated (never rounded up), so
    that a share just under the minimum never shows as the minimum."""
    return f"{(share * 100).quantize(Decimal('0.01'), rounding=ROUND_DOWN).normalize():f}%"


@dataclass(frozen=True)
class Level:
    """One level of secretary: whose list it is and where it is filed."""

    id: str
    role: str
    holder: str
    submission: str
    items: tuple[CommonItem, ...]
    obligations: tuple[Obligation, ...] = ()
    ratios: tuple[Ratio, ...] = ()

    @property
    def categories(self) -> dict[str, tuple[int, ...]]:
        """category → the numbers of its items, in the standard's order."""
        grouped: dict[str, tuple[int, ...]] = {}
        for common in self.items:
            grouped[common.category] = (*grouped.get(common.category, ()), common.number)
        return grouped

    @property
    def obligation_keys(self) -> tuple[str, ...]:
        """Every key the list's ``obligations`` table may hold."""
        keys = [obligation.key for obligation in self.obligations]
        for ratio in self.ratios:
            keys += [ratio.numerator, ratio.denominator]
        return tuple(keys)


@dataclass(frozen=True)
class Catalogue:
    """The responsibility lists of one edition."""

    edition: str
    levels: dict[str, Level]
    min_personal_items: int
    deadline: tuple[int, int]

    def deadline_in(self, year: int) -> dt.date:
        month, day = self.deadline
        return dt.date(year, month, day)


UNIT_ITEMS = (
    CommonItem(
        "unit_secretary",
        1,
        "统筹领导",
        "按照新时代党的建设总要求，坚决贯彻落实中央、省委、市委决策部署。推动落实《中国共产党党和国家机关基层组织工作条例》，每年至少2次听取机关党建工作汇报（老干部工作、群团工作），带头抓意识形态和党风廉政工作，研究解决机关党建重大问题，督促机关党组织制定和实施党建工作年度计划。每年1次在本单位一定范围内通报党委（党组、工委）抓机关党建工作情况、接受评议。",
    ),
    CommonItem(
        "unit_secretary",
        2,
        "统筹领导",
        "贯彻落实市委《机关党建责任制实施办法》，认真落实机关党建主体责任，认真履行第一责任人职责，其他成员按照“一岗双责”要求抓好职责范围内的党建工作，每年至少召开1次会议专题研究党内法规执行工作。落实任务清单、党建联系点，加强党建督查，每年检查指导机关党建工作落实不少于2次，做到党建与业务工作同谋划、同部署、同落实、同考核。每年至少听取1次思想政治工作情况汇报，向市委报告抓机关党建工作的履职情况1次。",
    ),
    CommonItem(
        "unit_secretary",
        3,
        "率先示范",
        "带头增强“四个意识”、坚定“四个自信”、做到“两个维护”，在坚定理想信念、严守政治纪律和政治规矩、自觉接受党组织和党员群众监督等方面，发挥示范表率作用。",
    ),
    CommonItem(
        "unit_secretary",
        4,
        "率先示范",
        "带头参加“三会一课”、组织生活会、谈心谈话、党员民主评议、支部主题党日等组织活动。推动班子每位党员领导干部自觉参加双重组织生活，每年至少1次为党组织或党建工作联系点上党课。",
    ),
    CommonItem(
        "unit_secretary",
        5,
        "带好队伍",
        "突出党的政治建设，把学懂弄通做实习近平新时代中国特色社会主义思想作为首要任务，以正确的认识和行动确保“两个维护”落细落实，推进“两学一做”学习教育常态化制度化，建立健全“不忘初心、牢记使命”长效机制。认真履行全面从严治党主体责任，持续加强正风肃纪，高标准执行中央八项规定及实施细则精神和省、市有关要求，营造风清气正的政治生态。",
    ),
    CommonItem(
        "unit_secretary",
        6,
        "带好队伍",
        "结合“三服务”活动，深化机关党组织“五星双优”创建，扎实推进“建设清廉机关、创建模范机关”行动，以“先锋工程”“十佳”党建服务品牌、“三个最佳”为载体推动党建与中心工作、部门业务深度融合，互促共进。统筹后进基层党组织的整顿转化，提升机关下属党组织组织力。全面推行党支部标准化建设，推动开展“先锋支部”创建。",
    ),
    CommonItem(
        "unit_secretary",
        7,
        "带好队伍",
        "严格执行《干部任用条例》和有关政策法规，把握正确导向，选好配强干部队伍，落实机关党组织参与对机关干部考核、任免、调动和奖惩制度。",
    ),
    CommonItem(
        "unit_secretary",
        8,
        "带好队伍",
        "严格执行民主集中制，采取有效措施落实党员知情权、参与权、选举权、监督权，落实党务公开制度，畅通信息沟通渠道。",
    ),
    CommonItem(
        "unit_secretary",
        9,
        "支持保障",
        "按要求及时配齐配强机关党组织书记、专（兼）职副书记、下属单位党组织书记，机关专职党务工作人员的配备占机关工作人员总数的2%。",
    ),
    CommonItem(
        "unit_secretary",
        10,
        "支持保障",
        "建立健全党建工作制度体系，加强党建工作保障。支持和保障机关党群组织认真履行职责，按规定落实经费，推进基层党组织党建阵地规范化建设。",
    ),
)
ORGAN_ITEMS = (
    CommonItem(
        "organ_secretary",
        1,
        "统筹谋划",
        "按照新时代党的建设总要求，认真履行机关党建领导责任，全面贯彻落实《中国共产党党和国家机关基层组织工作条例》《中国共产党支部工作条例（试行）》等。",
    ),
    CommonItem(
        "organ_secretary",
        2,
        "统筹谋划",
        "结合实际主持制定本部门（单位）机关党建工作制度、年度计划并抓好落实。加强党建督查，至少1次听取所属基层党组织全面工作汇报，每季督查下属党组织党建工作落实不少于1次，每年至少2次向党委（党组、工委）汇报机关党建工作（老干部工作、群团工作）。",
    ),
    CommonItem(
        "organ_secretary",
        3,
        "教育管理",
        "把学懂弄通做实习近平新时代中国特色社会主义思想作为首要任务，自觉践行“两个维护”，制定落实深化巩固“不忘初心、牢记使命”成果的具体措施。督促党员利用“学习强国”平台开展常态化学习，完成规定学习任务，组织参加各类学习培训，组织党员轮训。",
    ),
    CommonItem(
        "organ_secretary",
        4,
        "教育管理",
        "严格执行组织生活制度，积极组织社区共建、返乡走亲、志愿服务等，引导党员干部积极投身“三服务”。引导和组织离退休党员干部发挥正能量。",
    ),
    CommonItem(
        "organ_secretary",
        5,
        "教育管理",
        "加强清廉机关建设，把纪律和规矩挺在前面，重视党员干部家规家风建设，持续加强正风肃纪，高标准从严执行中央八项规定及实施细则精神和省、市有关办法，对党员特别是党员领导干部进行监督。每年至少开展1次党内法规和廉政专题学习、警示教育。",
    ),
    CommonItem(
        "organ_secretary",
        6,
        "教育管理",
        "关心关爱党员，保障党员权利，做好离退休干部职工党员服务工作，每年至少2次分析研判党员的思想状况。坚持党建带群建，支持群团组织按要求开展活动，丰富干部职工的业余文化生活，增活力、提素质、聚人心。",
    ),
    CommonItem(
        "organ_secretary",
        7,
        "推进落实",
        "抓好机关基层党组织建设，配齐配强专（兼）职副书记、支部书记（离退休党支部）及党务干部。",
    ),
    CommonItem(
        "organ_secretary",
        8,
        "推进落实",
        "按照“标准化规范化”的要求严格落实党内组织生活，规范发展党员、党费收缴、组织生活记录本记录等党务工作。按要求建好用好机关党建“两大阵地”，组织党员（离退休党员）利用党员教育联系点、党员驿站开展活动。深化推进基层党组织“五星双优”创建，提升“五星双优”品牌影响力，开展“建设清廉机关、创建模范机关”行动，组织好基层党组织联述联评联考工作，积极组织“先锋工程”“十佳”党建服务品牌、“三个最佳”等创评工作，充分发挥机关党建服务中心的功能作用。",
    ),
    CommonItem(
        "organ_secretary",
        9,
        "抓点带面",
        "坚持分类指导，促先进、抓中间、带后进，选取1—2个基层党组织作为联系点，解决实际问题。全面推行党支部标准化规范化建设，组织开展“先锋支部”建设，加强督查指导，全面提升机关下属党组织组织力。",
    ),
    CommonItem(
        "organ_secretary",
        10,
        "抓点带面",
        "每年至少1次为党组织或党建工作联系点上党课。每年确定1个党建研究课题，形成调研报告并促进成果转化。",
    ),
)
BRANCH_ITEMS = (
    CommonItem(
        "branch_secretary",
        1,
        "制定计划",
        "牢固树立一切工作到支部的理念，结合实际主持制定本单位党建工作制度、年度计划等并抓好落实。每年至少1次向本部门（单位）机关党委（总支）汇报本单位党建工作。",
    ),
    CommonItem(
        "branch_secretary",
        2,
        "推进落实",
        "组织党员深入学习贯彻习近平新时代中国特色社会主义思想，深化巩固“不忘初心、牢记使命”主题教育成果，深入推进“两学一做”学习教育常态化制度化，严格执行周一夜学，确保上级的决策部署及时传达贯彻到每一位党员。督促党员利用“学习强国”平台开展常态化学习，参加各类学习培训活动，完成规定学时的学习。",
    ),
    CommonItem(
        "branch_secretary",
        3,
        "推进落实",
        "带领支部党员履行党员义务，完成市直机关工委每月提示及上级党组织要求的相关工作，严格执行党内组织生活制度，积极参加“三会一课”、支部主题党日等组织生活及社区共建、返乡走亲、志愿服务等活动。认真开展党员“先锋指数”评价管理，组织党员深入开展“三服务”活动，发挥党员先锋模范作用。",
    ),
    CommonItem(
        "branch_secretary",
        4,
        "推进落实",
        "加强对党员的日常了解和监督，督促党员强化组织观念，严格执行纪律，自觉接受组织的监督。重视本支部的党风廉政建设，把纪律和规矩挺在前面，持续加强正风肃纪，高标准从严执行中央八项规定及实施细则精神和省、市有关办法。重视党员干部家规家风建设。",
    ),
    CommonItem(
        "branch_secretary",
        5,
        "推进落实",
        "关心关爱党员，及时了解掌握本单位工作人员的思想状况，及时向上级组织反映存在的苗头性、倾向性问题，开展有针对性的思想政治工作。按要求每年至少开展1次谈心谈话活动。",
    ),
    CommonItem(
        "branch_secretary",
        6,
        "打实基础",
        "抓好按期换届工作，规范设置党小组，规范做好党员发展、党费收缴、党务公开等党务工作。",
    ),
    CommonItem(
        "branch_secretary",
        7,
        "打实基础",
        "围绕机关党组织“五星双优”创建工作，积极参与“先锋工程”“党建服务品牌”创建等活动。认真参加基层党建联述联评联考工作。",
    ),
    CommonItem(
        "branch_secretary",
        8,
        "打实基础",
        "严格落实《中国共产党党和国家机关基层组织工作条例》《中国共产党支部工作条例（试行）》，全面推行党支部标准化建设，积极争创“先锋支部”。",
    ),
    CommonItem(
        "branch_secretary",
        9,
        "打实基础",
        "认真做好“智慧党建”管理服务平台和全国党员管理信息系统的信息维护管理，督促指导支部和支部党员按要求使用平台系统，实现智慧管理、智慧服务。",
    ),
    CommonItem("branch_secretary", 10, "打实基础", "结合工作实际，配合机关党组织开展党建调研工作。"),
)

SUBMIT_TO_COMMITTEE = "3月底前通过“智慧党建”管理服务平台报市直机关工委"

LEVELS = (
    Level(
        id=UNIT,
        role="部门（单位）党委（党组、工委）书记",
        holder="部门（单位）党委（党组、工委）书记；部门（单位）未设立党委（党组、工委）的，部门（单位）党员一把手履行责任清单",
        submission=SUBMIT_TO_COMMITTEE,
        items=UNIT_ITEMS,
        obligations=(
            Obligation(UNIT, "reports_heard", 1, 2, None, "每年至少2次听取机关党建工作汇报"),
            Obligation(UNIT, "annual_briefing", 1, 1, None, "每年1次通报抓机关党建工作情况、接受评议"),
            Obligation(UNIT, "regulation_meetings", 2, 1, None, "每年至少召开1次会议专题研究党内法规执行"),
            Obligation(UNIT, "inspections", 2, 2, None, "每年检查指导机关党建工作不少于2次"),
            Obligation(UNIT, "ideology_reports_heard", 2, 1, None, "每年至少听取1次思想政治工作情况汇报"),
            Obligation(UNIT, "reports_to_city", 2, 1, None, "向市委报告抓机关党建工作履职情况1次"),
            Obligation(UNIT, "party_lectures", 4, 1, None, "每年至少1次上党课"),
        ),
        ratios=(
            Ratio(
                UNIT,
                "party_staff_ratio",
                9,
                "party_staff",
                "organ_staff",
                Decimal("0.02"),
                "专职党务工作人员占机关工作人员总数的2%",
            ),
        ),
    ),
    Level(
        id=ORGAN,
        role="机关党组织书记",
        holder="机关党组织书记",
        submission=SUBMIT_TO_COMMITTEE,
        items=ORGAN_ITEMS,
        obligations=(
            Obligation(ORGAN, "subordinate_reports_heard", 2, 1, None, "至少1次听取所属基层党组织全面工作汇报"),
            Obligation(ORGAN, "quarterly_inspections", 2, 4, None, "每季督查下属党组织党建工作不少于1次"),
            Obligation(ORGAN, "reports_to_committee", 2, 2, None, "每年至少2次向党委（党组、工委）汇报"),
            Obligation(ORGAN, "integrity_sessions", 5, 1, None, "每年至少开展1次党内法规和廉政专题学习、警示教育"),
            Obligation(ORGAN, "thought_analyses", 6, 2, None, "每年至少2次分析研判党员思想状况"),
            Obligation(ORGAN, "contact_points", 9, 1, 2, "选取1—2个基层党组织作为联系点"),
            Obligation(ORGAN, "party_lectures", 10, 1, None, "每年至少1次上党课"),
            Obligation(ORGAN, "research_reports", 10, 1, None, "每年确定1个党建研究课题，形成调研报告"),
        ),
    ),
    Level(
        id=BRANCH,
        role="机关党委（总支）下属党支部书记",
        holder="机关党委（总支）下属党支部书记",
        submission="3月底前报本部门（单位）党委（总支），审核后由党委（总支）通过“智慧党建”管理服务平台报市直机关工委备案",
        items=BRANCH_ITEMS,
        obligations=(
            Obligation(BRANCH, "reports_to_committee", 1, 1, None, "每年至少1次向机关党委（总支）汇报"),
            Obligation(BRANCH, "heart_to_heart", 5, 1, None, "每年至少开展1次谈心谈话活动"),
        ),
    ),
)

SHAOXING_2020 = Catalogue(
    edition=EDITION,
    levels={level.id: level for level in LEVELS},
    min_personal_items=2,
    deadline=(3, 31),
)

CATALOGUES = {EDITION: SHAOXING_2020}


def catalogue_for(editions: str | Sequence[str]) -> Catalogue | None:
    """The lists' catalogue of an edition, or of the nearest edition it is
    built on (``context.lineage``: shaoxing-2021 keeps the 2020 lists)."""
    if isinstance(editions, str):
        editions = (editions,)
    return next((CATALOGUES[edition] for edition in reversed(editions) if edition in CATALOGUES), None)
