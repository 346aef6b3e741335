"""Customer identities by country, and the ways a bank mangles a customer's name.

Matching payer names is half of a matcher's work, so every customer carries, besides its
master-data name, the forms a bank statement really shows: legal form dropped, words
abbreviated or swapped, a typo, umlauts written out (Müller -> Mueller), a Chinese name
in pinyin, the name cut at 35 characters, all caps. Each is computed once per customer
(cheap even for 20,000 customers) and picked by index when bank lines are built.
"""

from __future__ import annotations

import functools
import random
import re
from dataclasses import dataclass

from anyascii import anyascii
from pypinyin import lazy_pinyin

__all__ = [
    "COUNTRIES",
    "CountryStyle",
    "Identity",
    "make_identity",
    "swift_text",
    "transliterate_umlauts",
]


@dataclass(frozen=True)
class CountryStyle:
    code: str
    weight: float
    languages: tuple[str, ...]
    currencies: tuple[tuple[str, float], ...]
    terms: tuple[int, ...]
    legal: tuple[str, ...]
    surnames: tuple[str, ...]
    industries: tuple[str, ...]
    cities: tuple[tuple[str, str], ...]  # (postcode, city)
    streets: tuple[str, ...]
    country_name: str
    contacts: tuple[str, ...]
    qualifiers: tuple[str, ...]  # words that tell two otherwise equal names apart


