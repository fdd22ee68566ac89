"""Plausible Chinese names for generated places and people (deterministic for a given generator)."""

from __future__ import annotations

import numpy as np

SYLLABLES = list(
    "东西南北中上下前后新老大小王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易"
    "常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐沿梅莫庄辛管祝左涂谷祁时"
    "舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍位覃霍翁隋植甘景薄单包司柏宁柯阮桂闵欧阳解强柴华车冉房"
)
SURNAMES = np.array(
    list("王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎")
)
GIVEN = np.array(list("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌宇浩凯鹏辉晨阳雪梅琳倩颖婷"))
GIVEN_OR_NONE = np.concatenate([GIVEN, np.array([""] * 20)])
MOBILE_PREFIXES = np.array(["139", "138", "137", "135", "152", "158", "186", "189", "177", "199"])
PLACE = list("安宁和平兴盛永康福泰丰富顺利昌隆吉祥长乐清泉青山绿水翠柳杏花桃园槐荫柏林松涛云峰龙凤金水石河沟堡庄营屯")


def place_names(rng: np.random.Generator, n: int, suffixes: list[str], taken: set[str]) -> list[str]:
    """``n`` new place names, two syllables plus one of ``suffixes``, none already in ``taken``."""
    out: list[str] = []
    while len(out) < n:
        a, b = rng.choice(PLACE, 2, replace=True)
        name = f"{a}{b}{suffixes[int(rng.integers(len(suffixes)))]}"
        if name not in taken and a != b:
            taken.add(name)
            out.append(name)
    return out


def person_names(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` personal names (surname + one or two given characters)."""
    given = np.strings.add(rng.choice(GIVEN, n), rng.choice(GIVEN_OR_NONE, n))
    return np.strings.add(rng.choice(SURNAMES, n), given).tolist()


def phones(rng: np.random.Generator, n: int) -> list[str]:
    """``n`` mobile numbers of the usual shape (13x–19x)."""
    rest = np.strings.zfill(rng.integers(0, 10**8, n).astype("U8"), 8)
    return np.strings.add(rng.choice(MOBILE_PREFIXES, n), rest).tolist()
