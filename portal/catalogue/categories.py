"""The catalogue tree (所属分类) of 国办公开办函〔2019〕61号 and 条例 第二十条, and the other
allowed values of the catalogue metadata."""

from dataclasses import dataclass, field

from portal.text import N_


@dataclass(frozen=True)
class Category:
    """A node of the catalogue tree: a stable URL slug and its Chinese name."""

    slug: str
    name: str
    children: tuple["Category", ...] = ()
    parent: "Category | None" = field(default=None, compare=False, repr=False)

    def path(self) -> tuple["Category", ...]:
        """The node's ancestors from the root down, ending with the node itself."""
        node, nodes = self, []
        while node is not None:
            nodes.append(node)
            node = node.parent
        return tuple(reversed(nodes))

    def descendants(self) -> tuple["Category", ...]:
        """The node itself and every node below it."""
        nodes = [self]
        for child in self.children:
            nodes.extend(child.descendants())
        return tuple(nodes)


def _tree(spec) -> tuple[Category, ...]:
    """Build Category nodes from (slug, name, children) tuples, linking parents."""
    nodes = []
    for slug, name, children in spec:
        node = Category(slug, name, _tree(children))
        for child in node.children:
            object.__setattr__(child, "parent", node)
        nodes.append(node)
    return tuple(nodes)


TREE = _tree(
    (
        ("guide", N_("政府信息公开指南"), ()),
        ("rules", N_("政府信息公开制度"), ()),
        (
            "statutory",
            N_("法定主动公开内容"),
            (
                ("organisation", N_("机构职能"), ()),
                (
                    "policy-documents",
                    N_("政策文件"),
                    (
                        ("regulations", N_("规章"), ()),
                        ("normative-documents", N_("行政规范性文件"), ()),
                        ("other-documents", N_("其他文件"), ()),
                    ),
                ),
                ("interpretation", N_("政策解读"), ()),
                ("plans", N_("规划计划"), ()),
                ("statistics", N_("统计信息"), ()),
                ("licensing", N_("行政许可和其他对外管理服务"), ()),
                ("penalties", N_("行政处罚和行政强制"), ()),
                ("budgets", N_("财政预决算"), ()),
                ("fees", N_("行政事业性收费"), ()),
                ("procurement", N_("政府采购"), ()),
                ("projects", N_("重大建设项目"), ()),
                ("personnel", N_("人事信息"), ()),
                ("proposals", N_("建议提案办理"), ()),
                ("key-areas", N_("重点领域信息"), ()),
            ),
        ),
        ("annual-reports", N_("政府信息公开年报"), ()),
        ("on-request", N_("依申请公开"), ()),
    )
)

ALL = tuple(node for root in TREE for node in root.descendants())
BY_SLUG = {node.slug: node for node in ALL}
BY_NAME = {node.name: node for node in ALL}

# 五公开: the value staff write, and the slug used in URLs.
FIVE_OPENNESS = {
    N_("决策公开"): "decision",
    N_("执行公开"): "execution",
    N_("管理公开"): "management",
    N_("服务公开"): "service",
    N_("结果公开"): "result",
}
FIVE_OPENNESS_BY_SLUG = {slug: name for name, slug in FIVE_OPENNESS.items()}
TIME_LIMITS = (N_("长期公开"), N_("及时公开"), N_("限时公开"))
# 依申请公开 is also a column of the tree; as a disclosure method it reads differently in English,
# so templates translate these with the context 公开方式 (documents/detail.html).
MODES = ("主动公开", "依申请公开")