COUNTRIES: tuple[CountryStyle, ...] = (
    CountryStyle(
        "DE",
        0.34,
        ("de",),
        (("EUR", 1.0),),
        (14, 30, 30, 45),
        ("GmbH", "GmbH", "GmbH", "AG", "GmbH & Co. KG", "KG", "e.K."),
        (
            "Müller",
            "Schmidt",
            "Schneider",
            "Fischer",
            "Weber",
            "Meyer",
            "Wagner",
            "Becker",
            "Schulz",
            "Hoffmann",
            "Schäfer",
            "Koch",
            "Bauer",
            "Richter",
            "Klein",
            "Wolf",
            "Schröder",
            "Neumann",
            "Schwarz",
            "Zimmermann",
            "Braun",
            "Krüger",
            "Hartmann",
            "Lange",
            "Werner",
            "Krause",
            "Lehmann",
            "Köhler",
            "Weiß",
            "Jäger",
            "Groß",
            "Böhm",
            "Brückner",
            "Günther",
        ),
        (
            "Maschinenbau",
            "Elektrotechnik",
            "Präzisionsteile",
            "Werkzeugbau",
            "Antriebstechnik",
            "Kunststofftechnik",
            "Metallverarbeitung",
            "Logistik",
            "Anlagenbau",
            "Industriebedarf",
            "Fördertechnik",
            "Hydraulik",
            "Automatisierungstechnik",
            "Sondermaschinenbau",
        ),
        (
            ("80331", "München"),
            ("70173", "Stuttgart"),
            ("20095", "Hamburg"),
            ("50667", "Köln"),
            ("60311", "Frankfurt am Main"),
            ("90402", "Nürnberg"),
            ("01067", "Dresden"),
            ("04109", "Leipzig"),
            ("30159", "Hannover"),
            ("44135", "Dortmund"),
            ("73728", "Esslingen"),
        ),
        (
            "Hauptstraße",
            "Industriestraße",
            "Gewerbepark",
            "Am Mühlbach",
            "Lindenstraße",
            "Bahnhofstraße",
            "Schillerstraße",
            "Zeppelinstraße",
            "Robert-Bosch-Straße",
        ),
        "Deutschland",
        (
            "Frau Anna Schmidt",
            "Herr Thomas Becker",
            "Frau Sabine Wolf",
            "Herr Jürgen Köhler",
            "Frau Petra Lange",
            "Herr Stefan Groß",
        ),
        (
            "Süd",
            "Nord",
            "West",
            "Ost",
            "Systeme",
            "Sachsen",
            "Bayern",
            "Rhein-Main",
            "Württemberg",
            "Technik",
        ),
    ),
    CountryStyle(
        "FR",
        0.13,
        ("fr",),
        (("EUR", 1.0),),
        (30, 45, 60),
        ("SARL", "S.A.", "SAS", "S.A."),
        (
            "Dupont",
            "Lefèvre",
            "Moreau",
            "Girard",
            "Bonnet",
            "François",
            "Mercier",
            "Rousseau",
            "Fournier",
            "Lambert",
            "Faure",
            "Chevalier",
            "Gauthier",
            "Pélissier",
        ),
        (
            "Électronique",
            "Mécanique",
            "Industrie",
            "Équipements",
            "Outillage",
            "Automatisme",
            "Distribution",
            "Hydraulique",
        ),
        (
            ("75008", "Paris"),
            ("69002", "Lyon"),
            ("13001", "Marseille"),
            ("31000", "Toulouse"),
            ("67000", "Strasbourg"),
            ("44000", "Nantes"),
            ("59000", "Lille"),
        ),
        (
            "rue de la République",
            "avenue Jean Jaurès",
            "boulevard Haussmann",
            "rue Victor Hugo",
            "quai de Saône",
            "rue du Général Leclerc",
        ),
        "France",
        ("Mme Claire Dubois", "M. Jean Martin", "Mme Sophie Laurent", "M. Éric Lefèvre"),
        ("de l'Ouest", "du Nord", "Rhône-Alpes", "Atlantique", "Méditerranée", "Industrielle", "Lorraine"),
    ),
    CountryStyle(
        "UK",
        0.12,
        ("en",),
        (("GBP", 0.7), ("EUR", 0.3)),
        (30, 30, 45),
        ("Ltd", "Limited", "plc", "Ltd"),
        (
            "Thompson",
            "Harwood",
            "Whitfield",
            "Bennett",
            "Clarke",
            "Hughes",
            "Fletcher",
            "Marshall",
            "Ashworth",
            "Pemberton",
            "O'Neill",
            "Sinclair",
            "Griffiths",
            "Lawson",
            "Holloway",
            "Barker",
            "Kendrick",
            "Radcliffe",
            "Whitmore",
            "Dawson",
        ),
        (
            "Engineering",
            "Components",
            "Precision",
            "Industrial Supplies",
            "Automation",
            "Tooling",
            "Fabrications",
            "International",
        ),
        (
            ("B1 1AA", "Birmingham"),
            ("M1 2AB", "Manchester"),
            ("LS1 4DT", "Leeds"),
            ("S1 2HE", "Sheffield"),
            ("EC1A 1BB", "London"),
            ("BS1 4ST", "Bristol"),
        ),
        ("Station Road", "High Street", "Mill Lane", "Victoria Road", "Church Street"),
        "United Kingdom",
        ("Mr James Hughes", "Ms Emma Clarke", "Mr Oliver Bennett", "Mrs Sarah Fletcher"),
        ("Northern", "Midland", "Premier", "Advanced", "United", "Allied", "Coastal", "Yorkshire", "Thames"),
    ),
    CountryStyle(
        "US",
        0.12,
        ("en",),
        (("USD", 1.0),),
        (30, 30, 45, 60),
        ("Inc.", "LLC", "Corp.", "Inc."),
        (
            "Midwest",
            "Pacific",
            "Atlantic",
            "Great Lakes",
            "Summit",
            "Keystone",
            "Liberty",
            "Pioneer",
            "Evergreen",
            "Lone Star",
            "Cascade",
            "Heartland",
            "Blue Ridge",
            "Ironwood",
            "Redstone",
            "Silver Creek",
            "Patriot",
            "Frontier",
            "Bayside",
            "Granite State",
        ),
        (
            "Industrial Supply",
            "Components",
            "Manufacturing",
            "Automation",
            "Machine Works",
            "Tooling",
            "Distribution",
            "Industries",
        ),
        (
            ("IL 60601", "Chicago"),
            ("OH 44113", "Cleveland"),
            ("TX 77002", "Houston"),
            ("MI 48226", "Detroit"),
            ("CA 94105", "San Francisco"),
            ("NC 28202", "Charlotte"),
        ),
        ("W Madison St", "Main Street", "Commerce Drive", "Industrial Pkwy", "Lakeshore Blvd"),
        "USA",
        ("John Miller", "Jennifer Davis", "Michael Brown", "Linda Wilson"),
        ("American", "National", "Advanced", "United", "First", "Superior", "General", "Western", "Southern"),
    ),
    CountryStyle(
        "CH",
        0.08,
        ("de", "de", "fr"),
        (("EUR", 1.0),),
        (30, 30, 60),
        ("AG", "AG", "GmbH", "SA", "Sàrl"),
        ("Keller", "Brunner", "Baumann", "Frei", "Gerber", "Huber", "Meier", "Steiner", "Favre", "Rochat"),
        ("Präzision", "Elektronik", "Maschinen", "Automation", "Mechanik", "Technik"),
        (
            ("8005", "Zürich"),
            ("4051", "Basel"),
            ("3011", "Bern"),
            ("1201", "Genève"),
            ("6003", "Luzern"),
            ("9000", "St. Gallen"),
        ),
        ("Limmatstrasse", "Bahnhofstrasse", "Industriestrasse", "Rue du Rhône", "Seestrasse"),
        "Schweiz",
        ("Herr Beat Keller", "Frau Regula Frei", "M. Laurent Favre"),
        ("Zürich", "Basel", "Bern", "Ostschweiz", "Romandie", "Innerschweiz", "Systeme"),
    ),
    CountryStyle(
        "NL",
        0.09,
        ("en",),
        (("EUR", 1.0),),
        (14, 30, 30),
        ("B.V.", "B.V.", "N.V."),
        (
            "Van der Berg",
            "De Vries",
            "Jansen",
            "Bakker",
            "Visser",
            "Smit",
            "Van Dijk",
            "De Boer",
            "Mulder",
            "Bos",
        ),
        ("Techniek", "Logistiek", "Industrie", "Handel", "Machinebouw", "Elektro"),
        (
            ("1012 AB", "Amsterdam"),
            ("3011 AD", "Rotterdam"),
            ("5611 AZ", "Eindhoven"),
            ("3511 AX", "Utrecht"),
        ),
        ("Keizersgracht", "Stationsplein", "Industrieweg", "Havenstraat"),
        "Nederland",
        ("Dhr. Pieter de Vries", "Mevr. Anke Jansen", "Dhr. Ruud Bakker"),
        ("Noord", "Zuid", "Holland", "Brabant", "Twente", "Limburg"),
    ),
    CountryStyle(
        "CN",
        0.12,
        ("zh",),
        (("USD", 0.6), ("EUR", 0.4)),
        (45, 60, 60),
        ("有限公司", "有限公司", "股份有限公司"),
        ("华贸", "恒通", "鑫达", "宏远", "金源", "瑞丰", "新世纪", "永盛", "德信", "博远", "天成", "佳美"),
        ("电子", "机械", "贸易", "科技", "精密制造", "进出口", "自动化设备"),
        (
            ("200120", "上海"),
            ("100020", "北京"),
            ("518057", "深圳"),
            ("510620", "广州"),
            ("215021", "苏州"),
            ("310052", "杭州"),
            ("315040", "宁波"),
            ("523000", "东莞"),
        ),
        ("张江路", "人民路", "中山路", "建设路", "解放路", "科技园路", "长江路"),
        "中国",
        ("李明", "王芳", "张伟", "刘洋", "陈静", "杨磊"),
        ("华兴", "联合", "东方", "长城", "光明", "海天", "环球", "正泰", "利达", "中兴"),
    ),
)

