"""评分细则（rubric）的加载与校验。

细则存放在 ``assets/rubrics/*.yaml``，结构为 类别 → 条目 → 标准，格式见该目录的
README.md。本模块把 YAML 读成不可变的 dataclass，并在读取时校验：编号不重复、
各级分值逐级相加相符、评估方法在允许的词表内、mode 合法、computed 标准带有已知的
计算规则。出错时抛出 :class:`RubricError`，错误信息为中文，写明文件名和行号。
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any, NoReturn

import yaml

ASSETS = Path(__file__).resolve().parent.parent / "assets"
RUBRICS_DIR = ASSETS / "rubrics"

# 允许的评估/检查方法。山西细则用原文备注列出的五种方式；西乡细则用原表“检查方式”栏的原词。
METHOD_VOCABULARIES: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "shanxi": ("听取汇报", "座谈了解", "资料审核", "实地考察", "问卷调查"),
        "xixiang": (
            "现场查看有关正式文件",
            "现场查看",
            "实地检查",
            "实地查看",
            "看现场",
            "系统查看",
            "平台提取数据",
            "查资料",
            "查看资料",
            "查阅资料",
            "查看印证资料",
            "查资料统计表",
            "查看会议记录",
            "现场询问",
        ),
    }
)
MODES = ("computed", "entered")
TIERS = ("centre", "platform", "institute", "station")
PERIOD_MONTHS: Mapping[str, int] = MappingProxyType({"half_year": 6, "year": 12})
GROUPS = ("basic", "featured")
SCORINGS = ("all_or_nothing", "pro_rata")
MEDIA_LEVELS = ("county", "city", "province", "national")
ACTIVITY_MATERIALS = ("plan", "record", "photos", "results")

# 计算规则种类 → 必需参数。每一组里至少要有一个参数出现（多数组只有一个参数）。
RULE_KINDS: Mapping[str, tuple[tuple[str, ...], ...]] = MappingProxyType(
    {
        "monthly_activity": (("points_per_month",), ("require",)),
        "monthly_upload": (("points_per_month",),),
        "monthly_summary": (("points_per_month",),),
        "monthly_theory_lecture": (("min_per_month",), ("points_per_month", "scoring")),
        "quarterly_meeting": (("points_per_quarter",),),
        "media_points": (("levels",), ("highest_level_once_per_item",)),
        "volunteer_share": (("target",),),
        "chaxiang_coverage": (("target",),),
        "projects_per_year": (("target",),),
    }
)

_RUBRIC_KEYS = (
    ("id", "name", "source", "tier", "total", "methods_vocabulary", "categories"),
    ("period", "groups", "notes"),
)
_SOURCE_KEYS = (("file",), ("attachment", "title", "lines"))
_CATEGORY_KEYS = (("id", "name", "points", "items"), ("group", "notes"))
_ITEM_KEYS = (("id", "name", "points", "standards"), ("source_line", "notes"))
_STANDARD_KEYS = (
    ("id", "name", "points", "methods", "mode", "description", "source_line"),
    ("rule", "may_exceed", "bonus", "notes"),
)
_BONUS_KEYS = (("points", "when"), ())


class RubricError(ValueError):
    """评分细则文件有误。``file`` 为文件名，``line`` 为出错行号（从 1 起，未知时为 None）。"""

    def __init__(self, message: str, *, file: str, line: int | None = None) -> None:
        super().__init__(message)
        self.file = file
        self.line = line


@dataclass(frozen=True)
class Rule:
    """computed 标准的计算规则：``kind`` 加参数（参数只读）。"""

    kind: str
    params: Mapping[str, Any] = field(hash=False)

    def get(self, key: str, default: Any = None) -> Any:
        """取一个参数，没有时返回 default。"""
        return self.params.get(key, default)


@dataclass(frozen=True)
class Bonus:
    """原文规定的额外加分（如“收录省市案例另行加10分”）。"""

    points: float
    when: str


@dataclass(frozen=True)
class Standard:
    """评估标准（最细一级的得分点）。"""

    id: str
    name: str
    points: float
    methods: tuple[str, ...]
    mode: str
    description: str
    source_line: int
    category_id: str
    item_id: str
    rule: Rule | None = None
    may_exceed: bool = False
    bonus: Bonus | None = None
    notes: str | None = None
    line: int = 0

    @property
    def computed(self) -> bool:
        """是否由平台数据计算得分。"""
        return self.mode == "computed"


@dataclass(frozen=True)
class Item:
    """评估内容（条目）。"""

    id: str
    name: str
    points: float
    category_id: str
    standards: tuple[Standard, ...]
    source_line: int | None = None
    notes: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Category:
    """评估项目（类别）。``group`` 为 basic（基本指标）或 featured（特色指标）。"""

    id: str
    name: str
    points: float
    items: tuple[Item, ...]
    group: str = "basic"
    notes: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Source:
    """细则出处：seed 文件、附件号、标题、行号范围。"""

    file: str
    attachment: str | None = None
    title: str | None = None
    lines: str | None = None


@dataclass(frozen=True)
class Rubric:
    """一套评分细则。"""

    id: str
    name: str
    source: Source
    tier: str
    total: float
    methods_vocabulary: str
    categories: tuple[Category, ...]
    period: str | None = None
    groups: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}), hash=False)
    notes: str | None = None
    path: Path | None = None
    line: int = 0


def load_rubric(path: str | Path) -> Rubric:
    """读取并校验一个细则 YAML 文件；文件有误时抛出 RubricError。"""
    path = Path(path)
    name = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RubricError(f"评分细则文件 {name} 不存在", file=name) from None
    except UnicodeDecodeError as exc:
        raise RubricError(f"评分细则文件 {name} 不是 UTF-8 编码的文本", file=name) from exc
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        where = f"第 {line} 行：" if line else ""
        raise RubricError(f"评分细则文件 {name} {where}YAML 格式有误，无法读取", file=name, line=line) from exc
    except yaml.YAMLError as exc:
        raise RubricError(f"评分细则文件 {name} YAML 格式有误，无法读取", file=name) from exc
    if root is None:
        raise RubricError(f"评分细则文件 {name} 第 1 行：文件是空的", file=name, line=1)
    return _Parser(path).rubric(root)


def load_all(directory: str | Path = RUBRICS_DIR) -> dict[str, Rubric]:
    """读取目录下全部 ``*.yaml`` 细则，按细则 id 返回；id 重复时抛出 RubricError。"""
    out: dict[str, Rubric] = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        rubric = load_rubric(path)
        if rubric.id in out:
            other = out[rubric.id].path
            other_name = other.name if other else "?"
            raise RubricError(
                f"评分细则文件 {path.name} 第 {rubric.line} 行：细则编号 {rubric.id} 与 {other_name} 重复",
                file=path.name,
                line=rubric.line,
            )
        out[rubric.id] = rubric
    return out


def standards(rubric: Rubric) -> list[Standard]:
    """按原表顺序列出细则的全部标准（每个标准带有 category_id 和 item_id）。"""
    return [s for c in rubric.categories for i in c.items for s in i.standards]


def items(rubric: Rubric) -> list[Item]:
    """按原表顺序列出细则的全部条目。"""
    return [i for c in rubric.categories for i in c.items]


# ---------------------------------------------------------------------------
# 解析与校验


def _fmt(value: Decimal) -> str:
    return format(value.normalize(), "f")


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


class _Parser:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.name = path.name
        self.constructor = yaml.constructor.SafeConstructor()
        self.seen_ids: dict[str, int] = {}
        self.months: int | None = None
        self.methods: tuple[str, ...] = ()

    # -- helpers ------------------------------------------------------------
    def fail(self, node: yaml.Node, message: str) -> NoReturn:
        line = node.start_mark.line + 1
        raise RubricError(f"评分细则文件 {self.name} 第 {line} 行：{message}", file=self.name, line=line)

    def value(self, node: yaml.Node) -> Any:
        return self.constructor.construct_object(node, deep=True)

    def fields(
        self, node: yaml.Node, what: str, keys: tuple[tuple[str, ...], tuple[str, ...]]
    ) -> dict[str, tuple[yaml.Node, yaml.Node]]:
        required, optional = keys
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} 应写成“字段: 值”的形式")
        if "id" in required:  # 出错信息里尽量带上编号
            for key_node, value_node in node.value:
                if isinstance(key_node, yaml.ScalarNode) and key_node.value == "id":
                    if isinstance(value_node, yaml.ScalarNode) and value_node.value.strip():
                        what = f"{what} {value_node.value.strip()}"
                    break
        out: dict[str, tuple[yaml.Node, yaml.Node]] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.fail(key_node, f"{what} 的字段名必须是文字")
            if key in out:
                self.fail(key_node, f"{what} 的字段 {key} 重复出现")
            if key not in required and key not in optional:
                self.fail(key_node, f"{what} 含有未知字段 {key}")
            out[key] = (key_node, value_node)
        for key in required:
            if key not in out:
                self.fail(node, f"{what} 缺少字段 {key}")
        return out

    def text(self, node: yaml.Node, what: str, key: str) -> str:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool) and key in {"id", "lines"}:
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(node, f"{what} 的 {key} 应为非空文字")
        return value.strip()

    def points(self, node: yaml.Node, what: str, key: str = "points") -> tuple[float, Decimal]:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
            self.fail(node, f"{what} 的分值 {key} 应为正数")
        return value, Decimal(str(value))

    def positive_int(self, node: yaml.Node, what: str, key: str) -> int:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            self.fail(node, f"{what} 的 {key} 应为正整数")
        return value

    def flag(self, node: yaml.Node, what: str, key: str) -> bool:
        value = self.value(node) if isinstance(node, yaml.ScalarNode) else None
        if not isinstance(value, bool):
            self.fail(node, f"{what} 的 {key} 应为 true 或 false")
        return value

    def sequence(self, node: yaml.Node, what: str, key: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode) or not node.value:
            self.fail(node, f"{what} 的 {key} 应为非空列表")
        return list(node.value)

    def new_id(self, node: yaml.Node, what: str) -> str:
        node_id = self.text(node, what, "id")
        if node_id in self.seen_ids:
            self.fail(node, f"编号 {node_id} 重复（第 {self.seen_ids[node_id]} 行已经用过）")
        self.seen_ids[node_id] = node.start_mark.line + 1
        return node_id

    def check_sum(self, parts: list[Decimal], whole: Decimal, node: yaml.Node, message: str) -> None:
        total = sum(parts, Decimal(0))
        if total != whole:
            self.fail(node, message.format(sum=_fmt(total), whole=_fmt(whole)))

    # -- levels -------------------------------------------------------------
    def rubric(self, root: yaml.Node) -> Rubric:
        f = self.fields(root, "细则", _RUBRIC_KEYS)
        rubric_id = self.new_id(f["id"][1], "细则")
        name = self.text(f["name"][1], "细则", "name")
        source = self.source(f["source"][1])
        tier = self.text(f["tier"][1], "细则", "tier")
        if tier not in TIERS:
            self.fail(f["tier"][1], f"细则的适用层级 tier 应为 {'、'.join(TIERS)} 之一，实为 {tier}")
        period = None
        if "period" in f:
            period = self.text(f["period"][1], "细则", "period")
            if period not in PERIOD_MONTHS:
                self.fail(f["period"][1], f"细则的评估周期 period 应为 {'、'.join(PERIOD_MONTHS)} 之一，实为 {period}")
            self.months = PERIOD_MONTHS[period]
        vocab = self.text(f["methods_vocabulary"][1], "细则", "methods_vocabulary")
        if vocab not in METHOD_VOCABULARIES:
            self.fail(
                f["methods_vocabulary"][1],
                f"细则的方法词表 methods_vocabulary 应为 {'、'.join(METHOD_VOCABULARIES)} 之一，实为 {vocab}",
            )
        self.methods = METHOD_VOCABULARIES[vocab]
        total, total_dec = self.points(f["total"][1], "细则", "total")
        notes = self.text(f["notes"][1], "细则", "notes") if "notes" in f else None

        categories = []
        sums: list[Decimal] = []
        group_sums: dict[str, list[Decimal]] = {g: [] for g in GROUPS}
        for node in self.sequence(f["categories"][1], "细则", "categories"):
            category, dec = self.category(node)
            categories.append(category)
            sums.append(dec)
            group_sums[category.group].append(dec)
        self.check_sum(sums, total_dec, f["total"][1], "各类别分值之和 {sum} 与细则总分 {whole} 不符")

        groups: dict[str, float] = {}
        if "groups" in f:
            gnode = f["groups"][1]
            gf = self.fields(gnode, "细则的 groups", ((), GROUPS))
            labels = {"basic": "基本指标", "featured": "特色指标"}
            declared = []
            for group, (_, vnode) in gf.items():
                value, dec = self.points(vnode, "细则的 groups", group)
                groups[group] = value
                declared.append(dec)
                self.check_sum(
                    group_sums[group],
                    dec,
                    vnode,
                    labels[group] + "类别分值之和 {sum} 与 groups 中声明的 {whole} 不符",
                )
            for group in GROUPS:
                if group not in gf and group_sums[group]:
                    self.fail(gnode, f"groups 缺少 {group}，但有类别属于该组")
            self.check_sum(declared, total_dec, gnode, "groups 各组分值之和 {sum} 与细则总分 {whole} 不符")

        return Rubric(
            id=rubric_id,
            name=name,
            source=source,
            tier=tier,
            period=period,
            total=total,
            groups=MappingProxyType(groups),
            methods_vocabulary=vocab,
            categories=tuple(categories),
            notes=notes,
            path=self.path,
            line=f["id"][1].start_mark.line + 1,
        )

    def source(self, node: yaml.Node) -> Source:
        f = self.fields(node, "细则的 source", _SOURCE_KEYS)
        opt = {k: self.text(f[k][1], "细则的 source", k) for k in ("attachment", "title", "lines") if k in f}
        return Source(file=self.text(f["file"][1], "细则的 source", "file"), **opt)

    def category(self, node: yaml.Node) -> tuple[Category, Decimal]:
        f = self.fields(node, "类别", _CATEGORY_KEYS)
        cid = self.new_id(f["id"][1], "类别")
        what = f"类别 {cid}"
        name = self.text(f["name"][1], what, "name")
        points, dec = self.points(f["points"][1], what)
        group = "basic"
        if "group" in f:
            group = self.text(f["group"][1], what, "group")
            if group not in GROUPS:
                self.fail(f["group"][1], f"{what} 的 group 应为 basic 或 featured，实为 {group}")
        notes = self.text(f["notes"][1], what, "notes") if "notes" in f else None
        items_, sums = [], []
        for inode in self.sequence(f["items"][1], what, "items"):
            item, idec = self.item(inode, cid)
            items_.append(item)
            sums.append(idec)
        self.check_sum(sums, dec, f["points"][1], f"类别 {cid} 的各条目分值之和 {{sum}} 与该类别分值 {{whole}} 不符")
        return (
            Category(
                id=cid,
                name=name,
                points=points,
                items=tuple(items_),
                group=group,
                notes=notes,
                line=node.start_mark.line + 1,
            ),
            dec,
        )

    def item(self, node: yaml.Node, category_id: str) -> tuple[Item, Decimal]:
        f = self.fields(node, "条目", _ITEM_KEYS)
        iid = self.new_id(f["id"][1], "条目")
        what = f"条目 {iid}"
        name = self.text(f["name"][1], what, "name")
        points, dec = self.points(f["points"][1], what)
        source_line = self.positive_int(f["source_line"][1], what, "source_line") if "source_line" in f else None
        notes = self.text(f["notes"][1], what, "notes") if "notes" in f else None
        stds, sums = [], []
        for snode in self.sequence(f["standards"][1], what, "standards"):
            std, sdec = self.standard(snode, category_id, iid)
            stds.append(std)
            sums.append(sdec)
        self.check_sum(sums, dec, f["points"][1], f"条目 {iid} 的各项标准分值之和 {{sum}} 与该条目分值 {{whole}} 不符")
        return (
            Item(
                id=iid,
                name=name,
                points=points,
                category_id=category_id,
                standards=tuple(stds),
                source_line=source_line,
                notes=notes,
                line=node.start_mark.line + 1,
            ),
            dec,
        )

    def standard(self, node: yaml.Node, category_id: str, item_id: str) -> tuple[Standard, Decimal]:
        f = self.fields(node, "标准", _STANDARD_KEYS)
        sid = self.new_id(f["id"][1], "标准")
        what = f"标准 {sid}"
        name = self.text(f["name"][1], what, "name")
        points, dec = self.points(f["points"][1], what)
        methods = []
        for mnode in self.sequence(f["methods"][1], what, "methods"):
            method = self.text(mnode, what, "methods")
            if method not in self.methods:
                self.fail(mnode, f"{what} 的评估方法“{method}”不在允许的方法中（{'、'.join(self.methods)}）")
            if method in methods:
                self.fail(mnode, f"{what} 的评估方法“{method}”重复")
            methods.append(method)
        mode = self.text(f["mode"][1], what, "mode")
        if mode not in MODES:
            self.fail(f["mode"][1], f"{what} 的 mode 应为 computed 或 entered，实为 {mode}")
        description = self.text(f["description"][1], what, "description")
        source_line = self.positive_int(f["source_line"][1], what, "source_line")
        may_exceed = self.flag(f["may_exceed"][1], what, "may_exceed") if "may_exceed" in f else False
        notes = self.text(f["notes"][1], what, "notes") if "notes" in f else None

        bonus = None
        if "bonus" in f:
            bnode = f["bonus"][1]
            bf = self.fields(bnode, f"{what} 的 bonus", _BONUS_KEYS)
            bonus = Bonus(
                points=self.points(bf["points"][1], f"{what} 的 bonus")[0],
                when=self.text(bf["when"][1], f"{what} 的 bonus", "when"),
            )
            if not may_exceed:
                self.fail(bnode, f"{what} 有额外加分 bonus，应同时声明 may_exceed: true")

        rule = None
        if mode == "computed":
            if "rule" not in f:
                self.fail(f["mode"][1], f"{what} 为 computed（由数据计算），但缺少计算规则 rule")
            rule = self.rule(f["rule"][1], what, dec, may_exceed, notes is not None)
        elif "rule" in f:
            self.fail(f["rule"][0], f"{what} 为 entered（督查录入），不应有计算规则 rule")

        return (
            Standard(
                id=sid,
                name=name,
                points=points,
                methods=tuple(methods),
                mode=mode,
                description=description,
                source_line=source_line,
                category_id=category_id,
                item_id=item_id,
                rule=rule,
                may_exceed=may_exceed,
                bonus=bonus,
                notes=notes,
                line=node.start_mark.line + 1,
            ),
            dec,
        )

    def rule(self, node: yaml.Node, what: str, points: Decimal, may_exceed: bool, has_notes: bool) -> Rule:
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, f"{what} 的计算规则 rule 应写成“字段: 值”的形式")
        nodes: dict[str, yaml.Node] = {}
        for key_node, value_node in node.value:
            key = self.value(key_node) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.fail(key_node, f"{what} 的计算规则字段名必须是文字")
            if key in nodes:
                self.fail(key_node, f"{what} 的计算规则字段 {key} 重复出现")
            nodes[key] = value_node
        if "kind" not in nodes:
            self.fail(node, f"{what} 的计算规则缺少 kind")
        kind = self.text(nodes["kind"], what, "rule.kind")
        if kind not in RULE_KINDS:
            self.fail(nodes["kind"], f"{what} 的计算规则种类“{kind}”未知（可用：{'、'.join(RULE_KINDS)}）")
        for group in RULE_KINDS[kind]:
            if not any(k in nodes for k in group):
                self.fail(node, f"{what} 的计算规则 {kind} 缺少参数 {' 或 '.join(group)}")
        params = {k: self.value(v) for k, v in nodes.items() if k != "kind"}

        for key in ("points_per_month", "points_per_quarter", "min_per_month", "min_per_quarter"):
            if key in params:
                v = params[key]
                if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                    self.fail(nodes[key], f"{what} 的计算规则参数 {key} 应为正数")
        if "target" in params:
            v = params["target"]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or v <= 0:
                self.fail(nodes["target"], f"{what} 的计算规则参数 target 应为正数")
            if kind in ("volunteer_share", "chaxiang_coverage") and v > 1:
                self.fail(nodes["target"], f"{what} 的比例目标 target 应写成小数（如 0.13），不应大于 1")
        if "scoring" in params and params["scoring"] not in SCORINGS:
            self.fail(nodes["scoring"], f"{what} 的计算规则参数 scoring 应为 {'、'.join(SCORINGS)} 之一")
        if "require" in params:
            req = params["require"]
            if not isinstance(req, list) or not req or any(r not in ACTIVITY_MATERIALS for r in req):
                self.fail(
                    nodes["require"],
                    f"{what} 的计算规则参数 require 应为 {'、'.join(ACTIVITY_MATERIALS)} 中若干项组成的列表",
                )
        if "levels" in params:
            levels = params["levels"]
            ok = (
                isinstance(levels, dict)
                and set(levels) == set(MEDIA_LEVELS)
                and all(isinstance(x, (int, float)) and not isinstance(x, bool) and x > 0 for x in levels.values())
            )
            if not ok:
                self.fail(
                    nodes["levels"], f"{what} 的媒体分级 levels 应为 {'、'.join(MEDIA_LEVELS)} 四级，各给正数分值"
                )
        for key in ("may_exceed", "highest_level_once_per_item", "demonstrative"):
            if key in params and not isinstance(params[key], bool):
                self.fail(nodes[key], f"{what} 的计算规则参数 {key} 应为 true 或 false")
        if params.get("may_exceed") and not may_exceed:
            self.fail(node, f"{what} 的计算规则允许超出标准分，但标准本身未声明 may_exceed: true")

        # 按月/按季计分的规则：满额应等于标准分值，不等时必须在 notes 中说明原文出入。
        if self.months and not has_notes:
            for key, per_year in (("points_per_month", self.months), ("points_per_quarter", self.months // 3)):
                if key in params:
                    full = Decimal(str(params[key])) * per_year
                    if full != points:
                        self.fail(
                            nodes[key],
                            f"{what} 按 {key}={params[key]} 计满一个评估周期为 {_fmt(full)} 分，"
                            f"与标准分值 {_fmt(points)} 不符；若原文如此，请在 notes 中说明",
                        )
        return Rule(kind=kind, params=_freeze(params))
