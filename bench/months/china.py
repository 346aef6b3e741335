"""A Chinese domestic manufacturer's month: 有限公司 customers, 数电发票 numbers, an ICBC-style CSV.

Customers are named as Chinese companies are ("深圳市华达电子有限公司", "华达电子（苏州）有限
公司"); the counterparty on the statement is the full Chinese name, now and then cut short by
the bank, and for customers paying from Hong Kong accounts the English or pinyin trade name.
Our invoices are fully digital e-invoices with 20-digit numbers, which customers quote by
their last 6-8 digits, or not at all: "货款", "付2月货款" (all of February's invoices), the
contract number (合同号). Discounts for early payment are rare; prepayments against a
contract are common; bid bonds come back (保证金退还); export VAT refunds arrive from the
state treasury (国家金库); web-shop takings come from 支付宝 and 财付通. The bank file is a
GB18030 CSV with a preamble, 借方发生额/贷方发生额, 对方户名, 摘要 and 用途, as ICBC and CCB
corporate e-banking export it.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import zlib
from typing import ClassVar

from .model import Customer, Line, Receipt
from .style import Debit, Style

__all__ = ["China"]

_CITIES = (
    ("深圳市", "深圳", "Shenzhen"),
    ("广州市", "广州", "Guangzhou"),
    ("东莞市", "东莞", "Dongguan"),
    ("佛山市", "佛山", "Foshan"),
    ("上海", "上海", "Shanghai"),
    ("苏州", "苏州", "Suzhou"),
    ("杭州", "杭州", "Hangzhou"),
    ("宁波", "宁波", "Ningbo"),
    ("厦门", "厦门", "Xiamen"),
    ("北京", "北京", "Beijing"),
    ("天津", "天津", "Tianjin"),
    ("成都", "成都", "Chengdu"),
    ("武汉", "武汉", "Wuhan"),
    ("青岛", "青岛", "Qingdao"),
    ("无锡", "无锡", "Wuxi"),
)
_FIRST = dict(
    zip(
        "华鑫恒宏金瑞永嘉天盛中海东新博凯佳联明富汇长荣利德正广宝创兴",
        [
            "Hua",
            "Xin",
            "Heng",
            "Hong",
            "Jin",
            "Rui",
            "Yong",
            "Jia",
            "Tian",
            "Sheng",
            "Zhong",
            "Hai",
            "Dong",
            "Xin",
            "Bo",
            "Kai",
            "Jia",
            "Lian",
            "Ming",
            "Fu",
            "Hui",
            "Chang",
            "Rong",
            "Li",
            "De",
            "Zheng",
            "Guang",
            "Bao",
            "Chuang",
            "Xing",
        ],
        strict=True,
    )
)
_SECOND = dict(
    zip(
        "达源通远辉丰禾成泰纳信美珠昌科隆诚威晟邦悦安润捷越",
        [
            "da",
            "yuan",
            "tong",
            "yuan",
            "hui",
            "feng",
            "he",
            "cheng",
            "tai",
            "na",
            "xin",
            "mei",
            "zhu",
            "chang",
            "ke",
            "long",
            "cheng",
            "wei",
            "sheng",
            "bang",
            "yue",
            "an",
            "run",
            "jie",
            "yue",
        ],
        strict=True,
    )
)
_TRADES = (
    ("电子", "Electronics"),
    ("科技", "Technology"),
    ("贸易", "Trading"),
    ("机械", "Machinery"),
    ("新材料", "New Material"),
    ("塑胶", "Plastic"),
    ("五金", "Hardware"),
    ("包装", "Packaging"),
    ("化工", "Chemical"),
    ("精密", "Precision"),
    ("光电", "Optoelectronic"),
    ("实业", "Industrial"),
    ("供应链", "Supply Chain"),
    ("自动化", "Automation"),
)
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
_GIVEN = ("建国", "伟", "芳", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "涛", "明")
_MONTHS = "一二三四五六七八九十"


def _money(cents: int) -> str:
    return f"{cents // 100:,}.{cents % 100:02d}"


def _pinyin(trade: str) -> str:
    return _FIRST[trade[0]] + _SECOND[trade[1]]


class China(Style):
    code = "cn"
    company_name = "深圳市嘉信精密制造有限公司"
    company_address = "深圳市宝安区福永街道凤凰第一工业区A栋"
    base_currency = "CNY"
    language = "zh"
    date_order = "dmy"  # its CSV writes ISO dates, so the setting does not matter: the default
    fee_tolerance = "100.00"
    po_share = 0.15
    discount_share = 0.03
    discount_terms = ((2, 10), (1, 15))
    typical_lateness = 20
    fixed_fees = (3_600_00, 12_000_00)
    fixed_fee_segment = "技术服务年费"
    coarse_step = 1000_00
    account = "4000021309200123456"
    rates: ClassVar[dict[str, float]] = {"USD": 7.18, "HKD": 0.92}

    # -- money ---------------------------------------------------------------------------
    def invoice_median(self) -> int:
        return 30_000_00

    def invoice_amount(self, rng: random.Random, scale: float) -> int:
        net = rng.lognormvariate(0, 0.9) * 26_000 * scale**0.5
        return round(round(net, -1) * 1.13 * 100)  # 13 % VAT on a net price in whole yuan tens

    def bank_fee(self, rng: random.Random) -> int:
        return rng.choice((20_00, 30_00, 50_00, 80_00, 150_00))

    # whole units: lowest, highest, rounded to (1: with cents)
    other_ranges: ClassVar[dict[str, tuple[int, int, int]]] = {
        "rebate": (5_000, 120_000, 100),
        "refund": (300, 60_000, 1),
        "interest": (80, 6_000, 1),
        "loan": (100_000, 2_000_000, 10_000),
        "deposit": (10_000, 200_000, 1_000),
        "insurance": (2_000, 80_000, 1),
        "tax_refund": (5_000, 300_000, 1),
        "psp_payout": (500, 40_000, 1),
        "own_transfer": (50_000, 1_000_000, 10_000),
    }

    # -- customers -----------------------------------------------------------------------
    def customer_id(self, i: int) -> str:
        return f"KH{i + 1:05d}"

    def _parts(self, rng: random.Random) -> tuple[tuple[str, str, str], str, tuple[str, str]]:
        trade = rng.choice(list(_FIRST)) + rng.choice(list(_SECOND))
        return rng.choice(_CITIES), trade, rng.choice(_TRADES)

    def _compose(self, city: tuple[str, str, str], trade: str, kind: tuple[str, str], form: int) -> str:
        if form == 0:
            return f"{city[0]}{trade}{kind[0]}有限公司"
        if form == 1:
            return f"{trade}{kind[0]}（{city[1]}）有限公司"
        return f"{city[1]}{trade}{kind[0]}股份有限公司"

    def customer_name(self, rng: random.Random, taken: set[str]) -> str:
        while True:
            name = self._compose(*self._parts(rng), rng.choice((0, 0, 0, 1, 2)))
            if name not in taken:
                return name

    def twin_name(self, rng: random.Random, name: str, taken: set[str]) -> str:
        variants = [
            name.replace("有限公司", "科技有限公司", 1)
            if "科技" not in name
            else name.replace("科技", "", 1),
            name.replace("股份有限公司", "有限公司")
            if "股份" in name
            else name.replace("有限公司", "股份有限公司"),
        ]
        for city, short, _ in _CITIES:
            if name.startswith(city):
                variants.append(name.replace(city, short, 1))  # 深圳市华达… and 深圳华达…: two companies
        fresh = [v for v in variants if v != name and v not in taken]
        return rng.choice(fresh) if fresh else self.customer_name(rng, taken)

    def foreign_customer(self, rng: random.Random, taken: set[str]) -> tuple[str, str, str]:
        _, trade, kind = self._parts(rng)
        name = f"{_pinyin(trade)} {kind[1]} (HK) Limited"
        return (
            (name if name not in taken else self.customer_name(rng, taken)),
            rng.choice(("USD", "USD", "HKD")),
            "en",
        )

    def group_names(self, rng: random.Random, g: int) -> tuple[str, list[str]]:
        trade = rng.choice(list(_FIRST)) + rng.choice(list(_SECOND))
        cities = rng.sample(_CITIES, 3)
        kinds = rng.sample(_TRADES, 3)
        members = [self._compose(c, trade, k, f) for c, k, f in zip(cities, kinds, (0, 1, 0), strict=True)]
        payer = f"{trade}集团财务有限公司" if g % 2 else f"{trade}集团有限公司"
        return payer, members[: 2 + g % 2]

    def bank_name(self, rng: random.Random, customer: Customer) -> str:
        if customer.language == "en":
            return customer.name.upper().replace("LIMITED", "LTD")[:35]
        roll = rng.random()
        if roll < 0.08:  # pays from its Hong Kong or offshore account: the English trade name
            trade = _trade_of(customer.name)
            if trade:
                kind = next((k[1] for k in _TRADES if k[0] in customer.name), "Trading")
                return f"{_pinyin(trade).upper()} {kind.upper()} CO LTD"[:35]
        if roll < 0.2 and len(customer.name) > 12:
            return customer.name[: rng.randint(10, 12)]  # the bank keeps only so many characters
        return customer.name

    def contact(self, rng: random.Random, customer: Customer) -> tuple[str, str]:
        city = next((c for c in _CITIES if c[1] in customer.name), rng.choice(_CITIES))
        email = f"cw{customer.id[-4:]}@{rng.choice(('163.com', 'qq.com', 'sina.com'))}"
        return (
            email,
            f"{city[0]}{rng.choice(('南山区', '宝安区', '高新区', '工业园区'))}{rng.randint(1, 300)}号",
        )

    def terms_days(self, rng: random.Random) -> int:
        return rng.choice((30, 30, 60, 60, 90))  # 月结30天/60天/90天

    def third_party(self, rng: random.Random) -> str:
        if rng.random() < 0.4:
            return rng.choice(_SURNAMES) + rng.choice(_GIVEN)  # the owner pays from a personal account
        trade = rng.choice(list(_FIRST)) + rng.choice(list(_SECOND))
        return rng.choice((f"深圳市{trade}供应链管理有限公司", f"{trade}商业保理有限公司"))

    # -- numbers -------------------------------------------------------------------------
    credit_notes_apart = False  # a red-letter e-invoice takes the next number like any other

    def first_serial(self, rng: random.Random) -> int:
        return rng.randrange(100_000_000, 800_000_000)

    def invoice_number(self, date: dt.date, serial: int, credit_note: bool) -> str:
        return f"{date.year % 100:02d}442000000{serial:09d}"  # year, Guangdong, issuer block, serial

    def typed_forms(self, number: str) -> list[str]:
        return [number[-8:], number[-8:], number[-6:], number[-7:]]

    def reference(self, rng: random.Random, customer: Customer, date: dt.date) -> str:
        if rng.random() < 0.5:
            return f"HT{date:%Y%m}{rng.randrange(1, 999):03d}"  # our contract
        return f"PO{date:%Y%m%d}{rng.randrange(1, 99):02d}"  # their order

    def proforma(self, rng: random.Random) -> str:
        return f"HT{rng.choice((2025, 2026))}{rng.randrange(1, 13):02d}{rng.randrange(1, 999):03d}"

    # -- words ---------------------------------------------------------------------------
    def render(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        numbers = self.cited(receipt, rng)
        joined = rng.choice(("，", ",", "、", " ")).join(numbers)
        situation = receipt.situation
        customer = receipt.payer.customer
        payer = customer.bank_name if customer else ""
        channel = rng.choice(("网银转账", "跨行转入", "汇入汇款", "电子汇入", "转账"))
        invoice_words = ("发票号", "发票号码", "票号", "发票", "货款 发票号", "支付货款 发票")
        number_memo = f"{rng.choice(invoice_words)}{joined}" if numbers else rng.choice(("货款", "付货款"))
        memo = number_memo
        if receipt.cite == "none":
            memo = rng.choice(("货款", "货款", "付货款", "往来款", "支付货款", "转账", ""))
            if situation == "same_amount_many":
                memo = rng.choice(("服务费", "技术服务费", "年费", "付服务费"))
        elif receipt.cite == "reference":
            memo = rng.choice((f"合同号{joined}货款", f"{joined}货款", f"订单{joined}", f"付{joined}款"))
        elif receipt.cite == "period":
            month = receipt.details["period"].month  # type: ignore[union-attr]
            what = "服务费" if situation == "same_amount_many" else "货款"
            memo = rng.choice(
                (
                    f"付{month}月{what}",
                    f"{month}月份{what}",
                    f"{_MONTHS[month - 1] if month <= 10 else month}月{what}",
                    f"支付{month}月对账单{what}",
                )
            )
        elif receipt.cite == "proforma":
            pf = receipt.details["proforma"]
            memo = rng.choice((f"预付款 合同号{pf}", f"{pf}预付货款", f"定金 合同{pf}", "预付货款"))
        if situation == "partial":
            memo = rng.choice((f"{memo} 部分货款", f"分期付款 {memo}", "部分货款", "货款"))
        elif situation == "discount_in_period" or situation == "discount_after_period":
            memo = rng.choice(
                (f"{memo} 扣现金折扣{receipt.details['percent']}%", f"{memo} 提前付款折扣", memo)
            )
        elif situation == "credit_note_netted":
            first, second = numbers[0], numbers[1]
            memo = rng.choice((f"发票号{first}扣红字发票{second}", f"货款{first}减红冲{second}"))
        elif situation == "other_currency":
            foreign = f"{receipt.details['foreign_currency']} {_money(int(receipt.details['foreign']))}"  # type: ignore[call-overload]
            memo = rng.choice((f"{foreign} {number_memo}", f"货款 {number_memo} 结汇", f"{number_memo}"))
        elif situation == "group_payment":
            memo = rng.choice((f"代付货款 发票号{joined}", f"集团代付 {joined}", f"子公司货款 {joined}"))
            payer = receipt.payer.name
        elif situation == "third_party_payer":
            payer = receipt.payer.name
            owner = receipt.cites[0].customer.name
            memo = rng.choice((f"代{owner}支付货款 {number_memo}", f"代付 {number_memo}", number_memo))
        elif situation in _OTHER:
            name, memo, channel = self._other(receipt, rng)
            payer = payer or name
        if situation == "bank_fee":
            channel = "汇入汇款"
        return payer, memo, channel

    def _other(self, receipt: Receipt, rng: random.Random) -> tuple[str, str, str]:
        names, memos, channels = _OTHER[receipt.situation]
        person = rng.choice(_SURNAMES) + rng.choice(_GIVEN)
        pick = rng.randrange(len(names))  # a provider's payout carries its own words
        name = names[pick].format(person=person, supplier=self.customer_name(rng, set()))
        memo = (memos[pick] if receipt.situation == "psp_payout" else rng.choice(memos)).format(
            person=person,
            year=receipt.date.year - 1,
            q=(receipt.date.month - 1) // 3 or 4,
            doc=rng.randrange(10_000_000, 99_999_999),
        )
        return name, memo, rng.choice(channels)

    def debit(self, rng: random.Random) -> Debit:
        roll = rng.random()
        if roll < 0.5:
            return (
                self.customer_name(rng, set()),
                rng.choice(("支付货款", "材料款", "付加工费")),
                round(rng.lognormvariate(10, 1)) * 100,
                "网银转账",
            )
        if roll < 0.65:
            return "", rng.choice(("代发工资", "工资")), rng.randrange(100_000, 900_000) * 100, "代发工资"
        if roll < 0.8:
            return (
                "国家金库深圳市中心支库",
                rng.choice(("增值税", "企业所得税", "社会保险费")),
                rng.randrange(5_000, 200_000) * 100,
                "税费缴纳",
            )
        return "", rng.choice(("手续费", "电子汇划费", "账户管理费")), rng.randrange(5, 200) * 100, "收费"

    def bank_ref(self, day: dt.date, serial: int) -> str:
        return f"{day:%Y%m%d}{serial * 7919 % 100_000_000:08d}{serial % 1000:03d}"

    def bank_files(self, lines: list[Line], start: dt.date, end: dt.date) -> dict[str, bytes]:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow([f"账号：{self.account}"])
        writer.writerow([f"户名：{self.company_name}"])
        writer.writerow(["币种：人民币"])
        writer.writerow([f"起止日期：{start:%Y-%m-%d} 至 {end:%Y-%m-%d}"])
        writer.writerow(
            [
                "交易日期",
                "交易时间",
                "借方发生额",
                "贷方发生额",
                "余额",
                "币种",
                "对方户名",
                "对方账号",
                "摘要",
                "用途",
                "交易流水号",
            ]
        )
        balance = 3_218_455_27
        for n, line in enumerate(lines):
            balance += line.amount
            debit = _money(-line.amount) if line.amount < 0 else ""
            credit = _money(line.amount) if line.amount > 0 else ""
            clock = f"{9 + n * 7 % 8:02d}:{n * 13 % 60:02d}:{n * 29 % 60:02d}"
            writer.writerow(
                [
                    f"{line.date:%Y-%m-%d}",
                    clock,
                    debit,
                    credit,
                    _money(balance),
                    "人民币",
                    line.payer,
                    _account_of(line.payer),
                    line.channel,
                    line.memo,
                    line.bank_ref,
                ]
            )
        return {f"工商银行对账单_{start:%Y%m}.csv": out.getvalue().encode("gb18030")}


def _account_of(payer: str) -> str:
    """A stable made-up account number for a counterparty (the CSV has the column; nobody matches on it)."""
    return f"44{zlib.crc32(payer.encode()):010d}0001" if payer else ""


def _trade_of(name: str) -> str:
    """The two-character trade name inside a company name ("华达" in 深圳市华达电子有限公司)."""
    return next(
        (name[i : i + 2] for i in range(len(name) - 1) if name[i] in _FIRST and name[i + 1] in _SECOND), ""
    )


_OTHER: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "rebate": (
        ("{supplier}",),
        ("返利", "{year}年度返利", "销售返利款", "返点", "{q}季度返利"),
        ("网银转账", "转账"),
    ),
    "refund": (
        ("{supplier}",),
        ("退款", "退货款", "退回多付货款", "退货退款 订单{doc}", "退款 发票{doc}"),
        ("网银转账", "跨行转入"),
    ),
    "interest": (
        ("", "中国工商银行深圳宝安支行"),
        ("利息", "结息", "第{q}季度结息", "协定存款利息"),
        ("结息",),
    ),
    "loan": (
        ("{person}", "{person}", "中国工商银行深圳宝安支行"),
        ("股东借款", "借款", "股东借款 {person}", "贷款发放"),
        ("转账", "贷款发放"),
    ),
    "deposit": (
        ("{supplier}", "深圳市公共资源交易中心"),
        ("退还押金", "保证金退回", "投标保证金退还", "履约保证金退还"),
        ("网银转账",),
    ),
    "insurance": (
        ("中国人民财产保险股份有限公司深圳市分公司", "平安财产保险股份有限公司"),
        ("保险理赔款", "理赔", "赔款 报案号{doc}"),
        ("转账",),
    ),
    "tax_refund": (
        ("国家金库深圳市中心支库", "国家金库深圳市宝安支库"),
        ("出口退税", "增值税留抵退税", "退税"),
        ("退税",),
    ),
    "psp_payout": (
        ("支付宝（中国）网络技术有限公司", "财付通支付科技有限公司", "银联商务股份有限公司"),
        ("支付宝提现", "财付通提现", "商户结算款"),
        ("转账", "批量代付"),
    ),
    "own_transfer": (("深圳市嘉信精密制造有限公司",), ("内部转账", "调拨资金", "资金归集"), ("转账",)),
}