_CN_INDUSTRY_EN = {
    "电子": "ELECTRONICS",
    "机械": "MACHINERY",
    "贸易": "TRADING",
    "科技": "TECHNOLOGY",
    "精密制造": "PRECISION MANUFACTURING",
    "进出口": "IMPORT AND EXPORT",
    "自动化设备": "AUTOMATION EQUIPMENT",
}
_CN_DISTRICTS = {
    "上海": "浦东新区",
    "北京": "朝阳区",
    "深圳": "南山区",
    "广州": "天河区",
    "苏州": "工业园区",
    "杭州": "滨江区",
    "宁波": "北仑区",
    "东莞": "长安镇",
}
_CN_LEGAL_PINYIN = {"有限公司": "YOUXIAN GONGSI", "股份有限公司": "GUFEN YOUXIAN GONGSI"}
_ABBREVIATIONS = {
    "Maschinenbau": "Maschb.",
    "Elektrotechnik": "Elektrotech.",
    "Präzisionsteile": "Präz.-Teile",
    "Automatisierungstechnik": "Autom.-Technik",
    "Sondermaschinenbau": "Sondermasch.",
    "Antriebstechnik": "Antriebstech.",
    "Kunststofftechnik": "Kunstst.-Technik",
    "Metallverarbeitung": "Metallverarb.",
    "Industriebedarf": "Ind.-Bedarf",
    "Engineering": "Eng.",
    "Components": "Comp.",
    "International": "Intl",
    "Industrial": "Ind.",
    "Manufacturing": "Mfg",
    "Distribution": "Distr.",
    "Industries": "Inds",
    "Automation": "Autom.",
    "Électronique": "Electr.",
    "Équipements": "Equip.",
    "Mécanique": "Méca.",
    "Techniek": "Techn.",
    "Logistiek": "Log.",
    "Machinebouw": "Machineb.",
    "GmbH & Co. KG": "GmbH u. Co.",
    "Limited": "Ltd",
    "Ltd": "Limited",
    "Inc.": "Incorporated",
    "Corp.": "Corporation",
    "S.A.": "SA",
    "B.V.": "BV",
    "Société": "Ste",
}
_ABBREVIATE = re.compile("|".join(re.escape(k) for k in sorted(_ABBREVIATIONS, key=len, reverse=True)))
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue", "ß": "ss"})
_UMLAUT_CAPS = {"Ä": "AE", "Ö": "OE", "Ü": "UE"}
_CAPITAL_UMLAUT = re.compile(r"[ÄÖÜ](?=[A-ZÄÖÜ])|(?<=[A-ZÄÖÜ])[ÄÖÜ]")  # inside a word in capitals
_SWIFT_BAD = re.compile(r"[^A-Za-z0-9/\-().,'+ ]")


