"""Every word a report shows, in Chinese (the default) and English, so that
all renderers speak one vocabulary.

``LABELS[lang]`` is one flat table per language. Plain keys are the reports'
own labels; prefixed keys name things the plugins declare by id:

- ``fact.NAME``: a fact's short name, as the basis of a point shows it;
- ``value.WORD``: a word a fact or a policy holds (``selected``, ``highest``);
- ``policy.KEY``: what a policy means;
- ``short.SECTION``: a section's short title for narrow tables;
- ``star.SECTION``: a star's one-character mark (学规服民创);
- ``phrase.KEY``: a phrase of a rule's basis, with ``{placeholders}``;
- ``source.PATTERN``: who found a heavy item (a regular expression whose
  named groups fill the text's placeholders).

A key a plugin brings that is missing here falls back to the plugin's own
text (:func:`word`), so a new plugin never breaks a report.
"""

from __future__ import annotations

from typing import Any

UI: dict[str, dict[str, str]] = {
    "zh": {
        "award_year": "评选年度",
        "awards": "荣誉",
        "awards_heading": "星级与荣誉",
        "basis": "计分依据",
        "bands": "评星线",
        "capped": "各项合计 {claimed}，按上限 {max} 计",
        "change": "增减",
        "charts_sheet": "图表",
        "chart_cohort": "总分分布",
        "chart_cohort_note": "每格为一个分数段的党组织数；竖线为评星与荣誉的分数线",
        "chart_history": "历年总分",
        "chart_scores": "各板块得分与满分",
        "checker": "审核人",
        "aside": "（{text}）",
        "then": "；{text}",
        "claimed": "申报合计 {claimed}，上限 {max}",
        "colon": "：",
        "contents": "目录",
        "count": "数量",
        "cover_note": "本报告由 fivestar-assess 根据各党组织报送材料与工委认定记录自动生成，每一分均附计分依据。",
        "date": "日期",
        "deduction": "扣分",
        "disabled": "停用单项",
        "edition": "评分标准版本",
        "engine": "生成工具",
        "error": "错误",
        "facts_missing": (
            "缺失事实：{count} 项未填报，按 0（否、无）计分，涉及 {organisations} 个党组织（assess validate 逐项列出）"
        ),
        "facts_missing_none": "缺失事实：无，每项事实均有来源",
        "facts_supplied": "{supplier} {file}：提供了 {count} 项事实",
        "facts_supplied_none": "{supplier} {file}：未提供事实",
        "files_in": "{folder} 下 {count} 个文件",
        "failed": "未通过校验",
        "plugin_error": "插件错误",
        "failed_count": "未通过校验的党组织",
        "failed_sheet": "未通过校验",
        "file": "文件",
        "five": "五星双优",
        "five_star": "五星双优",
        "heading": "{year}年度“五星示范、双优引领”考核结果",
        "heavy": "重扣",
        "heavy_effect": "重扣（对总分影响）",
        "heavy_items": "重扣分项",
        "history_total": "历年总分",
        "html_lang": "zh-CN",
        "id": "编号",
        "item": "编号",
        "large_cohort": "本次共 {count} 个党组织，超过 {limit} 个时网页只列总表；各党组织的评分明细见 {where}。",
        "large_cohort_where": "同次运行的 JSON、CSV 或 Excel 结果（assess run --format json,csv,xlsx），"
        "或 assess run --org 编号",
        "league": "总表",
        "maker": "制表人",
        "missing_facts": "材料未填的事实（按缺省值计分）",
        "other_warnings": "另有 {count} 条提示，详见 assess validate {file}",
        "max": "满分",
        "movement": "比上年",
        "no": "否",
        "no_scored": "没有可计分的党组织。",
        "none": "无",
        "org": "党组织",
        "org_count": "参评党组织",
        "organisations": "党组织",
        "page": "第 {page} 页",
        "page_of": "第 {page} 页，共 {pages} 页",
        "party_building_excellence": "党建优",
        "pbe": "党建优",
        "pe": "业绩优",
        "performance_excellence": "业绩优",
        "points": "得分",
        "policies": "解释口径",
        "policies_command_line": "仅本次运行、由命令行设定",
        "provided_by_derived": "由系统根据责任清单或历史记录自动认定，部门无需填写",
        "provided_by_office": "由市直机关工委依据核实记录认定，部门无需填写",
        "policy_value": "取值",
        "printed": "生成日期",
        "rank": "名次",
        "run_date": "运行日期",
        "run_sheet": "运行信息",
        "scored": "已计分",
        "scored_count": "已计分的党组织",
        "scorecards": "评分明细",
        "section": "板块",
        "separator": "、",
        "signatures": "签字",
        "source": "来源",
        "stars": "星级",
        "status": "状态",
        "status_disabled": "（已停用）",
        "status_not_applicable": "（不适用）",
        "status_falsified": "（弄虚作假）",
        "subtotal": "小计",
        "supplier_history store": "历史库",
        "supplier_office records": "工委记录",
        "title": "项目",
        "total": "总分",
        "totals_band": "总分段",
        "warnings": "提示",
        "whatif_after": "调整后",
        "whatif_before": "调整前",
        "whatif_change": "变化",
        "whatif_changed": "变动的党组织",
        "whatif_changed_count": "变动的党组织数",
        "whatif_config": "配置",
        "whatif_details": "各取值的逐一变动见 --format html 或 json。",
        "whatif_gained": "新获",
        "whatif_gained_because": "新获{name}（调整前未获评：{reason}）",
        "whatif_heading": "{year}年度“五星示范、双优引领”解释口径假设分析",
        "whatif_lost": "失去",
        "whatif_lost_because": "失去{name}（调整后未获评：{reason}）",
        "whatif_margin": "处于边界的党组织",
        "whatif_no_change": "没有党组织发生变化。",
        "whatif_rank_only": "总分未变，名次随其他党组织变动",
        "whatif_reread": "此口径影响证据的读取，已按此口径重新读取证据",
        "whatif_scenario": "假设口径",
        "whatif_stars_awarded": "授星总数",
        "whatif_stars_changed": "星级变动的党组织数",
        "whatif_summary": "汇总",
        "whatif_sweep": "取值对比",
        "whatif_totals_changed": "总分变动的党组织数",
        "whatif_value": "取值",
        "whatif_why": "原因（分值变动的项目）",
        "withheld": "未获评原因",
        "withheld_below": "得分 {score}，低于 {needed}",
        "withheld_falsified": "有弄虚作假项目：{item}",
        "withheld_heavy": "有重扣分项：{item}",
        "withheld_not_award_year": "本年度不评选（备注1：两年一评）",
        "year": "年度",
        "yes": "是",
        "year_count": "{count} 个年度",
    },
    "en": {
        "award_year": "Award year",
        "awards": "Awards",
        "awards_heading": "Stars and awards",
        "basis": "Basis",
        "bands": "Thresholds",
        "capped": "items sum to {claimed}, capped at {max}",
        "change": "Change",
        "charts_sheet": "Charts",
        "chart_cohort": "Distribution of totals",
        "chart_cohort_note": "Each bar counts the organisations in a band of totals; the lines mark the thresholds",
        "chart_history": "Totals over the years",
        "chart_scores": "Points per section against the maximum",
        "checker": "Checked by",
        "aside": " ({text})",
        "then": "; {text}",
        "claimed": "claimed {claimed}, cap {max}",
        "colon": ": ",
        "contents": "Contents",
        "count": "Count",
        "cover_note": "Produced by fivestar-assess from the organisations' evidence and the office's records; "
        "every point comes with its basis.",
        "date": "Date",
        "deduction": "Points off",
        "disabled": "Disabled items",
        "edition": "Edition",
        "engine": "Produced by",
        "error": "error",
        "facts_missing": (
            "Missing facts: {count} not given, scored as 0 (no, none), "
            "in {organisations} organisation(s) (assess validate lists them)"
        ),
        "facts_missing_none": "Missing facts: none, every fact has a source",
        "facts_supplied": "{supplier} {file}: supplied {count} fact(s)",
        "facts_supplied_none": "{supplier} {file}: supplied no facts",
        "files_in": "{count} files in {folder}",
        "failed": "Failed validation",
        "plugin_error": "Plugin error",
        "failed_count": "Organisations that failed validation",
        "failed_sheet": "Failed",
        "file": "File",
        "five": "five-star",
        "five_star": "five-star",
        "heading": "Five-star model, double excellence: results {year}",
        "heavy": "Heavy",
        "heavy_effect": "Heavy (effect on total)",
        "heavy_items": "Heavy deductions",
        "history_total": "Totals over the years",
        "html_lang": "en",
        "id": "ID",
        "item": "Item",
        "large_cohort": "This run has {count} organisations; above {limit} the page holds only the league table. "
        "The scorecards are in {where}.",
        "large_cohort_where": "the JSON, CSV or Excel results of the same run (assess run --format json,csv,xlsx), "
        "or assess run --org ID",
        "league": "League table",
        "maker": "Prepared by",
        "missing_facts": "Facts the evidence leaves out (scored as their defaults)",
        "other_warnings": "{count} more warnings: assess validate {file}",
        "max": "Max",
        "movement": "vs last year",
        "no": "no",
        "no_scored": "No organisation could be scored.",
        "none": "none",
        "org": "Organisation",
        "org_count": "Organisations assessed",
        "organisations": "Organisations",
        "page": "Page {page}",
        "page_of": "Page {page} of {pages}",
        "party_building_excellence": "party-building",
        "pbe": "party-building excellence",
        "pe": "performance excellence",
        "performance_excellence": "performance",
        "points": "Points",
        "policies": "Policies",
        "policies_command_line": "set on the command line for this run only",
        "provided_by_derived": "derived from the duty lists or the history store; not for the department to fill in",
        "provided_by_office": "set by the office from its records; not for the department to fill in",
        "policy_value": "Value",
        "printed": "Date of the run",
        "rank": "Rank",
        "run_date": "Date of the run",
        "run_sheet": "Run",
        "scored": "scored",
        "scored_count": "Organisations scored",
        "scorecards": "Scorecards",
        "section": "section",
        "separator": ", ",
        "signatures": "Signatures",
        "source": "Source",
        "stars": "Stars",
        "status": "Status",
        "status_disabled": " (disabled)",
        "status_not_applicable": " (not applicable)",
        "status_falsified": " (falsified)",
        "subtotal": "subtotal",
        "supplier_history store": "History store",
        "supplier_office records": "Office records",
        "title": "Title",
        "total": "Total",
        "totals_band": "Band of totals",
        "warnings": "Warnings",
        "whatif_after": "After",
        "whatif_before": "Before",
        "whatif_change": "Change",
        "whatif_changed": "Organisations that change",
        "whatif_changed_count": "Organisations that change",
        "whatif_config": "config",
        "whatif_details": "Each value's changes in full: --format html or json.",
        "whatif_gained": "Gained",
        "whatif_gained_because": "gains {name} (withheld before: {reason})",
        "whatif_heading": "What if: the {year} assessment under other policies",
        "whatif_lost": "Lost",
        "whatif_lost_because": "loses {name} (withheld after: {reason})",
        "whatif_margin": "Organisations at the margin",
        "whatif_no_change": "No organisation changes.",
        "whatif_rank_only": "same total; the rank moves with the others",
        "whatif_reread": "this policy affects reading the evidence: the evidence was read again under it",
        "whatif_scenario": "Scenario",
        "whatif_stars_awarded": "Stars awarded",
        "whatif_stars_changed": "Organisations whose stars change",
        "whatif_summary": "Summary",
        "whatif_sweep": "Sweep",
        "whatif_totals_changed": "Organisations whose total changes",
        "whatif_value": "Value",
        "whatif_why": "Why (items whose points moved)",
        "withheld": "Withheld",
        "withheld_below": "scored {score}, below {needed}",
        "withheld_falsified": "falsified item {item}",
        "withheld_heavy": "heavy item {item}",
        "withheld_not_award_year": "not an award year (note 1: every two years)",
        "year": "Year",
        "yes": "yes",
        "year_count": "{count} years",
    },
}

