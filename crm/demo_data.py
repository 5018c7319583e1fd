"""Static material for the demo network: towns, organisations, projects, events, texts.

Everything here is fiction built on real places: the towns, area codes and postcodes are
Thuringia's, the people and associations are invented. Email and web addresses use the
reserved ``.example`` top-level domain (RFC 2606) so demo data can never reach a real mailbox.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Town:
    """A place organisations sit in: seeded AGS, telephone area code, postcodes."""

    ags: str
    name: str
    area: str  # without the leading 0
    postcodes: tuple[str, ...]
    weight: int = 1


TOWNS: tuple[Town, ...] = (
    Town("16051", "Erfurt", "361", ("99084", "99085", "99086", "99089", "99091", "99092",
                                    "99094", "99096", "99097", "99099"), 10),
    Town("16052", "Gera", "365", ("07545", "07546", "07548", "07549", "07551", "07552"), 5),
    Town("16053", "Jena", "3641", ("07743", "07745", "07747", "07749", "07751"), 8),
    Town("16054", "Suhl", "3681", ("98527", "98528", "98529"), 2),
    Town("16055", "Weimar", "3643", ("99423", "99425", "99427"), 7),
    Town("16061045", "Heilbad Heiligenstadt", "3606", ("37308",)),
    Town("16061115", "Leinefelde-Worbis", "3605", ("37327", "37339")),
    Town("16062041", "Nordhausen", "3631", ("99734",), 3),
    Town("16063105", "Eisenach", "3691", ("99817",), 3),
    Town("16063003", "Bad Salzungen", "3695", ("36433",)),
    Town("16064046", "Mühlhausen", "3601", ("99974",), 2),
    Town("16064003", "Bad Langensalza", "3603", ("99947",)),
    Town("16065067", "Sondershausen", "3632", ("99706",)),
    Town("16066042", "Meiningen", "3693", ("98617",)),
    Town("16066063", "Schmalkalden", "3683", ("98574",)),
    Town("16067029", "Gotha", "3621", ("99867",), 3),
    Town("16068051", "Sömmerda", "3634", ("99610",)),
    Town("16069024", "Hildburghausen", "3685", ("98646",)),
    Town("16070004", "Arnstadt", "3628", ("99310",)),
    Town("16070029", "Ilmenau", "3677", ("98693",), 2),
    Town("16071001", "Apolda", "3644", ("99510",)),
    Town("16072018", "Sonneberg", "3675", ("96515",)),
    Town("16073077", "Saalfeld", "3671", ("07318",)),
    Town("16073076", "Rudolstadt", "3672", ("07407",)),
    Town("16074018", "Eisenberg", "36691", ("07607",)),
    Town("16074041", "Hermsdorf", "36601", ("07629",)),
    Town("16075098", "Schleiz", "3663", ("07907",)),
    Town("16075085", "Pößneck", "3647", ("07381",)),
    Town("16076022", "Greiz", "3661", ("07973",)),
    Town("16076087", "Zeulenroda-Triebes", "36628", ("07937",)),
    Town("16077001", "Altenburg", "3447", ("04600",), 3),
    Town("16077043", "Schmölln", "34491", ("04626",)),
)
TOWN_BY_AGS = {t.ags: t for t in TOWNS}
# Seats of federal bodies outside Thuringia (no municipality record).
EXTERNAL_TOWNS = {
    "berlin": Town("", "Berlin", "30", ("10117", "10963")),
    "nuernberg": Town("", "Nürnberg", "911", ("90461",)),
}

# Seat of each district's administration (Landratsamt).
DISTRICT_SEAT = {
    "16061": "16061045", "16062": "16062041", "16063": "16063003", "16064": "16064046",
    "16065": "16065067", "16066": "16066042", "16067": "16067029", "16068": "16068051",
    "16069": "16069024", "16070": "16070004", "16071": "16071001", "16072": "16072018",
    "16073": "16073077", "16074": "16074018", "16075": "16075098", "16076": "16076022",
    "16077": "16077001",
}
# How often the network works with a municipality (Erfurt, Jena, Weimar: long-standing).
COOPERATION_WEIGHT = {"16051": 10, "16053": 8, "16055": 8, "16052": 4, "16077": 3,
                      "16062": 3, "16063": 3, "16067": 2, "16054": 2}
MODELLKOMMUNEN = ("16051", "16053", "16055", "16077", "16062", "16063")
# Towns with their own administration besides the district's (occasional cooperations).
TOWN_ADMINISTRATIONS = ("16062041", "16063105", "16077001", "16067029", "16070029")

STREETS = (
    "Bahnhofstraße", "Goethestraße", "Schillerstraße", "Lindenallee", "Marktstraße",
    "Am Anger", "Juri-Gagarin-Ring", "Karl-Marx-Allee", "Friedrich-Ebert-Straße", "Gartenweg",
    "Thomas-Müntzer-Straße", "Rosa-Luxemburg-Straße", "Weimarische Straße", "Lange Brücke",
    "Johannesstraße", "Nordstraße", "Am Stadtpark", "Humboldtstraße", "Erfurter Straße",
    "Leipziger Straße", "Geraer Straße", "Ahornweg", "Birkenweg", "Mühlweg", "Kirchplatz",
    "Wiesenstraße", "Bergstraße", "Töpferstraße", "Mozartstraße", "Beethovenstraße",
)

NETWORK_NAME = "Brücke – Landesnetzwerk der Migrant:innenorganisationen Thüringen e.V."
NETWORK_SHORT = "Brücke"
NETWORK_DOMAIN = "bruecke-thueringen.example"


@dataclass(frozen=True)
class MemberSpec:
    name: str
    town: str  # AGS
    community: str
    since: int  # year of joining the network
    short: str | None = None


MEMBERS: tuple[MemberSpec, ...] = (
    MemberSpec("Vietnamesischer Kulturverein Erfurt e.V.", "16051", "vi", 2015, "VKV Erfurt"),
    MemberSpec("Ukrainische Gemeinde Jena e.V.", "16053", "uk", 2016),
    MemberSpec("Syrisches Haus Gera e.V.", "16052", "ar", 2017),
    MemberSpec("Afghanischer Kulturverein Khorasan Erfurt e.V.", "16051", "fa", 2016),
    MemberSpec("Eritreische Gemeinschaft Thüringen e.V.", "16051", "ti", 2018),
    MemberSpec("Türkisch-Deutscher Kulturverein Gotha e.V.", "16067029", "tr", 2015),
    MemberSpec("Polnischer Verein „Polonia“ Jena e.V.", "16053", "pl", 2015, "Polonia Jena"),
    MemberSpec("Russischsprachiges Kulturzentrum „Raduga“ Erfurt e.V.", "16051", "ru", 2015,
               "Raduga"),
    MemberSpec("Arabischer Elternverein Erfurt e.V.", "16051", "ar", 2017),
    MemberSpec("Internationaler Studierendenverein Ilmenau e.V.", "16070029", "mixed", 2019),
    MemberSpec("SV Internationale Erfurt e.V.", "16051", "mixed", 2018),
    MemberSpec("Kurdischer Kulturverein Nordhausen e.V.", "16062041", "ku", 2019),
    MemberSpec("Vietnamesischer Verein Suhl e.V.", "16054", "vi", 2016),
    MemberSpec("Deutsch-Vietnamesischer Freundschaftsverein Gera e.V.", "16052", "vi", 2017),
    MemberSpec("Irakischer Kulturverein Jena e.V.", "16053", "ar", 2018),
    MemberSpec("Afrikanischer Kulturverein Weimar e.V.", "16055", "af", 2016),
    MemberSpec("Kamerunische Gemeinschaft Jena e.V.", "16053", "af", 2020),
    MemberSpec("Syrisch-Deutscher Elternverein Eisenach e.V.", "16063105", "ar", 2019),
    MemberSpec("Frauenverein Al-Amal Erfurt e.V.", "16051", "ar", 2018),
    MemberSpec("Afghanischer Frauenverein Jena e.V.", "16053", "fa", 2021),
    MemberSpec("Ukrainischer Verein „Mrija“ Altenburg e.V.", "16077001", "uk", 2022),
    MemberSpec("Deutsch-Russisches Begegnungszentrum Nordhausen e.V.", "16062041", "ru", 2016),
    MemberSpec("Islamisches Kulturzentrum Jena e.V.", "16053", "ar", 2017),
    MemberSpec("Chinesischer Studierenden- und Wissenschaftlerverein Jena e.V.", "16053", "zh",
               2019),
    MemberSpec("Indischer Kulturverein Ilmenau e.V.", "16070029", "in", 2020),
    MemberSpec("Polnischer Kulturverein Erfurt e.V.", "16051", "pl", 2016),
    MemberSpec("Türkischer Elternverein Erfurt e.V.", "16051", "tr", 2015),
    MemberSpec("Syrischer Kulturverein Weimar e.V.", "16055", "ar", 2018),
    MemberSpec("Bunte Brücke Apolda e.V.", "16071001", "mixed", 2021),
    MemberSpec("Internationaler Frauentreff Saalfeld e.V.", "16073077", "mixed", 2020),
    MemberSpec("Kulturbrücke Mühlhausen e.V.", "16064046", "mixed", 2022),
    MemberSpec("Verein der Vietnames:innen in Nordhausen e.V.", "16062041", "vi", 2018),
    MemberSpec("Internationaler Sportverein Weimar e.V.", "16055", "mixed", 2019),
    MemberSpec("Somalische Gemeinde Erfurt e.V.", "16051", "af", 2023),
    MemberSpec("Ukrainisches Haus Gera e.V.", "16052", "uk", 2023),
    MemberSpec("Afghanischer Elternverein Gotha e.V.", "16067029", "fa", 2022),
)

# For larger demo databases: more member organisations from these parts.
EXTRA_MEMBER_PATTERNS: dict[str, tuple[str, ...]] = {
    "vi": ("Vietnamesischer Kulturverein", "Vietnamesische Elterninitiative"),
    "uk": ("Ukrainische Gemeinde", "Ukrainischer Kulturverein"),
    "ar": ("Arabischer Elternverein", "Syrischer Kulturverein", "Arabisches Kulturhaus"),
    "fa": ("Afghanischer Kulturverein", "Iranischer Kulturverein"),
    "ti": ("Eritreische Gemeinschaft",),
    "tr": ("Türkisch-Deutscher Kulturverein", "Türkischer Elternverein"),
    "pl": ("Polnischer Kulturverein",),
    "ru": ("Russischsprachiger Elternverein", "Deutsch-Russisches Kulturzentrum"),
    "ku": ("Kurdischer Kulturverein",),
    "af": ("Afrikanischer Kulturverein", "Afrikanische Diaspora"),
    "zh": ("Chinesischer Kulturverein",),
    "in": ("Indische Gemeinschaft",),
    "mixed": ("Internationaler Frauentreff", "Interkultureller Sportverein", "Kulturbrücke",
              "Internationales Begegnungszentrum"),
}

# (name, town AGS)
COUNCILS: tuple[tuple[str, str], ...] = (
    ("Migrationsbeirat Erfurt", "16051"),
    ("Integrationsbeirat Jena", "16053"),
    ("Ausländerbeirat Weimar", "16055"),
    ("Integrationsbeirat Gera", "16052"),
    ("Migrationsbeirat Suhl", "16054"),
    ("Integrationsbeirat Nordhausen", "16062041"),
    ("Migrationsbeirat Gotha", "16067029"),
    ("Integrationsbeirat Eisenach", "16063105"),
)

# (name, short name, town AGS or EXTERNAL_TOWNS key)
FUNDERS: tuple[tuple[str, str, str], ...] = (
    ("Thüringer Ministerium für Soziales, Gesundheit, Arbeit und Familie", "TMSGAF", "16051"),
    ("Bundesamt für Migration und Flüchtlinge", "BAMF", "nuernberg"),
    ("Thüringer Ehrenamtsstiftung", "TES", "16051"),
    ("Stiftung Vielfalt in Thüringen", "SViT", "16055"),
)
PUBLIC_BODIES: tuple[tuple[str, str, str], ...] = (
    ("Beauftragte für Integration, Migration und Flüchtlinge des Freistaats Thüringen",
     "Landesintegrationsbeauftragte", "16051"),
    ("Thüringer Landesverwaltungsamt", "TLVwA", "16055"),
    ("Landeszentrale für politische Bildung Thüringen", "LZT", "16051"),
    ("Bundeskonferenz der Migrant:innenorganisationen", "BKMO", "berlin"),
)
PRESS: tuple[tuple[str, str], ...] = (
    ("Lokalredaktion Thüringer Tagesbote", "16051"),
    ("Radio Ilmtal", "16055"),
)
DEPARTMENTS = ("Ausländerbehörde", "Sozialamt", "Büro für Integration")


@dataclass(frozen=True)
class ProjectSpec:
    name: str
    funder: str  # short name of the funder
    start: date
    end: date
    number: str


PROJECTS: tuple[ProjectSpec, ...] = (
    ProjectSpec("Brücken bauen – Teilhabe in Thüringer Kommunen", "TMSGAF", date(2024, 1, 1),
                date(2026, 12, 31), "TMSGAF-IM-2024-017"),
    ProjectSpec("MSO stark – Strukturförderung für Migrant:innenorganisationen", "BAMF",
                date(2023, 7, 1), date(2026, 6, 30), "BAMF 84.03-2023/117"),
    ProjectSpec("Ehrenamt verbindet", "TES", date(2025, 3, 1), date(2025, 12, 31),
                "TES-2025-088"),
)

WORKSHOPS = (
    "Workshop: Fördermittel beantragen", "Workshop: Öffentlichkeitsarbeit für Vereine",
    "Workshop: Vereinsbuchhaltung und Gemeinnützigkeit", "Workshop: Social Media für MSO",
    "Workshop: Datenschutz im Verein (DSGVO)", "Workshop: Projektmanagement im Ehrenamt",
)
SEMINARS = (
    "Seminar: Interkulturelle Öffnung der Verwaltung", "Seminar: Antidiskriminierung in der "
    "Kommune", "Seminar: Migrationsbeiräte stärken", "Seminar: Ehrenamt und Engagement",
    "Seminar: Sprachmittlung in Behörden",
)
FACHTAGUNG_THEMES = {
    2023: "Gemeinsam Zukunft gestalten – Migrant:innenorganisationen in Thüringen",
    2024: "Vielfalt vor Ort – Kommunen und Migrant:innenorganisationen als Partner",
    2025: "Teilhabe stärken – Beiräte, Vereine, Verwaltung",
    2026: "Zehn Jahre Brücke – Bilanz und Ausblick",
}
VENUES = {
    "16051": ("Augustinerkloster Erfurt", "Geschäftsstelle Brücke, Erfurt",
              "Begegnungsstätte Kleine Synagoge, Erfurt"),
    "16053": ("Volkshochschule Jena", "Stadtteilzentrum LISA, Jena"),
    "16055": ("Mon Ami Weimar", "Stadtbücherei Weimar"),
    "16052": ("Stadtteilzentrum Lusan, Gera",),
    "16062041": ("Rathaus Nordhausen, Festsaal",),
    "16077001": ("Landratsamt Altenburger Land, Sitzungssaal",),
    "16063105": ("Bürgerhaus Eisenach",),
}

SUBJECTS: dict[str, tuple[str, ...]] = {
    "administration": (
        "Abstimmung zum Integrationskonzept {place}", "Jahresgespräch Kooperation {place}",
        "Vorbereitung gemeinsamer Workshop {in_place}", "Raumanfrage für Netzwerktreffen",
        "Austausch zur Sprachmittlung in der Ausländerbehörde",
        "Rückmeldung zur Förderrichtlinie Integrationsmanagement",
        "Vorstellung der Migrant:innenorganisationen {in_place}",
        "Gründung eines Migrationsbeirats {in_place}", "Interkulturelle Woche {year}: Planung",
        "Beratungsangebote für Geflüchtete aus der Ukraine",
        "Vernetzungstreffen der Integrationsmanager:innen", "Aktuelle Bedarfe vor Ort",
    ),
    "member": (
        "Beratung Förderantrag {org}", "Satzungsänderung und Gemeinnützigkeit",
        "Mitgliederversammlung {org}", "Planung Kulturfest {org}", "Unterstützung bei der "
        "Raumsuche", "Vorstandswahl {org}: neue Kontaktdaten", "Projektidee Elterncafé",
        "Verwendungsnachweis {year}: Rückfragen", "Einladung zum Netzwerktreffen",
        "Qualifizierung Vereinsvorstände",
    ),
    "council": (
        "Sitzung {org}", "Vorbereitung der Wahl zum {org}",
        "Beteiligungsrechte des Beirats", "Landestreffen der Beiräte: Abstimmung",
    ),
    "funder": (
        "Zwischenbericht {project}", "Mittelabruf {project}", "Sachbericht {year}",
        "Gespräch zur Anschlussfinanzierung", "Änderungsantrag {project}",
    ),
    "public-body": (
        "Stellungnahme zum Thüringer Integrationskonzept",
        "Bundeskonferenz der Migrant:innenorganisationen: Vorbereitung",
        "Fachgespräch politische Bildung", "Landesprogramm Integration: Abstimmung",
    ),
    "other": ("Presseanfrage zur Fachtagung", "Interview zur Lage der MSO in Thüringen",
              "Hintergrundgespräch Vielfalt {in_place}"),
}
NOTES = (
    "Termin für ein Folgetreffen wird per E-Mail abgestimmt.", "Protokoll folgt.",
    "Ansprechperson hat gewechselt, Kontaktdaten wurden aktualisiert.",
    "Unterlagen wurden im Anschluss zugesandt.",
    "Bedarf an Sprachmittlung für Arabisch und Dari.", "Großes Interesse an der Fachtagung.",
    "Antragsfrist beachten: Einreichung bis Monatsende.",
    "Die Stadt stellt Räume kostenfrei zur Verfügung.",
    "Gemeinsame Pressemitteilung ist geplant.", "Thema für das nächste Netzwerktreffen.",
    "Rückfragen zur Kofinanzierung sind offen.", "Vorstand wird die Einladung weiterleiten.",
    "Teilnahmeliste liegt vor.", "Vereinbart: vierteljährlicher Austausch.",
    "Kontakt zu weiteren Vereinen vor Ort gewünscht.", "Sehr konstruktives Gespräch.",
)
FOLLOW_UPS = (
    "Protokoll versenden", "Unterlagen zum Förderantrag prüfen", "Rückruf wegen Raumanfrage",
    "Termin für Folgetreffen vereinbaren", "Einladung zur Fachtagung schicken",
    "Kontaktdaten im Verteiler aktualisieren", "Entwurf Sachbericht abstimmen",
    "Sprachmittler:in für Veranstaltung anfragen", "Teilnahmeliste an Fördermittelgeber senden",
    "Kontakt zum neuen Vorstand aufnehmen",
)
TAG_COLOURS = {
    "Vorstand": "#1f77b4", "Newsletter": "#2ca02c", "Presse": "#d62728",
    "Modellkommune": "#9467bd", "Fachtagung 2025": "#ff7f0e", "Sprachmittlung": "#17becf",
    "Kooperationspartner": "#8c564b",
}
PERSON_NOTES = (
    "Spricht auch Französisch.", "Bevorzugt Kontakt per Messenger.",
    "Am besten nachmittags erreichbar.", "Engagiert in der Elternarbeit.",
    "Hat das Kulturfest 2024 mitorganisiert.", "Bietet Sprachmittlung an.",
    "Interessiert an einer Mitarbeit im Beirat.",
)
MSO_FOCUS = (
    "Sprachkurse", "Kulturfeste", "Elternarbeit", "Hausaufgabenhilfe", "Frauentreff",
    "Sport für Jugendliche", "Beratung für Neuzugewanderte", "Muttersprachlicher Unterricht",
    "Seniorentreff", "Musik und Tanz",
)
BOARD_ELECTIONS = (date(2024, 3, 16), date(2024, 10, 12), date(2025, 5, 10), date(2026, 3, 21),
                   date(2025, 11, 8))
OFFICER_TAKEOVERS = (date(2024, 7, 1), date(2024, 9, 1), date(2025, 1, 1), date(2025, 4, 1),
                     date(2024, 3, 1), date(2025, 8, 1), date(2026, 2, 1))