def transliterate_umlauts(text: str) -> str:
    """The German way (ü -> ue, ß -> ss; ÄRGER -> AERGER), then anything else to plain ASCII (é -> e)."""
    text = _CAPITAL_UMLAUT.sub(lambda m: _UMLAUT_CAPS[m[0]], text)
    return anyascii(text.translate(_UMLAUTS))


@functools.lru_cache(maxsize=65536)
def swift_text(text: str) -> str:
    """Text as an MT940 statement can carry it: the SWIFT character set, umlauts written out.

    `&` becomes `+` and `?` or `:` (field separators in MT940) become `.`, as banks do.
    """
    ascii_text = transliterate_umlauts(text).replace("&", "+").replace("?", ".").replace(":", ".")
    return re.sub(r"\s+", " ", _SWIFT_BAD.sub(" ", ascii_text)).strip()


@dataclass(frozen=True)
class Identity:
    """One customer's master data and the payer-name forms its bank may show."""

    country: str
    name: str
    core: str  # the name without its legal form: unique among the customers
    language: str
    currency: str
    terms: int
    address: str
    contact: str
    email: str
    bank_name: str  # how its own bank writes it on an ordinary transfer
    parent: str  # a group company or agent that sometimes pays for it
    postcode: str
    city: str
    variants: dict[str, str]  # situation -> payer name; only the forms this name allows


def _domain(core: str, country: str) -> str:
    tld = {"DE": "de", "FR": "fr", "UK": "co.uk", "US": "com", "CH": "ch", "NL": "nl", "CN": "com.cn"}[
        country
    ]
    slug = re.sub(r"[^a-z0-9]+", "-", transliterate_umlauts(core).lower()).strip("-")
    if len(slug) > 40:
        slug = slug[:40].rsplit("-", 1)[0]
    return f"{slug}.{tld}"


def _typo(text: str, rng: random.Random) -> str:
    letters = [i for i, ch in enumerate(text) if ch.isalpha() and i > 0]
    i = rng.choice(letters)
    kind = rng.randrange(3)
    if kind == 0:  # dropped letter
        return text[:i] + text[i + 1 :]
    if kind == 1 and i + 1 < len(text) and text[i + 1].isalpha() and text[i + 1] != text[i]:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + text[i] + text[i:]  # doubled letter


def _pick(rng: random.Random, options: tuple) -> object:
    return rng.choice(options)


@dataclass(frozen=True)
class _Name:
    words: tuple[str, ...]  # the name's parts without legal form (CN: city, brand, industry)
    legal: str
    postcode: str
    city: str

    @property
    def core(self) -> str:
        return "".join(self.words) if self.words[0] in _CN_DISTRICTS else " ".join(self.words)


def _draw_name(style: CountryStyle, rng: random.Random, qualifier: str) -> _Name:
    legal = str(_pick(rng, style.legal))
    postcode, city = _pick(rng, style.cities)  # type: ignore[misc]
    if style.code == "CN":
        return _Name(
            (city, str(_pick(rng, style.surnames)) + qualifier, str(_pick(rng, style.industries))),
            legal,
            postcode,
            city,
        )
    surname, industry = str(_pick(rng, style.surnames)), str(_pick(rng, style.industries))
    pattern = rng.randrange(4)
    if pattern == 0 and style.code not in ("FR", "US"):
        other = str(_pick(rng, style.surnames))
        words = [f"{surname} & {other}" if other != surname else surname, industry]
    elif pattern == 1 and style.code == "FR":
        words = ["Établissements" if rng.random() < 0.5 else "Société", surname, industry]
    elif pattern == 1 and style.code == "DE":
        words = [surname, industry, "und Service"]
    else:
        words = [surname, industry]
    return _Name(tuple([*words, qualifier] if qualifier else words), legal, postcode, city)