SHORT_SECTIONS: dict[str, tuple[str, str]] = {
    "learning": ("学习", "Learn"),
    "norms": ("规范", "Norms"),
    "service": ("服务", "Serve"),
    "democracy": ("民主", "Democ"),
    "innovation": ("创新", "Innov"),
    "performance": ("业绩", "Perf"),
    "bonus": ("加分", "Bonus"),
}

STAR_MARKS: dict[str, tuple[str, str]] = {
    "learning": ("学", "L"),
    "norms": ("规", "N"),
    "service": ("服", "S"),
    "democracy": ("民", "D"),
    "innovation": ("创", "I"),
}

FACT_NAMES: dict[str, str] = {
    "political_priority": "政治建设首要任务",
    "initial_mission_system": "初心使命制度",
    "party_regulations": "学习党内法规",
    "halfyear_reports": "半年报送次数",
    "unimplemented": "未落实项数",
    "thought_analyses": "思想状况研判次数",
    "talks_visits": "六必谈六必访",
    "quarterly_reports": "季度报送次数",
    "study_criticisms": "学习被通报批评次数",
    "member_hours_met": "党员学时达标",
    "leader_hours_met": "书记班子学时达标",
    "xuexi_promoted": "推广学习强国",
    "regular_training": "定期培训讲座",
    "training_misses": "培训缺席或考试未达要求次数",
    "reports_heard": "听取党建汇报次数",
    "regulation_meeting": "专题研究党内法规执行",
    "personal_lists_published": "个性清单制定公示",
    "secretary_review": "书记述职评议",
    "lists_fulfilled": "责任清单执行到位",
    "annual_plan": "年度计划",
    "timely_election": "按期换届",
    "staffing_complete": "班子与专职人员配齐",
    "branch_standard": "支部标准化规范化",
    "pioneer_branch": "先锋支部建设",
    "three_meetings": "三会",
    "party_lectures": "党课",
    "theme_day_planned": "主题党日有计划",
    "theme_day_held": "主题党日有落实",
    "brand_results": "品牌具体成果",
    "leaders_example": "领导干部带头",
    "recruitment": "规范发展党员",
    "dues": "党费收缴使用管理",
    "annual_statistics": "党内年报",
    "vanguard": "参与先锋工程",
    "centre_activities": "服务中心活动",
    "top_ten_brand": "十佳党建服务品牌",
    "three_best": "三个最佳",
    "three_services": "三服务活动",
    "rural_pairing": "结对村",
    "community_pairing": "结对社区",
    "hometown_visits": "回乡走访",
    "volunteering": "志愿服务",
    "care_visits": "走访慰问",
    "mutual_insurance": "职工互助保险",
    "recuperation": "职工疗休养",
    "mass_org_elections": "群团组织健全换届",
    "mass_org_finance": "群团组织财务规范",
    "four_seasons_misses": "未按要求参加次数",
    "life_meeting": "组织生活会",
    "member_appraisal": "民主评议党员",
    "discipline_officer": "配强纪检干部",
    "discipline_list": "纪检责任清单",
    "deputy_attends": "专职副书记列席",
    "disclosure": "党务公开",
    "member_rights": "党员权利落实",
    "conduct_criticisms": "正风肃纪被通报批评次数",
    "integrity_education": "廉政专题学习警示教育",
    "violations_main_leader": "主要领导违纪人次",
    "violations_city_cadre": "其他市管干部违纪人次",
    "violations_section_cadre": "科级干部违纪人次",
    "violations_other": "其他党员违纪人次",
    "research": "党建课题调研",
    "info_reports": "经验交流信息报送",
    "party_business": "党建+业务",
    "physical_position": "实体阵地",
    "online_position": "网上阵地",
    "station_activities": "联络站驿站活动次数",
    "clean_organ": "清廉机关",
    "platform_use": "智慧党建平台应用",
    "platform_data": "系统基础数据",
    "target_grade": "目标责任制考核等次",
    "leadership": "班子团结完成任务",
    "conduct_rating": "行风评议成绩",
    "conduct_rating_prev": "上年行风评议成绩",
    "commendations": "发文表彰",
    "recognitions": "创新经验受表彰批示",
    "new_stations": "新建党员驿站",
    "new_demo_sites": "新建党建示范点",
    "pioneer_branches_named": "命名先锋支部",
    "showcase": "晒比优胜项目",
    "inspection_grade": "调研式督查评价",
    "previous_award": "上年度五星双优",
}

