"""Names, languages and contact details of the demo persons, from the communities served.

Names come in their own script where people write them so (Arabic, Persian, Cyrillic, Ge'ez,
Chinese) with a Latin transliteration, Vietnamese and Chinese with the family name first, and
some single names that do not split into given and family name.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from crm.demo_data import STREETS, Town
from crm.search.normalize import fold

Pair = tuple[str, str]  # (as written, Latin form)


def _pairs(text: str) -> tuple[Pair, ...]:
    """"Олена:Olena Thị_Lan" → (("Олена", "Olena"), ("Thị Lan", "Thị Lan"))."""
    result = []
    for item in text.split():
        native, _, latin = item.partition(":")
        result.append((native.replace("_", " "), (latin or native).replace("_", " ")))
    return tuple(result)


@dataclass(frozen=True)
class Community:
    key: str
    weight: int
    languages: tuple[str, ...]
    female: tuple[Pair, ...]
    male: tuple[Pair, ...]
    family: tuple[Pair, ...]
    native_share: float = 0.0  # how many write their name in their own script
    family_first: bool = False
    single_share: float = 0.0  # single names (no family name)
    feminine: tuple[Pair, ...] = ()  # family-name endings: (masculine, feminine)
    foreign_prefix: str = ""  # mobile numbers from the country of origin


COMMUNITIES: tuple[Community, ...] = (
    Community(
        "de", 22, ("Deutsch", "Englisch"),
        _pairs("Anja Katrin Susanne Claudia Sandra Franziska Lea Jana Ines Ulrike Maria "
               "Sabine Juliane Antje Kerstin Sophie"),
        _pairs("Thomas Michael Andreas Stefan Frank Jörg Matthias Sebastian Tobias Uwe "
               "Martin Christian Jens Lukas Felix Ralf"),
        _pairs("Müller Schäfer Schmidt Wagner Fischer Weber Krause Hoffmann Richter Wolf "
               "Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Köhler "
               "Günther Vogel Böhm Heß Fuchs Große Schulze Jäger"),
    ),
    Community(
        "ar", 13, ("Arabisch", "Deutsch", "Englisch"),
        _pairs("فاطمة:Fatima ريم:Reem لينا:Lina نور:Nour هبة:Heba رنا:Rana سلمى:Salma "
               "دانة:Dana ياسمين:Yasmin مريم:Mariam سارة:Sara أمل:Amal"),
        _pairs("محمد:Mohammad أحمد:Ahmad خالد:Khaled عمر:Omar يوسف:Yousef حسن:Hassan "
               "علي:Ali سامر:Samer باسل:Bassel طارق:Tarek وسيم:Wassim ماهر:Maher"),
        _pairs("الأحمد:Al-Ahmad الخطيب:Al-Khatib حداد:Haddad الحلبي:Al-Halabi العلي:Al-Ali "
               "الحسن:Al-Hassan درويش:Darwish نصار:Nassar خوري:Khoury المصري:Al-Masri "
               "السيد:Al-Sayed قاسم:Kassem عثمان:Othman حمدان:Hamdan"),
        native_share=0.4,
    ),
    Community(
        "fa", 8, ("Dari", "Paschtu", "Persisch", "Deutsch"),
        _pairs("زهرا:Zahra مریم:Maryam فرشته:Fereshteh شبنم:Shabnam نرگس:Narges "
               "پروانه:Parwana ملالی:Malalai ستاره:Setareh لیلا:Leila سمیرا:Samira"),
        _pairs("عبدالله:Abdullah فرید:Farid جواد:Jawad نوید:Navid رحیم:Rahim مصطفی:Mustafa "
               "سهراب:Sohrab حمید:Hamid"),
        _pairs("احمدی:Ahmadi حسینی:Hosseini رحیمی:Rahimi کریمی:Karimi محمدی:Mohammadi "
               "نوری:Noori صدیقی:Siddiqui امیری:Amiri هاشمی:Hashemi عزیزی:Azizi "
               "رضایی:Rezaei یوسفی:Yousufi"),
        native_share=0.35, single_share=0.1,
    ),
    Community(
        "uk", 12, ("Ukrainisch", "Russisch", "Deutsch", "Englisch"),
        _pairs("Олена:Olena Оксана:Oksana Наталія:Nataliia Ірина:Iryna Юлія:Yuliia "
               "Тетяна:Tetiana Світлана:Svitlana Марія:Mariia Катерина:Kateryna "
               "Вікторія:Viktoriia Людмила:Liudmyla"),
        _pairs("Андрій:Andrii Олександр:Oleksandr Дмитро:Dmytro Сергій:Serhii Микола:Mykola "
               "Василь:Vasyl Іван:Ivan Богдан:Bohdan Тарас:Taras Юрій:Yurii Олег:Oleh"),
        _pairs("Шевченко:Shevchenko Коваленко:Kovalenko Бондаренко:Bondarenko "
               "Ткаченко:Tkachenko Кравченко:Kravchenko Мельник:Melnyk Бойко:Boiko "
               "Ковальчук:Kovalchuk Поліщук:Polishchuk Савчук:Savchuk Лисенко:Lysenko "
               "Мороз:Moroz Петренко:Petrenko Руденко:Rudenko Марченко:Marchenko"),
        native_share=0.6, foreign_prefix="+38067",
    ),
    Community(
        "ru", 8, ("Russisch", "Deutsch"),
        _pairs("Наталья:Natalya Елена:Elena Ольга:Olga Татьяна:Tatyana Ирина:Irina "
               "Светлана:Svetlana Анастасия:Anastasia Екатерина:Ekaterina Людмила:Lyudmila "
               "Lydia Irina Olga"),
        _pairs("Алексей:Aleksei Сергей:Sergei Владимир:Vladimir Дмитрий:Dmitry "
               "Николай:Nikolai Михаил:Mikhail Андрей:Andrei Евгений:Evgeny Игорь:Igor "
               "Waldemar Eugen Viktor"),
        _pairs("Иванов:Ivanov Смирнов:Smirnov Кузнецов:Kuznetsov Попов:Popov Соколов:Sokolov "
               "Лебедев:Lebedev Козлов:Kozlov Новиков:Novikov Морозов:Morozov Волков:Volkov "
               "Ильин:Ilyin Reimer Friesen Janzen Neufeld Dück Penner"),
        native_share=0.55,
        feminine=(("ов", "ова"), ("ев", "ева"), ("ин", "ина"), ("ov", "ova"), ("ev", "eva"),
                  ("in", "ina")),
    ),
    Community(
        "tr", 8, ("Türkisch", "Deutsch"),
        _pairs("Ayşe Emine Gülay Elif Zeynep Fatma Hatice Derya Sibel Büşra Özlem Şeyma"),
        _pairs("Mehmet İbrahim Ömer Hüseyin Murat Mustafa Ahmet Emre Can Burak Serkan Yusuf"),
        _pairs("Yılmaz Şahin Öztürk Çelik Doğan Kaya Aydın Arslan Koç Kılıç Demir Yıldız "
               "Özdemir Aksoy Erdoğan Polat"),
        foreign_prefix="+90532",
    ),
    Community(
        "vi", 8, ("Vietnamesisch", "Deutsch"),
        _pairs("Lan Hương Mai Hoa Thu Ngọc Linh Trang Phương Hằng Minh_Khai Thanh_Hà"),
        _pairs("Hùng Dũng Tuấn Nam Long Sơn Thắng Cường Phong Quân Minh Đức_Anh"),
        _pairs("Nguyễn Trần Lê Phạm Hoàng Huỳnh Phan Vũ Võ Đặng Bùi Đỗ Hồ Ngô Dương"),
        family_first=True,
    ),
    Community(
        "pl", 5, ("Polnisch", "Deutsch"),
        _pairs("Agnieszka Katarzyna Małgorzata Joanna Magdalena Anna Monika Ewa Dorota "
               "Aleksandra"),
        _pairs("Piotr Krzysztof Tomasz Paweł Łukasz Michał Marcin Grzegorz Jakub Wojciech"),
        _pairs("Nowak Kowalski Wiśniewski Wróbel Kamiński Lewandowski Zieliński Woźniak "
               "Dąbrowski Kozłowski Mazur Krawczyk Kaczmarek Jankowski Król"),
        feminine=(("ski", "ska"), ("cki", "cka")), foreign_prefix="+4860",
    ),
    Community(
        "ti", 5, ("Tigrinya", "Arabisch", "Deutsch"),
        _pairs("ሰላም:Selam ሳባ:Saba ሄለን:Helen ሩታ:Ruta ፌቨን:Feven ሰምሃር:Semhar "
               "መብራት:Mebrat ልዋም:Luwam"),
        _pairs("ዮሃንስ:Yohannes ኣብርሃም:Abraham ሃይለ:Haile መሓሪ:Mehari ክዳነ:Kidane "
               "ብርሃነ:Berhane ተኽለ:Tekle ዳዊት:Dawit"),
        _pairs("ተስፋይ:Tesfay ሃብተ:Habte ገብረመድህን:Gebremedhin ጸጋይ:Tsegay ወልዱ:Woldu "
               "ተኽለ:Tekle መሓሪ:Mehari ሃይለ:Haile ብርሃነ:Berhane"),
        native_share=0.3, single_share=0.05,
    ),
    Community(
        "ku", 3, ("Kurdisch", "Arabisch", "Deutsch"),
        _pairs("Dilan Rojin Berfin Hêvî Zozan Nesrin Jiyan"),
        _pairs("Azad Rênas Baran Şêrko Dilşad Kawa Zagros"),
        _pairs("Xelîl Mustafa Hesen Osman Ibrahim Şêxo Ali"),
    ),
    Community(
        "af", 4, ("Französisch", "Englisch", "Deutsch"),
        _pairs("Ngozi Aminata Chiamaka Fatou Grace Mariama Amina Esther"),
        _pairs("Chinedu Jean-Pierre Brice Ousmane Kwame Emmanuel Abdi Samuel"),
        _pairs("Okafor Diallo Mbarga Nkoulou Eze Mensah Traoré Farah Mohamed Ndiaye"),
        single_share=0.03,
    ),
    Community(
        "zh", 2, ("Chinesisch", "Englisch", "Deutsch"),
        _pairs("芳:Fang 娜:Na 静:Jing 丽:Li 敏:Min 婷:Ting 雪:Xue 晓燕:Xiaoyan"),
        _pairs("伟:Wei 洋:Yang 磊:Lei 昊:Hao 强:Qiang 军:Jun 浩然:Haoran 子轩:Zixuan"),
        _pairs("王:Wang 李:Li 张:Zhang 刘:Liu 陈:Chen 杨:Yang 赵:Zhao 黄:Huang 周:Zhou 吴:Wu"),
        native_share=0.7, family_first=True,
    ),
    Community(
        "in", 2, ("Englisch", "Hindi", "Deutsch"),
        _pairs("Priya Ananya Lakshmi Divya Kavya Meera"),
        _pairs("Arjun Rahul Vikram Karthik Sanjay Rohan"),
        _pairs("Sharma Nair Iyer Patel Reddy Gupta Menon"),
        single_share=0.05,
    ),
)
BY_KEY = {c.key: c for c in COMMUNITIES}
_VI_MIDDLE_F = ("Thị", "Thị", "Thị", "Ngọc", "")
_VI_MIDDLE_M = ("Văn", "Văn", "Đức", "Minh", "Quang", "Hữu", "")
_PRIVATE_DOMAINS = ("post.example", "mail.example", "netz.example", "online.example")


@dataclass(frozen=True)
class DemoName:
    full_name: str
    given_name: str | None
    family_name: str | None
    transliteration: str | None
    salutation: str
    languages: str
    latin: tuple[str, ...]  # Latin parts for email addresses: (given, family) or (single,)
    community: str


def pick_community(rng: random.Random, key: str | None = None) -> Community:
    if key and key in BY_KEY:
        return BY_KEY[key]
    return rng.choices(COMMUNITIES, weights=[c.weight for c in COMMUNITIES])[0]


def _feminine(community: Community, family: Pair) -> Pair:
    native, latin = family
    for masculine, feminine in community.feminine:
        if native.endswith(masculine):
            native = native[: -len(masculine)] + feminine
            break
    for masculine, feminine in community.feminine:
        if latin.endswith(masculine):
            latin = latin[: -len(masculine)] + feminine
            break
    return native, latin


def _given(rng: random.Random, c: Community, female: bool) -> Pair:
    given = rng.choice(c.female if female else c.male)
    if c.key == "vi":
        middle = rng.choice(_VI_MIDDLE_F if female else _VI_MIDDLE_M)
        if middle:
            joined = f"{middle} {given[0]}"
            given = (joined, joined)
    return given


def _salutation(rng: random.Random, female: bool, single: bool) -> str:
    roll = rng.random()
    if roll < 0.08 or (single and roll < 0.3):
        return "neutral"
    if roll < 0.18:
        return "none"
    return "frau" if female else "herr"


def _languages(rng: random.Random, c: Community) -> str:
    chosen = [c.languages[0]]
    for language in c.languages[1:]:
        if language == "Deutsch" or rng.random() < 0.4:
            chosen.append(language)
    return ", ".join(chosen)


def make_name(rng: random.Random, community: Community, *, female: bool | None = None
              ) -> DemoName:
    """One person's name as written, with given/family split where it exists."""
    if female is None:
        female = rng.random() < 0.5
    given = _given(rng, community, female)
    single = rng.random() < community.single_share
    family = None if single else rng.choice(community.family)
    if family and female and community.feminine:
        family = _feminine(community, family)
    parts = [given] if family is None else [given, family]
    # Only when every part has a form in the community's own script.
    native = rng.random() < community.native_share and all(p[0] != p[1] for p in parts)
    salutation = _salutation(rng, female, single)
    languages = _languages(rng, community)
    pick = 0 if native else 1
    latin = tuple(p[1] for p in parts)
    if family is None:
        return DemoName(given[pick], None, None, given[1] if native else None, salutation,
                        languages, latin, community.key)
    full = _join(community, given[pick], family[pick], native)
    translit = _join(community, given[1], family[1], False) if native else None
    return DemoName(full, given[pick], family[pick], translit, salutation, languages, latin,
                    community.key)


