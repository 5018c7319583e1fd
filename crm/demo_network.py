"""The demo network's structure: organisations, the people in them and their roles.

The network itself, its member organisations (MSOs), an administration with an integration
officer for each of the 22 districts and independent cities, advisory councils, funders and
public bodies; role holders change over time (takeovers: the old role ends the day the new
one starts).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from crm.demo_builder import Builder, OrgInfo, PersonInfo, RoleInfo
from crm.demo_data import (
    BOARD_ELECTIONS,
    COOPERATION_WEIGHT,
    COUNCILS,
    DEPARTMENTS,
    DISTRICT_SEAT,
    EXTERNAL_TOWNS,
    EXTRA_MEMBER_PATTERNS,
    FUNDERS,
    MEMBERS,
    MODELLKOMMUNEN,
    MSO_FOCUS,
    NETWORK_DOMAIN,
    NETWORK_NAME,
    NETWORK_SHORT,
    OFFICER_TAKEOVERS,
    PERSON_NOTES,
    PRESS,
    PUBLIC_BODIES,
    TOWN_ADMINISTRATIONS,
    TOWN_BY_AGS,
    MemberSpec,
    Town,
)
from crm.demo_names import BY_KEY, DemoName, mobile, postal, slug
from crm.search.normalize import sort_key

CHAIR = "Vorsitzende:r"
OFFICER = "Integrationsbeauftragte:r"
MANAGER = "Integrationsmanager:in"
ELECTION_DAY = date(2024, 7, 1)  # new mayors and district administrators after May 2024
QUARTERS = ("Nord", "Süd", "Ost", "West", "Mitte")
STAFF_NAMES = (
    DemoName("Amina Haddad", "Amina", "Haddad", None, "frau", "Arabisch, Deutsch, Englisch",
             ("Amina", "Haddad"), "ar"),
    DemoName("Jonas Wendt", "Jonas", "Wendt", None, "herr", "Deutsch, Englisch",
             ("Jonas", "Wendt"), "de"),
    DemoName("Phạm Thu Trang", "Thu Trang", "Phạm", None, "frau",
             "Vietnamesisch, Deutsch, Englisch", ("Thu Trang", "Phạm"), "vi"),
)


@dataclass(frozen=True)
class OrgSpec:
    name: str
    kind: str
    town: Town
    municipality_id: int | None
    place: str | None = None
    short: str | None = None
    parent: OrgInfo | None = None
    member_since: date | None = None
    notes: str = ""
    community: str | None = None
    weight: float = 1.0
    domain: str | None = None
    women: bool = False  # a women's association: its board are women


def add_org(b: Builder, spec: OrgSpec) -> OrgInfo:
    row = b.record(
        "organisation", name=spec.name, short_name=spec.short, kind=spec.kind,
        parent_id=spec.parent.id if spec.parent else None, municipality_id=spec.municipality_id,
        member_since=spec.member_since, member_until=None, notes=spec.notes, archived_at=None,
        sort_key=sort_key(spec.name),
    )
    exchange = str(b.rng.randrange(2, 10)) + "".join(
        str(b.rng.randrange(10)) for _ in range(5 - len(spec.town.area)))
    domain = spec.domain or (spec.parent.domain if spec.parent else _domain(b, spec))
    org = OrgInfo(row["id"], spec.name, spec.kind, spec.municipality_id, spec.town,
                  spec.place or spec.town.name, domain, exchange, spec.community, spec.weight,
                  women=spec.women)
    org.row = row
    b.orgs.append(org)
    return org


def _domain(b: Builder, spec: OrgSpec) -> str:
    words = [w for w in spec.name.replace("„", " ").replace("“", " ").split()
             if w not in ("e.V.", spec.town.name) and w[0].isupper()]
    stem = "".join(slug(w)[0] for w in words if slug(w))[:6] or "verein"
    base = f"{stem}-{slug(spec.town.name)}"
    domain, n = f"{base}.example", 1
    while domain in b.domains:
        n += 1
        domain = f"{base}{n}.example"
    b.domains.add(domain)
    return domain


def org_contacts(b: Builder, org: OrgInfo, email: str | None, *, phone: bool = True,
                 web: bool = True) -> None:
    if phone:
        b.contact("phone", f"+49{org.town.area}{org.exchange}{'0' * 4}", organisation=org.id,
                  preferred=True)
    if email:
        b.contact("email", f"{email}@{org.domain}", organisation=org.id, preferred=not phone)
    if web:
        b.contact("web", f"https://www.{org.domain}", organisation=org.id)
    b.contact("postal", postal(b.rng, org.town), organisation=org.id)


def holder(b: Builder, org: OrgInfo, title: str, start: date | None, *, office: bool = False,
           community: str | None = None, person: PersonInfo | None = None) -> RoleInfo:
    """A current role holder, new (or given) person."""
    who = person or b.person(community, org.town, female=True if org.women else None)
    return b.role(who, org, title, start, office=office)


def takeover(b: Builder, org: OrgInfo, title: str, first: date, when: date, *,
             office: bool = False, community: str | None = None) -> tuple[RoleInfo, RoleInfo]:
    """The predecessor's role ends on ``when``, the day the successor's starts."""
    female = True if org.women else None
    old = b.role(b.person(community, org.town, female=female), org, title, first, when,
                 office=office)
    new = b.role(b.person(community, org.town, female=female), org, title, when,
                 office=office)
    return old, new


def _year_start(b: Builder, first: int, last: int) -> date:
    return b.day_between(date(first, 1, 1), date(last, 12, 31)).replace(day=1)


def _staff_community(b: Builder) -> str | None:
    return "de" if b.rng.random() < 0.7 else None


# --- the network ---------------------------------------------------------------------------

def build_network(b: Builder) -> None:
    network = _network(b)
    members = [_member(b, spec) for spec in _member_specs(b)]
    _former_member(b, members)
    _network_board(b, network, members)
    _administrations(b)
    _councils(b, members)
    _funders_and_bodies(b)
    _fill(b, members)
    _person_tags_and_notes(b)


def _network(b: Builder) -> OrgInfo:
    erfurt = TOWN_BY_AGS["16051"]
    org = add_org(b, OrgSpec(
        NETWORK_NAME, "network", erfurt, b.context.municipality_ids.get("16051"),
        short=NETWORK_SHORT, domain=NETWORK_DOMAIN,
        notes="Landesweiter Dachverband, gegründet 2015. Geschäftsstelle in Erfurt.",
    ))
    org_contacts(b, org, "info")
    staff = [b.person(n.community, erfurt, name=n) for n in STAFF_NAMES]
    b.role(b.person("de", erfurt), org, "Geschäftsführer:in", date(2015, 9, 1), date(2019, 4, 1),
           office=True)
    b.role(staff[0], org, "Geschäftsführer:in", date(2019, 4, 1), office=True)
    b.role(staff[1], org, "Projektkoordinator:in", date(2024, 1, 1), office=True)
    b.role(staff[2], org, "Projektkoordinator:in", date(2023, 7, 1), office=True)
    org.weight = 0.0  # the network does not log contacts with itself
    b.network = org
    return org


def _network_board(b: Builder, network: OrgInfo, members: list[OrgInfo]) -> None:
    chairs = [b.person_by_id(r.person_id) for m in members for r in m.roles
              if r.title == CHAIR and r.end is None]
    picked = b.rng.sample(chairs, min(len(chairs), 6))
    if len(picked) < 6:
        picked += [b.person() for _ in range(6 - len(picked))]
    election = date(2025, 5, 17)
    b.role(picked[0], network, "Vorstandsvorsitzende:r", date(2021, 5, 8), election)
    b.role(picked[1], network, "Vorstandsvorsitzende:r", election)
    titles = ("stellv. Vorstandsvorsitzende:r", "Schatzmeister:in", "Vorstandsmitglied",
              "Vorstandsmitglied")
    for person, title in zip(picked[2:], titles, strict=True):
        b.role(person, network, title, b.rng.choice((date(2021, 5, 8), election)))
    for person in picked[1:]:
        b.tag_person(person, "Vorstand")


# --- member organisations ------------------------------------------------------------------

def _member_specs(b: Builder) -> list[MemberSpec]:
    specs = list(MEMBERS)
    names = {s.name for s in specs}
    keys = list(EXTRA_MEMBER_PATTERNS)
    weights = [BY_KEY[k].weight if k in BY_KEY else 6 for k in keys]
    for _ in range(max(0, b.budget // 60 - len(specs))):
        community = b.rng.choices(keys, weights=weights)[0]
        town = b.random_town()
        base = f"{b.rng.choice(EXTRA_MEMBER_PATTERNS[community])} {town.name}"
        name, n = f"{base} e.V.", 0
        while name in names:  # then by quarter of the town, then numbered
            n += 1
            part = QUARTERS[n - 1] if n <= len(QUARTERS) else str(n)
            name = f"{base}-{part} e.V."
        names.add(name)
        specs.append(MemberSpec(name, town.ags, community, b.rng.randrange(2015, 2026)))
    return specs


def _member(b: Builder, spec: MemberSpec) -> OrgInfo:
    town = TOWN_BY_AGS[spec.town]
    # The network was founded in spring 2015.
    since = date(spec.since, b.rng.randrange(6 if spec.since == 2015 else 1, 13),
                 b.rng.randrange(1, 29))
    first = min(since, b.start) - timedelta(days=b.rng.randrange(0, 900))  # board elected
    founded = first.year - b.rng.randrange(0, 8)
    focus = ", ".join(b.rng.sample(MSO_FOCUS, 2))
    community = None if spec.community == "mixed" else spec.community
    org = add_org(b, OrgSpec(
        spec.name, "member", town, b.context.municipality_ids.get(town.ags), short=spec.short,
        member_since=since, notes=f"Gegründet {founded}. Schwerpunkte: {focus}.",
        community=community, weight=b.rng.choice((1.0, 1.5, 2.0, 3.0)),
        women="Frauen" in spec.name,
    ))
    email = b.rng.choice(("info", "kontakt", "vorstand")) if b.rng.random() < 0.8 else None
    org_contacts(b, org, email, phone=False, web=b.rng.random() < 0.5)
    _member_board(b, org, first)
    return org


def _former_member(b: Builder, members: list[OrgInfo]) -> None:
    """One association (more in large demos) has left the network."""
    early = [m for m in members if m.row["member_since"] < date(2023, 1, 1)]
    for org in b.rng.sample(early, min(len(early), 1 + len(members) // 50)):
        org.row["member_until"] = b.day_between(date(2024, 1, 1), b.today).replace(day=1)
        org.row["notes"] += " Mitgliedschaft beendet (Vereinsauflösung)."
        org.weight /= 3


def _member_board(b: Builder, org: OrgInfo, first: date) -> None:
    if b.rng.random() < 0.15:
        when = b.rng.choice(BOARD_ELECTIONS)
        old, new = takeover(b, org, CHAIR, first, when, community=org.community)
        if b.rng.random() < 0.5:
            b.role(b.person_by_id(old.person_id), org, "Vorstandsmitglied", when)
        chair = new
    else:
        chair = holder(b, org, CHAIR, first, community=org.community)
    person = b.person_by_id(chair.person_id)
    b.tag_person(person, "Vorstand")
    if b.rng.random() < 0.5:
        b.contact("mobile", _mobile(b, person), role=chair.id, preferred=True)
    for title, share in (("stellv. Vorsitzende:r", 0.5), ("Schatzmeister:in", 0.4),
                         ("Vorstandsmitglied", 0.2)):
        if b.rng.random() < share:
            role = holder(b, org, title, first, community=org.community)
            b.tag_person(b.person_by_id(role.person_id), "Vorstand")


def _mobile(b: Builder, person: PersonInfo) -> str:
    return mobile(b.rng, BY_KEY[person.name.community].foreign_prefix)


# --- municipal administrations -------------------------------------------------------------

def _administrations(b: Builder) -> None:
    districts = b.context.districts
    officer_changes = dict(zip(b.rng.sample(range(len(districts)), len(OFFICER_TAKEOVERS)),
                               OFFICER_TAKEOVERS, strict=True))
    with_head = [i for i, d in enumerate(districts) if COOPERATION_WEIGHT.get(d[0], 1) > 1]
    head_changes = set(b.rng.sample(with_head, min(3, len(with_head))))
    for index, (ags, name, level, mid) in enumerate(districts):
        city = level == "independent-city"
        town = TOWN_BY_AGS[ags] if city else TOWN_BY_AGS[DISTRICT_SEAT[ags]]
        plain = name.removeprefix("Landkreis ")
        org = add_org(b, OrgSpec(
            f"Stadtverwaltung {name}" if city else f"Landratsamt {plain}", "administration",
            town, mid, place=name, weight=COOPERATION_WEIGHT.get(ags, 1) * 1.5,
            domain=f"{slug(name) if city else 'lra-' + slug(plain)}.example",
        ))
        org_contacts(b, org, "poststelle")
        if ags in MODELLKOMMUNEN:
            b.tag_organisation(org, "Modellkommune")
        if COOPERATION_WEIGHT.get(ags, 1) >= 3:
            b.tag_organisation(org, "Kooperationspartner")
        _head(b, org, "Oberbürgermeister:in" if city else "Landrät:in",
              index in head_changes if index in with_head else None)
        _integration_roles(b, org, officer_changes.get(index))
        _departments(b, org, city)
    for ags in TOWN_ADMINISTRATIONS:
        town = TOWN_BY_AGS[ags]
        org = add_org(b, OrgSpec(f"Stadtverwaltung {town.name}", "administration", town,
                                 b.context.municipality_ids.get(ags), weight=2.0,
                                 domain=f"{slug(town.name)}.example"))
        org_contacts(b, org, "stadtverwaltung")
        holder(b, org, OFFICER, _year_start(b, 2017, 2024), office=True,
               community=_staff_community(b))


def _head(b: Builder, org: OrgInfo, title: str, change: bool | None) -> None:
    """Mayors and district administrators of the places the network works with most."""
    if change:
        takeover(b, org, title, date(2018, 7, 1), ELECTION_DAY, community="de")
    elif change is not None:
        holder(b, org, title, b.rng.choice((date(2018, 7, 1), ELECTION_DAY)), community="de")


def _integration_roles(b: Builder, org: OrgInfo, change: date | None) -> None:
    if change:
        takeover(b, org, OFFICER, _year_start(b, 2015, 2021), change, office=True,
                 community=_staff_community(b))
    else:
        holder(b, org, OFFICER, _year_start(b, 2016, 2023), office=True,
               community=_staff_community(b))
    if b.rng.random() < 0.65:
        holder(b, org, MANAGER, _year_start(b, 2019, 2024), office=True,
               community=_staff_community(b))
    if b.rng.random() < 0.2:
        b.role(b.person(_staff_community(b), org.town), org, MANAGER,
               _year_start(b, 2019, 2021), date(2024, 12, 31), office=True)


def _departments(b: Builder, org: OrgInfo, city: bool) -> None:
    for name, share in zip(DEPARTMENTS, (0.5, 0.2, 0.4 if city else 0.0), strict=True):
        if b.rng.random() >= share:
            continue
        dept = add_org(b, OrgSpec(f"{name} {org.place}", "administration", org.town,
                                  org.municipality_id, place=org.place, parent=org,
                                  weight=org.weight / 3))
        dept.exchange = org.exchange
        holder(b, dept, "Leiter:in", _year_start(b, 2012, 2023), office=True, community="de")
        if b.rng.random() < 0.3:
            holder(b, dept, "Sachbearbeiter:in", _year_start(b, 2016, 2025), office=True,
                   community=_staff_community(b))


# --- councils, funders, public bodies, press -----------------------------------------------

def _councils(b: Builder, members: list[OrgInfo]) -> None:
    changes = set(b.rng.sample(range(len(COUNCILS)), 3))
    for index, (name, ags) in enumerate(COUNCILS):
        town = TOWN_BY_AGS[ags]
        org = add_org(b, OrgSpec(name, "council", town, b.context.municipality_ids.get(ags),
                                 weight=2.5, domain=f"{slug(town.name)}.example"))
        org_contacts(b, org, slug(name.split()[0]), phone=False, web=False)
        local = list({r.person_id: b.person_by_id(r.person_id) for m in members
                      if m.town is town for r in m.roles if r.end is None}.values())
        if index in changes:
            takeover(b, org, CHAIR, date(2019, 11, 1), b.rng.choice((date(2024, 11, 1),
                                                                      date(2025, 2, 1))))
        else:
            _council_seat(b, org, CHAIR, local)
        _council_seat(b, org, "stellv. Vorsitzende:r", local)
        for _ in range(b.rng.randrange(2, 7)):
            _council_seat(b, org, "Mitglied", local)


def _council_seat(b: Builder, org: OrgInfo, title: str, local: list[PersonInfo]) -> None:
    """A seat for a new person, or for someone active in a local association (once)."""
    if local and b.rng.random() < 0.4:
        person = local.pop(b.rng.randrange(len(local)))
    else:
        person = b.person(None, org.town)
    b.role(person, org, title, b.rng.choice((date(2019, 11, 1), date(2024, 11, 1))))


def _funders_and_bodies(b: Builder) -> None:
    groups = (("funder", FUNDERS, ("Referent:in", "Referatsleiter:in", "Sachbearbeiter:in")),
              ("public-body", PUBLIC_BODIES, ("Referent:in", "Leiter:in", "Sachbearbeiter:in")))
    for kind, specs, titles in groups:
        for name, short, where in specs:
            town = TOWN_BY_AGS.get(where) or EXTERNAL_TOWNS[where]
            org = add_org(b, OrgSpec(name, kind, town, b.context.municipality_ids.get(where),
                                     short=short, weight=1.5,
                                     domain=f"{slug(short.split()[0])}.example"))
            org_contacts(b, org, "poststelle" if kind == "public-body" else "info")
            for title in b.rng.sample(titles, b.rng.randrange(1, 4)):
                holder(b, org, title, _year_start(b, 2014, 2024), office=True,
                       community=_staff_community(b))
    for name, where in PRESS:
        town = TOWN_BY_AGS[where]
        org = add_org(b, OrgSpec(name, "other", town, b.context.municipality_ids.get(where),
                                 weight=0.5))
        org_contacts(b, org, "redaktion", phone=False)
        for _ in range(2):
            role = holder(b, org, "Redakteur:in", _year_start(b, 2015, 2024), office=True)
            b.tag_person(b.person_by_id(role.person_id), "Presse")


# --- everyone else -------------------------------------------------------------------------

def _fill(b: Builder, members: list[OrgInfo]) -> None:
    """Community members without a role in the network; some are members of an MSO."""
    by_community: dict[str | None, list[OrgInfo]] = {}
    for org in members:
        by_community.setdefault(org.community, []).append(org)
    while len(b.people) < b.budget:
        person = b.person()
        if b.rng.random() >= 0.35:
            continue
        orgs = by_community.get(person.name.community) or members
        org = b.rng.choice(orgs)
        first = org.row["member_since"] or b.start
        start = b.day_between(min(first, b.today), b.today - timedelta(days=30))
        end = None
        if b.rng.random() < 0.05:
            end = b.day_between(start + timedelta(days=30), b.today)
        b.role(person, org, "Mitglied", start, end)


def _person_tags_and_notes(b: Builder) -> None:
    for person in b.people:
        if b.rng.random() < 0.4:
            b.tag_person(person, "Newsletter")
        if person.name.community != "de" and b.rng.random() < 0.05:
            b.tag_person(person, "Sprachmittlung")
        if b.rng.random() < 0.05:
            person.row["notes"] = b.rng.choice(PERSON_NOTES)
        if not person.roles and b.rng.random() < 0.03:
            person.row["archived_at"] = b.import_time() + timedelta(days=b.rng.randrange(60, 900))