VALUES: dict[str, tuple[str, str]] = {
    "true": ("是", "yes"),
    "false": ("否", "no"),
    "none": ("无", "none"),
    "participated": ("参与", "participated"),
    "selected": ("入选", "selected"),
    "named": ("命名", "named"),
    "other": ("其他", "other"),
    "good": ("良好", "good"),
    "excellent": ("优秀", "excellent"),
    "central": ("中央", "central"),
    "national": ("国家级", "national"),
    "provincial": ("省级", "provincial"),
    "municipal": ("市级", "municipal"),
    "commendation": ("表彰", "commendation"),
    "instruction": ("批示肯定", "instruction"),
    "meeting": ("会议交流", "meeting"),
    "publication": ("刊物发表", "publication"),
    "double-reverse": ("加倍倒扣", "double reverse"),
    "zero": ("按0分计", "zero"),
    "highest": ("取最高", "highest"),
    "sum": ("累加", "sum"),
    "hours-split": ("按项计分", "hours split"),
    "all-or-nothing": ("全部达标才得分", "all or nothing"),
    "full": ("得满分", "full"),
    "after-cap": ("封顶后扣除", "after the cap"),
    "before-cap": ("计入合计后封顶", "before the cap"),
    "accept": ("采用并标注未经核实", "accept, marked not verified"),
    "ignore": ("按未申报计", "ignore"),
    "upheld": ("申诉成立", "upheld"),
    "rejected": ("申诉驳回", "rejected"),
}