def _join(community: Community, given: str, family: str, native: bool) -> str:
    if community.family_first:
        return f"{family}{given}" if native and community.key == "zh" else f"{family} {given}"
    return f"{given} {family}"


# --- contact details -----------------------------------------------------------------------

def _digits(rng: random.Random, count: int) -> str:
    return "".join(str(rng.randrange(10)) for _ in range(count))


def landline(rng: random.Random, area: str, prefix: str = "") -> str:
    """A German landline in E.164 with a ten-digit national number: +49 361 6551234."""
    rest = 10 - len(area) - len(prefix)
    return f"+49{area}{prefix}{rng.randrange(2, 10)}{_digits(rng, rest - 1)}"


def mobile(rng: random.Random, foreign_prefix: str = "") -> str:
    if foreign_prefix and rng.random() < 0.25:
        length = {"+38067": 7, "+90532": 7, "+4860": 7}[foreign_prefix]
        return f"{foreign_prefix}{_digits(rng, length)}"
    prefix = rng.choice(("151", "152", "157", "160", "170", "171", "172", "176", "177", "178"))
    return f"+49{prefix}{_digits(rng, 8 if prefix.startswith('15') or prefix == '176' else 7)}"


_GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "Ä": "Ae", "Ö": "Oe", "Ü": "Ue"})


def slug(text: str) -> str:
    """"Jäger" → "jaeger", "Thị Lan" → "thi-lan": for email addresses and domains."""
    return "-".join(fold(text.translate(_GERMAN)).split())


def local_part(rng: random.Random, latin: tuple[str, ...]) -> str:
    parts = [slug(p) for p in latin if slug(p)] or ["kontakt"]
    style = rng.random()
    if len(parts) == 2 and style < 0.2:
        return f"{parts[0][0]}.{parts[1]}"
    if style > 0.85:
        return f"{'.'.join(parts)}{rng.randrange(60, 100)}"
    return ".".join(parts)


def office_local(latin: tuple[str, ...]) -> str:
    """The plain "given.family" of a work address."""
    return ".".join(slug(p) for p in latin if slug(p)) or "kontakt"


def private_email(rng: random.Random, latin: tuple[str, ...]) -> str:
    return f"{local_part(rng, latin)}@{rng.choice(_PRIVATE_DOMAINS)}"


def postal(rng: random.Random, town: Town) -> str:
    street = rng.choice(STREETS)
    return f"{street} {rng.randrange(1, 80)}, {rng.choice(town.postcodes)} {town.name}"