def make_identity(style: CountryStyle, rng: random.Random, taken: set[str]) -> Identity:
    """A plausible company of `style`'s country whose name is not in `taken` (which it joins),
    with the payer-name forms that name allows.

    Names are unique (casefolded, legal form ignored) so that a payer name without its legal
    form never fits two customers; when the plain names run out, a region or a second brand
    is added, as real companies do.
    """
    for attempt in range(1000):
        qualifier = "" if attempt < 10 else str(_pick(rng, style.qualifiers))
        if attempt >= 100:
            qualifier = f"{qualifier} {_pick(rng, style.qualifiers)}" if style.code != "CN" else qualifier * 2
        drawn = _draw_name(style, rng, qualifier)
        if drawn.core.casefold() not in taken:
            break
    taken.add(drawn.core.casefold())
    return _identity(style, drawn, rng)


def _identity(style: CountryStyle, drawn: _Name, rng: random.Random) -> Identity:
    legal, postcode, city, core = drawn.legal, drawn.postcode, drawn.city, drawn.core
    currency = rng.choices([c for c, _ in style.currencies], weights=[w for _, w in style.currencies])[0]
    language = str(_pick(rng, style.languages))
    variants: dict[str, str] = {}
    if style.code == "CN":
        _, brand, industry = drawn.words
        name = core + legal
        city_py, brand_py = "".join(lazy_pinyin(city)).upper(), "".join(lazy_pinyin(brand)).upper()
        pinyin = f"{city_py} {brand_py} {''.join(lazy_pinyin(industry)).upper()} {_CN_LEGAL_PINYIN[legal]}"
        bank_name = f"{city_py} {brand_py} {_CN_INDUSTRY_EN[industry]} CO., LTD"
        variants["payer_pinyin"] = pinyin
        parent = f"HONG KONG {brand_py} TRADING LIMITED"
        street = str(_pick(rng, style.streets))
        address = f"中国{city}市{_CN_DISTRICTS[city]}{street}{rng.randrange(1, 999)}号 {postcode}"
        industry_py = "".join(w[0] for w in lazy_pinyin(industry))
        email = f"finance@{brand_py.lower()}{industry_py}-{city_py.lower()}.com.cn"
    else:
        words = list(drawn.words)
        surname = words[0].split(" & ")[0] if words[0] not in ("Établissements", "Société") else words[1]
        name = f"{core} {legal}"
        bank_name = name.upper() if rng.random() < 0.45 else name
        parent = {
            "DE": f"{surname} Holding AG",
            "CH": f"{surname} Holding AG",
            "FR": f"Groupe {surname} S.A.",
            "UK": f"{surname} Group plc",
            "US": f"{surname} Holdings Inc.",
            "NL": f"{surname} Groep B.V.",
        }[style.code]
        number = rng.randrange(1, 240)
        street = str(_pick(rng, style.streets))
        address = {
            "FR": f"{number} {street}, {postcode} {city}, {style.country_name}",
            "UK": f"{number} {street}, {city} {postcode}, {style.country_name}",
            "US": f"{number * 10} {street}, {city}, {postcode}, {style.country_name}",
        }.get(style.code, f"{street} {number}, {postcode} {city}, {style.country_name}")
        mailbox = {"de": "buchhaltung", "fr": "comptabilite", "en": "accounts"}[language]
        email = f"{mailbox}@{_domain(core, style.code)}"
        variants["payer_suffix"] = core
        abbreviated = _ABBREVIATE.sub(lambda m: _ABBREVIATIONS[m.group(0)], name)
        if abbreviated != name:
            variants["payer_abbrev"] = abbreviated
        if "&" not in words[0]:
            variants["payer_word_order"] = " ".join([words[1], words[0], *words[2:]]) + f" {legal}"
        if transliterate_umlauts(name) != name:
            variants["payer_translit"] = transliterate_umlauts(name)
    variants["payer_typo"] = _typo(bank_name, rng)
    if style.code != "CN":  # Chinese payers are in capitals already
        variants["payer_caps"] = name.upper()
    if len(bank_name) > 35:
        variants["payer_truncated"] = bank_name[:35].rstrip()
    return Identity(
        country=style.code,
        name=name,
        core=core,
        language=language,
        currency=currency,
        terms=int(_pick(rng, style.terms)),
        address=address,
        contact=str(_pick(rng, style.contacts)),
        email=email,
        bank_name=bank_name,
        parent=parent,
        postcode=str(postcode),
        city=str(city),
        variants=variants,
    )