POLICIES: dict[str, tuple[str, str]] = {
    "falsification": (
        "备注3“相应项目加倍倒扣”：弄虚作假的项目按其分值的 −2 倍计（加分项目按申报分的 −2 倍），或按0分计。",
        "Note 3, falsification: a falsified item scores −2 × its points (bonus items: −2 × what they claimed), or 0.",
    ),
    "heavy_default": (
        "备注2“每项扣5-10分”：认定为重扣分项而未定分值时扣的分数。",
        "Note 2, heavy items (5 to 10 points each): the points off when a heavy item is found without a figure.",
    ),
    "star_threshold": (
        "得分达到该板块满分的这一比例即评为该星。",
        "A star is earned at this share of the section's points.",
    ),
    "performance_threshold": (
        "业绩优板块得分达到此分数即评为业绩优。",
        "Performance excellence is earned at this many points of the performance section.",
    ),
    "recognition_same_project": (
        "创新经验做法受表彰：同一项目多次受表彰时取最高分，或累加。",
        "Innovative practice recognised: several recognitions of one project count the highest only, or all.",
    ),
    "study_hours": (
        "落实学时制度：每项达标得1分；或两项学时均达标才得3分（未推广学习强国扣1分）。",
        "Study hours: 1 per requirement met, or 3 only when both hours are met (−1 if Xuexi Qiangguo not promoted).",
    ),
    "conduct_improvement": (
        "行风评议“有明显提升”：比上年成绩提高这一分数即得5分。",
        "Conduct rating clearly improved: the rise over last year's rating that earns the 5 points.",
    ),
    "unrated": (
        "行风评议：未参与评议的党组织得满分5分（不作扣减），或得0分。",
        "Conduct rating: an organisation without a rating scores the 5 points (not penalised), or 0.",
    ),
    "falsified_bonus": (
        "加分项目弄虚作假：先封顶10分再倒扣，或倒扣后再封顶。",
        "A falsified bonus item: its −2 × claimed comes off after the cap, or before it.",
    ),
    "unverified_claims": (
        "工委无核实记录的申报：采用并标注未经核实，或不予采用。",
        "A claim the office has no record of: used and marked, or ignored.",
    ),
}

PHRASES: dict[str, tuple[str, str]] = {
    "disabled": ("本次运行停用此项", "disabled by the run config"),
    "list": ("，", ", "),
    "colon": ("：", ": "),
    "semicolon": ("；", "; "),
    "no_entries": ("无记录 → 0", "no entries → 0"),
    "no_showcase": ("无晒比优胜项目 → 0", "no showcase entries → 0"),
    "outside_window": ("不在计分期 {start} 至 {end} 内", "outside the window {start}..{end}"),
    "highest_per_project": ("同一项目取最高", "highest per project"),
    "sum_per_project": ("同一项目累加", "sum per project"),
    "commendation": ("{level}（{document}）", "{level} ({document})"),
    "recognition": ("{level}{form}", "{level} {form}"),
    "previous_award": ("{year}年度五星双优 = {value} → {points}", "five-star in {year} = {value} → {points}"),
    "hours_split": ("每项达标得1分 = {raw}", "1 per requirement met = {raw}"),
    "all_or_nothing": (
        "两项学时均达标得3分，未推广学习强国扣1分 = {raw}",
        "3 if both hours are met, −1 if Xuexi Qiangguo is not promoted = {raw}",
    ),
    "unrated": ("未参与行风评议：按口径 unrated = {unrated} → {points}", "not rated: unrated = {unrated} → {points}"),
    "conduct_average": (
        "{fact} = {rating} {compared} 平均分 {average}{which}",
        "{fact} = {rating} {compared} the average {average} {which}",
    ),
    "conduct_official": ("（工委核定的平均分）", "(the office's official average)"),
    "conduct_rated": ("（{rated} 个党组织参评）", "(of {rated} rated)"),
    "conduct_no_previous": ("，无上年成绩（不计提升）", ", no rating last year (no improvement)"),
    "conduct_improvement": (
        "，{fact} = {previous}，提升 {change} {compared} conduct_improvement {threshold}",
        ", {fact} = {previous}, improvement {change} {compared} conduct_improvement {threshold}",
    ),
    "not_applicable": ("不适用：{note}", "not applicable: {note}"),
    "floor": ("扣完为止", "no lower than 0"),
    "ceiling": ("上限", "capped at the item's points"),
    "falsified_double": ("弄虚作假，加倍倒扣：−2×{base} = {points}", "falsified, double reverse: −2×{base} = {points}"),
    "falsified_zero": ("弄虚作假：按0分计", "falsified: scored 0"),
    "unverified": ("未经核实：{facts}", "not verified: {facts}"),
}


SOURCES: dict[str, tuple[str, str]] = {
    "review": ("工委认定", "office review"),
    "derived": ("自动认定", "derived"),
    r"derived: official rank (?P<rank>\d+)/(?P<count>\d+)": (
        "自动认定：工委核定行风评议名次 {rank}/{count}",
        "derived: official conduct rank {rank}/{count}",
    ),
}
"""Who found a heavy item, as the ledger says it (a pattern, for a source
with figures), in words."""


def build_labels() -> dict[str, dict[str, str]]:
    """The flat tables: the reports' labels, then the prefixed vocabulary."""
    tables: dict[str, dict[str, str]] = {}
    for index, lang in enumerate(("zh", "en")):
        table = dict(UI[lang])
        table.update({f"short.{key}": names[index] for key, names in SHORT_SECTIONS.items()})
        table.update({f"star.{key}": marks[index] for key, marks in STAR_MARKS.items()})
        table.update({f"fact.{key}": name if lang == "zh" else key for key, name in FACT_NAMES.items()})
        table.update({f"value.{key}": names[index] for key, names in VALUES.items()})
        table.update({f"policy.{key}": texts[index] for key, texts in POLICIES.items()})
        table.update({f"phrase.{key}": texts[index] for key, texts in PHRASES.items()})
        table.update({f"source.{key}": texts[index] for key, texts in SOURCES.items()})
        tables[lang] = table
    return tables


LABELS: dict[str, dict[str, str]] = build_labels()


def language(lang: str) -> str:
    """The language a report is written in: the one asked for if the labels
    have it, otherwise Chinese."""
    return lang if lang in LABELS else "zh"


def labels_for(lang: str) -> dict[str, str]:
    """The labels of a language; Chinese for anything else."""
    return LABELS[language(lang)]


def word(labels: dict[str, str], kind: str, key: str, fallback: str | None = None, **values: Any) -> str:
    """``labels[kind.key]``, formatted with ``values``; what the plugin said
    (``fallback``, else the key) when the vocabulary lacks it."""
    text = labels.get(f"{kind}.{key}")
    if text is None:
        return key if fallback is None else fallback
    return text.format(**values) if values else text
