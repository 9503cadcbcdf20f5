"""Synthetic data for the register, at the scale of a region or of the whole country.

``kansrijk generate_synthetic --scale region|national --seed N [--years 5] [--until DATE]``
builds young people, their woongemeente, enrolments, verzuimmeldingen, vrijstellingen,
cases, timelines and agreements on the *real* reference data (``load_reference_data``:
gemeenten, school locations with DUO pupil counts, SWVs). Everything it writes is
labelled: ``YoungPerson.is_synthetic`` and ``Case.is_synthetic`` are true and every dossier
number starts with ``SYN-``. It exists for the demo and the benchmarks, never for a
production database.

Scale
    ``national``: 500,000 cases over five school years (100,000 a year) in all gemeenten
    with schools, spread over the school locations by their pupils. ``region``: the three
    seed regions (Midden-Kennemerland GM0375, GM0383, GM0396, GM0450, GM0453; Maassluis
    GM0556; Vijfheerenlanden GM1961) at the same rate per pupil, so about 1.6 % of the
    national volume (their 38,140 pupils of the 2,391,721 in the DUO file).

Calibration (``reference_data/landelijke_kengetallen_verzuim_vsv_ve.csv``)
    The Leerplichttelling counts per school year absoluut verzuim (10,240 in 2021/22,
    13,707 in 2022/23; 5,000–8,000 in the years before), langdurig relatief verzuim
    (more than four weeks: 3,246 in 2021/22, between 3,200 and 4,300 since 2009) and
    vrijstellingen 5 onder a (7,389 in 2021/22). Most verzuim never becomes a thuiszitter:
    the 100,000 cases of a national year are

    * 86.7 % short relatief verzuim: 1 to 28 days, back to school before the count of
      four weeks is passed, so never counted as thuiszitter;
    * 3.3 % langdurig relatief verzuim (3,300 a year): 30 days or more;
    * 6.5 % absoluut verzuim (6,500 a year): a third of them short (between two schools, a
      move), the rest long; half of them without a school;
    * 3.5 % new vrijstellingen 5 onder a (3,500 a year), each for the rest of the school
      year and renewed for one or more further years by more than half of them.

    Counted the way the Leerplichttelling counts (every young person who is a thuiszitter
    (case) under definition ``ocw`` on at least one day of the school year:
    ``thuiszitters_per_school_year``) the national scale gives 12,700 in the first full
    school year and 13,300–13,500 in the later ones, when long cases of the year before
    are still open (bench/RESULTS.md): within the 10,000–14,000 of the series. The
    stock on one peildatum is much smaller (2,200–3,000: most episodes are short). The
    vrijstellingen 5 onder a start from zero at the beginning of the window, so their
    stock (3,100 on 1 October, 5,600 on 1 July after a few years) stays below the national
    7,389.

Distributions
    Sector by school (the school's DUO sector; VO, SBO and (V)SO weigh more per pupil than
    PO, SO/VSO most for 5 onder a); age by sector (PO 5–12, SBO 6–13, VO 12–17, (V)SO
    5–19); woongemeente the school's gemeente, for a quarter of the VO pupils another
    gemeente of the school's SWV; an enrolment at the school (ended at the start of an
    absoluut verzuim); start dates over the window with fewer in July and August; for
    long cases a suitable offer within three months in about 78 % of them, later in 17 %,
    never in 5 %, and the case closed some weeks after the offer; outcomes by kind of
    case; cases still running on ``until`` stay open. Timelines (verzuimgesprek, home
    visit, warning, MAS route with Halt, Raad or proces-verbaal, onderwijsconsulent,
    verwijsindex, follow-up notes, a doorbraakberaad with the party with doorzettingsmacht
    for many cases without an offer by the pact deadline) and agreements (kept, not kept,
    open, some overdue) on the long cases, so that ``last_event_on``, ``next_deadline``
    and every signal of the work list have something to show; DUO verzuimmeldingen with
    their status lifecycle for 60 % of the relatief cases. ``pact_deadline`` is set by
    ``Case.set_derived_fields`` (bulk_create does not call ``save``).

BSNs
    Every young person gets a number that passes the elfproef (``identifiers.bsn_near``),
    encrypted and hashed as the register stores any number. The numbers are synthetic but
    real people may have them: synthetic data never leaves a demo or benchmark database.

Determinism, speed and memory
    The same seed, scale, years, until and reference data give the same records: the
    work is cut into chunks of ``CHUNK_SIZE`` cases and every chunk draws from its own
    generator seeded with (seed, scale, chunk), on reference data read in code order. A
    chunk is generated and written (``bulk_create``) before the next starts, so memory
    stays flat whatever the scale. All of it runs in one transaction with one audit
    record: a failed run leaves nothing behind.

Refusing
    A second run would double the data: ``generate`` refuses while synthetic records
    exist unless ``replace=True`` (``--replace``), which deletes all synthetic records
    first (``delete_synthetic``).
"""

from __future__ import annotations

import bisect
import datetime
import itertools
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone

from kansrijk.audit import services as audit
from kansrijk.organisations.models import Organisation, OrganisationKind, Region, Sector

from . import crypto, dates
from .identifiers import bsn_near
from .models import (
    AbsenceKind,
    AbsenceReport,
    Agreement,
    AgreementStatus,
    Case,
    CaseCategory,
    CaseEvent,
    CaseOutcome,
    Contact,
    Enrolment,
    EnrolmentReason,
    EventKind,
    Exemption,
    ExemptionGround,
    IdentifierKind,
    MasRoute,
    OffenceArticle,
    ReportCloseReason,
    ReportStatus,
    Residence,
    YoungPerson,
)

SCALES = ("region", "national")
REGION_MUNICIPALITIES = ("GM0375", "GM0383", "GM0396", "GM0450", "GM0453", "GM0556", "GM1961")
NATIONAL_CASES_PER_YEAR = 100_000
# The pupils of all school locations in duo_schoolvestigingen_po_vo_so_2024-11.csv: the
# rate per pupil is fixed by the national scale, so a region gets its share of it.
NATIONAL_PUPILS = 2_391_721
CASES_PER_PUPIL_YEAR = NATIONAL_CASES_PER_YEAR / NATIONAL_PUPILS
DOSSIER_PREFIX = "SYN-"
CHUNK_SIZE = 5_000
BATCH_SIZE = 1_000
# Synthetic BSNs are taken from 300,000,000 upwards (8-digit prefixes from 30,000,000),
# each chunk from its own block of prefixes; the hand-made demo cases use another block.
BSN_PREFIX_BASE = 30_000_000

SHORT_RELATIVE = "relatief_kort"
LONG_RELATIVE = "relatief_lang"
ABSOLUTE = "absoluut"
EXEMPTION = "vrijstelling_5_onder_a"
# The kinds of case and their share of a year's cases (see the module docstring).
KIND_SHARES = {
    ABSOLUTE: 0.065,
    LONG_RELATIVE: 0.033,
    EXEMPTION: 0.035,
    SHORT_RELATIVE: 1 - 0.065 - 0.033 - 0.035,
}
# Weight per pupil of each sector, per kind of case: verzuim is more frequent in VO, long
# verzuim and 5 onder a in special education.
SECTOR_WEIGHTS = {
    SHORT_RELATIVE: {Sector.PO: 0.6, Sector.SBO: 1.2, Sector.VO: 1.6, Sector.SO_VSO: 1.4},
    LONG_RELATIVE: {Sector.PO: 0.5, Sector.SBO: 1.5, Sector.VO: 1.5, Sector.SO_VSO: 3.0},
    ABSOLUTE: {Sector.PO: 0.7, Sector.SBO: 1.0, Sector.VO: 1.4, Sector.SO_VSO: 1.5},
    EXEMPTION: {Sector.PO: 0.6, Sector.SBO: 2.0, Sector.VO: 0.8, Sector.SO_VSO: 4.0},
}
# Age at the start of the case, by the school's sector: (ages, weights).
AGES = {
    Sector.PO: (range(5, 13), (1, 1, 1.2, 1.3, 1.5, 1.8, 2, 2)),
    Sector.SBO: (range(6, 14), (1, 1, 1.2, 1.4, 1.6, 1.8, 2, 1.5)),
    Sector.VO: (range(12, 18), (1, 1.5, 2, 2.5, 2.2, 1.5)),
    Sector.SO_VSO: (range(5, 20), (1,) * 15),
}
# Fewer cases start in the summer holidays (July, August).
MONTH_WEIGHTS = {1: 1.1, 2: 1.0, 3: 1.2, 4: 0.9, 5: 1.0, 6: 1.0, 7: 0.3, 8: 0.3, 9: 1.2}
MONTH_WEIGHTS |= {10: 1.1, 11: 1.2, 12: 0.8}
MAX_MONTH_WEIGHT = max(MONTH_WEIGHTS.values())

GIVEN_NAMES = (
    "Adam",
    "Amira",
    "Anouk",
    "Bram",
    "Daan",
    "Elif",
    "Emma",
    "Fenna",
    "Finn",
    "Hamza",
    "Iris",
    "Jesse",
    "Julia",
    "Lars",
    "Lieke",
    "Liam",
    "Lina",
    "Lucas",
    "Luuk",
    "Maud",
    "Mila",
    "Milan",
    "Mohammed",
    "Noah",
    "Noor",
    "Olivia",
    "Roos",
    "Saar",
    "Sam",
    "Sara",
    "Sem",
    "Sophie",
    "Stijn",
    "Tess",
    "Thijs",
    "Tijn",
    "Yara",
    "Yusuf",
    "Zoë",
    "Zara",
)
FAMILY_NAMES = (
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Yilmaz",
    "El Amrani",
    "Kaya",
    "Şahin",
    "Bouzid",
    "Nguyen",
    "Pinas",
    "Koster",
    "Prins",
    "Huisman",
    "Willems",
    "Kok",
    "Verhoeven",
    "Postma",
    "Kuipers",
)
AGREEMENTS = (
    "School stelt een aangepast rooster op.",
    "Ouders melden zich bij het jeugdteam.",
    "Het samenwerkingsverband onderzoekt een passende plek.",
    "De jeugdarts ziet de jongere op het spreekuur.",
    "Leerplicht plant een vervolggesprek met jongere en ouders.",
    "School en zorgaanbieder maken een plan voor gedeeltelijke terugkeer.",
)
SYNTHETIC_NOTE = "Synthetisch (gegenereerd voor demo of benchmark)."


def bsn_with_prefix(prefix: int) -> str | None:
    """The BSN whose first eight digits are ``prefix`` (10,000,000–99,999,999), or None
    when no check digit makes the elfproef hold (one prefix in eleven)."""
    check = sum(w * int(d) for w, d in zip((9, 8, 7, 6, 5, 4, 3, 2), str(prefix), strict=True))
    if check % 11 == 10:
        return None
    number = bsn_near(prefix * 10 + check % 11)  # valid already; bsn_near checks it
    return number if int(number) // 10 == prefix else None


class SyntheticDataError(Exception):
    """Generation refused: synthetic data exists already, or reference data is missing."""


@dataclass
class SchoolUnit:
    pk: int
    code: str
    sector: str
    municipality_id: int
    partnership_id: int | None
    pupils: int
    homes: tuple[int, ...] = ()  # other gemeenten a pupil may live in (same SWV)


@dataclass
class GenerationReport:
    scale: str
    seed: int
    first_day: datetime.date
    until: datetime.date
    cases: int = 0
    young_people: int = 0
    residences: int = 0
    enrolments: int = 0
    events: int = 0
    agreements: int = 0
    absence_reports: int = 0
    exemptions: int = 0
    participants: int = 0
    deleted: dict = field(default_factory=dict)
    seconds: float = 0.0

    @property
    def rows(self) -> int:
        return sum(
            getattr(self, name)
            for name in (
                "cases",
                "young_people",
                "residences",
                "enrolments",
                "events",
                "agreements",
                "absence_reports",
                "exemptions",
                "participants",
            )
        )


def _no_progress(step: str, done: int, total: int) -> None:
    pass


# ------------------------------------------------------------------ reference data


def _municipality_ids(scale: str) -> set[int] | None:
    """The gemeenten of the scale (None: all)."""
    if scale == "national":
        return None
    found = dict(
        Region.objects.filter(kind="municipality", code__in=REGION_MUNICIPALITIES).values_list(
            "code", "pk"
        )
    )
    missing = [code for code in REGION_MUNICIPALITIES if code not in found]
    if missing:
        raise SyntheticDataError(
            f"Gemeente(n) {', '.join(missing)} ontbreken: draai eerst `kansrijk "
            "load_reference_data`."
        )
    return set(found.values())


def load_schools(scale: str) -> list[SchoolUnit]:
    """The school locations with pupils of the scale, in code order (deterministic)."""
    allowed = _municipality_ids(scale)
    schools = (
        Organisation.objects.schools()
        .filter(pupil_count__gt=0, municipality__isnull=False)
        .exclude(sector="")
        .order_by("code")
    )
    if allowed is not None:
        schools = schools.filter(municipality_id__in=allowed)
    units = [
        SchoolUnit(pk, code, sector, municipality_id, partnership_id, pupils)
        for pk, code, sector, municipality_id, partnership_id, pupils in schools.values_list(
            "pk", "code", "sector", "municipality_id", "partnership_id", "pupil_count"
        )
        if sector in AGES
    ]
    if not units:
        raise SyntheticDataError(
            "Geen schoolvestigingen met leerlingaantallen gevonden: draai eerst `kansrijk "
            "load_reference_data`."
        )
    served: dict[int, list[int]] = {}
    through = Organisation.served_regions.through
    for partnership_id, region_id in (
        through.objects.filter(
            organisation__kind=OrganisationKind.PARTNERSHIP, region__kind="municipality"
        )
        .order_by("organisation_id", "region__code")
        .values_list("organisation_id", "region_id")
    ):
        if allowed is None or region_id in allowed:
            served.setdefault(partnership_id, []).append(region_id)
    for unit in units:
        if unit.sector == Sector.VO and unit.partnership_id in served:
            unit.homes = tuple(r for r in served[unit.partnership_id] if r != unit.municipality_id)
    return units


def planned_cases(scale: str, years: int, schools: list[SchoolUnit]) -> int:
    if scale == "national":
        return NATIONAL_CASES_PER_YEAR * years
    return round(CASES_PER_PUPIL_YEAR * years * sum(unit.pupils for unit in schools))


# ------------------------------------------------------------------ drawing


class _Sampler:
    """Weighted choice of a school per kind of case (cumulative weights, bisect)."""

    def __init__(self, schools: list[SchoolUnit]):
        self.schools = schools
        self.cumulative = {}
        for kind, weights in SECTOR_WEIGHTS.items():
            self.cumulative[kind] = list(
                itertools.accumulate(unit.pupils * weights.get(unit.sector, 1) for unit in schools)
            )

    def school(self, rng: random.Random, kind: str) -> SchoolUnit:
        cumulative = self.cumulative[kind]
        return self.schools[bisect.bisect_right(cumulative, rng.random() * cumulative[-1])]


KINDS = list(KIND_SHARES)
KIND_CUMULATIVE = list(itertools.accumulate(KIND_SHARES[kind] for kind in KINDS))


def _kind(rng: random.Random) -> str:
    return KINDS[min(bisect.bisect_right(KIND_CUMULATIVE, rng.random()), len(KINDS) - 1)]


def _start_date(rng: random.Random, first: datetime.date, days: int) -> datetime.date:
    while True:
        day = first + datetime.timedelta(days=rng.randrange(days))
        if rng.random() * MAX_MONTH_WEIGHT <= MONTH_WEIGHTS[day.month]:
            return day


def _days(n: int) -> datetime.timedelta:
    return datetime.timedelta(days=n)


def _birth_date(rng: random.Random, sector: str, start: datetime.date) -> datetime.date:
    ages, weights = AGES[sector]
    age = rng.choices(ages, weights)[0]
    return start - _days(int(age * 365.25) + rng.randrange(365))


def _pick(rng: random.Random, weighted: tuple[tuple[str, float], ...]) -> str:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights)[0]


SHORT_OUTCOMES = (
    (CaseOutcome.BACK_TO_SCHOOL, 90),
    (CaseOutcome.OTHER_SCHOOL, 5),
    (CaseOutcome.MOVED, 3),
    (CaseOutcome.OTHER, 2),
)
OFFER_OUTCOMES = (
    (CaseOutcome.BACK_TO_SCHOOL, 35),
    (CaseOutcome.OTHER_SCHOOL, 25),
    (CaseOutcome.SPECIAL_EDUCATION, 15),
    (CaseOutcome.EDUCATION_CARE, 15),
    (CaseOutcome.CARE, 5),
    (CaseOutcome.WORK_OR_MBO, 5),
)
NO_OFFER_OUTCOMES = (
    (CaseOutcome.MOVED, 30),
    (CaseOutcome.EMIGRATED, 20),
    (CaseOutcome.EXEMPTION, 20),
    (CaseOutcome.OTHER, 30),
)
EXEMPTION_OUTCOMES = (
    (CaseOutcome.BACK_TO_SCHOOL, 30),
    (CaseOutcome.SPECIAL_EDUCATION, 30),
    (CaseOutcome.CARE, 30),
    (CaseOutcome.OTHER, 10),
)
CLOSE_REASONS = (
    (ReportCloseReason.ABSENCE_STOPPED, 70),
    (ReportCloseReason.CARE, 15),
    (ReportCloseReason.HALT, 5),
    (ReportCloseReason.MOVED, 5),
    (ReportCloseReason.OTHER, 5),
)


# ------------------------------------------------------------------ one chunk


@dataclass
class _Plan:
    """Everything of one chunk, before and while it is written."""

    people: list = field(default_factory=list)  # YoungPerson
    homes: list = field(default_factory=list)  # municipality id per person
    enrolments: list = field(default_factory=list)  # (person index, Enrolment)
    cases: list = field(default_factory=list)  # (person index, Case)
    events: list = field(default_factory=list)  # (case index, CaseEvent)
    agreements: list = field(default_factory=list)  # (case index, Agreement)
    reports: list = field(default_factory=list)  # (case index, person index, AbsenceReport)
    exemptions: list = field(default_factory=list)  # (person index, Exemption)
    participants: list = field(default_factory=list)  # (case index, organisation id)


class _Generator:
    def __init__(
        self,
        *,
        scale: str,
        seed: int,
        schools: list[SchoolUnit],
        first_day: datetime.date,
        until: datetime.date,
    ):
        self.scale = scale
        self.seed = seed
        self.sampler = _Sampler(schools)
        self.first_day = first_day
        self.until = until
        self.window = (until - first_day).days + 1
        self.municipality_organisations = dict(
            Organisation.objects.filter(kind=OrganisationKind.MUNICIPALITY)
            .exclude(municipality__isnull=True)
            .values_list("municipality_id", "pk")
        )

    # The identifiers of one chunk: 8-digit prefixes from the chunk's own block, each
    # completed with the check digit that makes the elfproef hold (a prefix that needs a
    # check digit of 10 has no BSN and is skipped), skipping numbers already registered.
    def numbers(self, chunk: int, needed: int) -> list[str]:
        candidates = []
        prefix = BSN_PREFIX_BASE + chunk * 2 * CHUNK_SIZE
        last_prefix = prefix + 2 * CHUNK_SIZE
        wanted = needed + needed // 8 + 16
        while len(candidates) < wanted and prefix < last_prefix:
            number = bsn_with_prefix(prefix)
            if number is not None:
                candidates.append(number)
            prefix += 1
        hashes = {crypto.identifier_hash(number): number for number in candidates}
        hash_list = list(hashes)
        taken = set()
        for start in range(0, len(hash_list), 500):
            taken |= set(
                YoungPerson.objects.filter(
                    identifier_hash__in=hash_list[start : start + 500]
                ).values_list("identifier_hash", flat=True)
            )
        free = [number for digest, number in hashes.items() if digest not in taken]
        if len(free) < needed:
            raise SyntheticDataError("Te weinig vrije synthetische nummers in dit blok.")
        return free[:needed]

    def chunk(self, chunk: int, size: int, first_index: int) -> _Plan:
        rng = random.Random(f"kansrijk-synthetic:{self.seed}:{self.scale}:{chunk}")
        plan = _Plan()
        numbers = iter(self.numbers(chunk, size))
        index = first_index
        made = 0
        while made < size:
            kind = _kind(rng)
            school = self.sampler.school(rng, kind)
            start = _start_date(rng, self.first_day, self.window)
            birth = _birth_date(rng, school.sector, start)
            person = YoungPerson(
                identifier_kind=IdentifierKind.BSN,
                given_name=rng.choice(GIVEN_NAMES),
                family_name=rng.choice(FAMILY_NAMES),
                birth_date=birth,
                is_synthetic=True,
            )
            person.set_identifier(IdentifierKind.BSN, next(numbers))
            person_index = len(plan.people)
            plan.people.append(person)
            home = school.municipality_id
            if school.homes and rng.random() < 0.25:
                home = rng.choice(school.homes)
            plan.homes.append(home)
            enrolment = self._enrolment(rng, school, birth, start)
            plan.enrolments.append((person_index, enrolment))
            case = self._case(rng, plan, kind, school, home, person_index, start, index)
            index += 1
            made += 1
            # A share of the young people with a relatief verzuim that ended comes back.
            if (
                made < size
                and kind in (SHORT_RELATIVE, LONG_RELATIVE)
                and case.end_date is not None
                and rng.random() < 0.2
            ):
                again = case.end_date + _days(rng.randint(30, 400))
                if again <= self.until:
                    second = SHORT_RELATIVE if rng.random() < 0.85 else LONG_RELATIVE
                    self._case(rng, plan, second, school, home, person_index, again, index)
                    index += 1
                    made += 1
            if kind == ABSOLUTE:
                # Absoluut verzuim: not enrolled (any more) from the start of the case.
                enrolment.end_date = max(enrolment.start_date, start - _days(1))
                enrolment.reason = _pick(
                    rng,
                    (
                        (EnrolmentReason.REMOVAL, 40),
                        (EnrolmentReason.MOVE, 40),
                        (EnrolmentReason.EMIGRATION, 20),
                    ),
                )
        return plan

    def _enrolment(self, rng, school: SchoolUnit, birth, start) -> Enrolment:
        entry_age = 12 if school.sector == Sector.VO else 4
        earliest = dates.birthday(birth, entry_age)
        enrolled = dates.school_year_start(max(earliest, start - _days(rng.randrange(3 * 365))))
        if enrolled > start:
            enrolled = max(earliest, start - _days(rng.randint(1, 60)))
        enrolled = min(enrolled, start)
        return Enrolment(
            school_id=school.pk,
            start_date=enrolled,
            reason=EnrolmentReason.FIRST if entry_age == 4 else EnrolmentReason.SCHOOL_CHANGE,
        )

    def _case(self, rng, plan: _Plan, kind, school, home, person_index, start, index) -> Case:
        until = self.until
        category = {
            SHORT_RELATIVE: CaseCategory.RELATIVE,
            LONG_RELATIVE: CaseCategory.RELATIVE,
            ABSOLUTE: CaseCategory.ABSOLUTE,
            EXEMPTION: CaseCategory.EXEMPTION_5_UNDER_A,
        }[kind]
        with_school = not (kind == ABSOLUTE and rng.random() < 0.5)
        case = Case(
            dossier_id=f"{DOSSIER_PREFIX}{self.seed}-{index:07d}",
            category=category,
            start_date=start,
            school_id=school.pk if with_school else None,
            municipality_id=home,
            sector=school.sector,
            is_synthetic=True,
        )
        case.set_derived_fields()
        long = kind == LONG_RELATIVE or (kind == ABSOLUTE and rng.random() >= 0.35)
        offer = end = None
        decisions = []
        if kind == EXEMPTION:
            end, decisions = self._exemptions(rng, plan, person_index, start)
            outcome = _pick(rng, EXEMPTION_OUTCOMES)
        elif not long:
            end = start + _days(min(28, max(1, int(rng.triangular(1, 28, 6)))))
            outcome = _pick(rng, SHORT_OUTCOMES)
        else:
            pact_days = (case.pact_deadline - start).days
            draw = rng.random()
            if draw < 0.78:
                offer = start + _days(rng.randint(min(20, pact_days), pact_days))
            elif draw < 0.95:
                offer = case.pact_deadline + _days(rng.randint(1, 120))
            if offer is not None:
                end = offer + _days(rng.randint(14, 90))
                outcome = _pick(rng, OFFER_OUTCOMES)
            else:
                end = start + _days(30 + min(700, int(rng.lognormvariate(4.6, 0.8))))
                outcome = _pick(rng, NO_OFFER_OUTCOMES)
            end = max(end, start + _days(30))
            if (
                outcome == CaseOutcome.WORK_OR_MBO
                and (end - plan.people[person_index].birth_date).days < 16 * 365
            ):
                outcome = CaseOutcome.OTHER_SCHOOL
        if offer is not None and offer > until:
            offer = None
        if end is not None and end > until:
            end = None
        case.offer_date = offer
        case.end_date = end
        case.outcome = outcome if end is not None else ""
        case_index = len(plan.cases)
        plan.cases.append((person_index, case))
        last = min(end, until) if end is not None else until
        events = self._events(rng, kind, long, case, plan.people[person_index], school, last)
        events += [
            CaseEvent(kind=EventKind.NOTE, date=day, description="Vrijstelling 5 onder a verlengd.")
            for day in decisions[1:]
            if day <= last
        ]
        case.last_event_on = max((event.date for event in events), default=start)
        plan.events.extend((case_index, event) for event in events)
        if long:
            agreements = self._agreements(rng, case, school, last)
            open_deadlines = [a.deadline for a in agreements if a.status == AgreementStatus.OPEN]
            case.next_deadline = min(open_deadlines, default=None)
            plan.agreements.extend((case_index, agreement) for agreement in agreements)
            if with_school and school.partnership_id:
                plan.participants.append((case_index, school.partnership_id))
        if category == CaseCategory.RELATIVE and rng.random() < 0.6:
            report = self._report(rng, long, case, school, last)
            if report is not None:
                plan.reports.append((case_index, person_index, report))
        return case

    def _events(self, rng, kind, long, case: Case, person, school, last) -> list[CaseEvent]:
        start = case.start_date
        events = []

        def add(kind_, day, **fields):
            if start <= day <= last:
                events.append(CaseEvent(kind=kind_, date=day, **fields))
                return True
            return False

        if kind == EXEMPTION:
            add(EventKind.NOTE, start, description="Vrijstelling 5 onder a verleend.")
            return events
        if not long:
            if rng.random() < 0.5:
                add(EventKind.ABSENCE_MEETING, start + _days(rng.randint(2, 10)))
            return events
        add(EventKind.ABSENCE_MEETING, start + _days(rng.randint(3, 12)))
        if rng.random() < 0.6:
            add(EventKind.HOME_VISIT, start + _days(rng.randint(10, 30)))
        if rng.random() < 0.35:
            add(EventKind.WARNING, start + _days(rng.randint(15, 40)))
        age = dates.age_on(person.birth_date, start)
        if rng.random() < 0.3:
            route = rng.choices((1, 2, 3, 4), (60, 15, 15, 10))[0]
            if route == MasRoute.HALT and age < 12:
                route = MasRoute.CARE
            day = start + _days(rng.randint(20, 60))
            if add(EventKind.MAS_ROUTE, day, mas_route=route):
                follow = day + _days(rng.randint(3, 20))
                if route == MasRoute.HALT:
                    add(EventKind.HALT, follow)
                elif route == MasRoute.CIVIL:
                    add(EventKind.CHILD_PROTECTION, follow)
                elif route == MasRoute.CRIMINAL:
                    sent = follow + _days(rng.randint(7, 30))
                    add(
                        EventKind.OFFICIAL_REPORT,
                        follow,
                        report_number=f"SYN-PV-{case.dossier_id[4:]}",
                        offence_article=(
                            OffenceArticle.ART_4A if age >= 12 else OffenceArticle.ART_2
                        ),
                        sent_to_prosecutor_on=sent if sent <= last else None,
                    )
        if rng.random() < 0.15:
            add(EventKind.EDUCATION_CONSULTANT, start + _days(rng.randint(20, 70)))
        if rng.random() < 0.1:
            add(EventKind.REFERRAL_INDEX, start + _days(rng.randint(5, 30)))
        no_offer_in_time = case.offer_date is None or case.offer_date > case.pact_deadline
        if no_offer_in_time and case.pact_deadline <= last and rng.random() < 0.5:
            mandated = school.partnership_id or self.municipality_organisations.get(
                case.municipality_id
            )
            add(
                EventKind.BREAKTHROUGH,
                case.pact_deadline + _days(rng.randint(0, 30)),
                decision=(
                    "Synthetisch besluit: het samenwerkingsverband zorgt binnen vier "
                    "weken voor een passend aanbod."
                ),
                mandated_organisation_id=mandated,
            )
        if rng.random() < 0.5:
            day = start + _days(30)
            for _ in range(12):
                day += _days(rng.randint(14, 35))
                if not add(EventKind.NOTE, day, description="Voortgang besproken."):
                    break
        if case.offer_date is not None:
            add(EventKind.OFFER, case.offer_date, description="Passend aanbod gestart.")
        return events

    def _agreements(self, rng, case: Case, school: SchoolUnit, last) -> list[Agreement]:
        """Agreements early in the case (kept, not kept, a few left open after their
        deadline) and, on a case still open, often a recent one whose deadline is near."""
        if rng.random() >= 0.6:
            return []
        deadlines = [
            case.start_date + _days(rng.randint(10, 75) + 20 * number)
            for number in range(rng.randint(1, 3))
        ]
        if case.end_date is None and (last - case.start_date).days > 60 and rng.random() < 0.6:
            deadlines.append(last + _days(rng.randint(-21, 28)))
        found = []
        for deadline in deadlines:
            responsible = rng.random()
            agreement = Agreement(
                description=rng.choice(AGREEMENTS),
                deadline=deadline,
                responsible_organisation_id=(
                    (case.school_id if responsible < 0.5 else school.partnership_id)
                    if case.school_id
                    else None
                ),
            )
            if agreement.responsible_organisation_id is None:
                agreement.responsible_person = "ouders"
            if case.end_date is not None:
                resolved = max(case.start_date, min(deadline - _days(rng.randint(0, 7)), last))
                agreement.status = (
                    AgreementStatus.KEPT if rng.random() < 0.8 else AgreementStatus.NOT_KEPT
                )
                agreement.resolved_on = resolved
            elif deadline < last - _days(21):
                draw = rng.random()
                if draw < 0.85:
                    agreement.status = (
                        AgreementStatus.KEPT if draw < 0.7 else AgreementStatus.NOT_KEPT
                    )
                    agreement.resolved_on = min(last, deadline + _days(rng.randint(-5, 5)))
                    agreement.resolved_on = max(agreement.resolved_on, case.start_date)
                # else: still open long after its deadline (overdue)
            # A deadline in the last three weeks or ahead: still open (overdue if passed).
            found.append(agreement)
        return found

    def _report(self, rng, long, case: Case, school: SchoolUnit, last) -> AbsenceReport | None:
        start = case.start_date
        if long:
            kind, reported = AbsenceKind.LONG_RELATIVE, start + _days(rng.randint(29, 35))
            hours = None
        else:
            kind, reported = AbsenceKind.SIXTEEN_HOURS, start + _days(rng.randint(3, 10))
            hours = rng.randint(16, 40)
        if reported > self.until:
            return None
        report = AbsenceReport(
            school_id=school.pk,
            kind=kind,
            start_date=start,
            end_date=case.end_date,
            hours=hours,
            reported_on=reported,
        )
        if case.end_date is not None:
            draw = rng.random()
            if draw < 0.85:
                report.status = ReportStatus.CLOSED
                report.close_reason = _pick(rng, CLOSE_REASONS)
                report.status_changed_on = min(self.until, max(case.end_date, reported))
            elif draw < 0.95:
                report.status = ReportStatus.ACKNOWLEDGED
                report.status_changed_on = min(self.until, reported + _days(3))
            else:
                report.status = ReportStatus.WITHDRAWN
                report.status_changed_on = min(self.until, reported + _days(2))
        elif (self.until - reported).days < 7:
            report.status = ReportStatus.REGISTERED
            report.status_changed_on = reported
        else:
            report.status = ReportStatus.IN_PROGRESS
            report.status_changed_on = min(self.until, reported + _days(rng.randint(1, 5)))
        return report

    def _exemptions(self, rng, plan: _Plan, person_index, start):
        """The vrijstelling 5 onder a of the school year of ``start`` and its renewals;
        returns the end of the case (the day after the last one, or None while open) and
        the days they were decided on."""
        decisions = []
        years = rng.choices((1, 2, 3, 4), (45, 30, 15, 10))[0]
        valid_from = start
        valid_to = dates.school_year_end(start)
        for year in range(years):
            if year == 0:
                requested = valid_from - _days(rng.randint(14, 45))
            else:
                requested = datetime.date(valid_from.year, 6, rng.randint(1, 25))
            if requested > self.until:
                return None, decisions  # the renewal has not been asked for yet: still open
            statement = requested - _days(rng.randint(0, 85))
            decided = requested + _days(rng.randint(5, 30))
            decisions.append(decided)
            plan.exemptions.append(
                (
                    person_index,
                    Exemption(
                        ground=ExemptionGround.ART_5_UNDER_A,
                        requested_on=requested,
                        decided_on=decided if decided <= self.until else None,
                        valid_from=valid_from,
                        valid_to=valid_to,
                        statement_on=statement,
                        reason=SYNTHETIC_NOTE,
                    ),
                )
            )
            valid_from = valid_to + _days(1)
            valid_to = dates.school_year_end(valid_from)
        end = valid_from  # the day after the last valid_to
        return (end if end <= self.until else None), decisions

    # ------------------------------------------------------------------ writing

    def write(self, plan: _Plan, report: GenerationReport) -> None:
        YoungPerson.objects.bulk_create(plan.people, batch_size=BATCH_SIZE)
        people = plan.people
        Residence.objects.bulk_create(
            [
                Residence(
                    young_person_id=person.pk, municipality_id=home, valid_from=person.birth_date
                )
                for person, home in zip(people, plan.homes, strict=True)
            ],
            batch_size=BATCH_SIZE,
        )
        for person_index, enrolment in plan.enrolments:
            enrolment.young_person_id = people[person_index].pk
        Enrolment.objects.bulk_create([e for _i, e in plan.enrolments], batch_size=BATCH_SIZE)
        for person_index, exemption in plan.exemptions:
            exemption.young_person_id = people[person_index].pk
        Exemption.objects.bulk_create([e for _i, e in plan.exemptions], batch_size=BATCH_SIZE)
        cases = []
        for person_index, case in plan.cases:
            case.young_person_id = people[person_index].pk
            cases.append(case)
        Case.objects.bulk_create(cases, batch_size=BATCH_SIZE)
        for case_index, event in plan.events:
            event.case_id = cases[case_index].pk
        CaseEvent.objects.bulk_create([e for _i, e in plan.events], batch_size=BATCH_SIZE)
        for case_index, agreement in plan.agreements:
            agreement.case_id = cases[case_index].pk
        Agreement.objects.bulk_create([a for _i, a in plan.agreements], batch_size=BATCH_SIZE)
        for case_index, person_index, absence in plan.reports:
            absence.case_id = cases[case_index].pk
            absence.young_person_id = people[person_index].pk
        AbsenceReport.objects.bulk_create([r for _c, _p, r in plan.reports], batch_size=BATCH_SIZE)
        through = Case.participants.through
        through.objects.bulk_create(
            [
                through(case_id=cases[case_index].pk, organisation_id=organisation_id)
                for case_index, organisation_id in plan.participants
            ],
            batch_size=BATCH_SIZE,
        )
        report.cases += len(cases)
        report.young_people += len(people)
        report.residences += len(people)
        report.enrolments += len(plan.enrolments)
        report.exemptions += len(plan.exemptions)
        report.events += len(plan.events)
        report.agreements += len(plan.agreements)
        report.absence_reports += len(plan.reports)
        report.participants += len(plan.participants)


# ------------------------------------------------------------------ public functions


def synthetic_cases():
    return Case.objects.filter(Q(is_synthetic=True) | Q(young_person__is_synthetic=True))


def has_synthetic_data() -> bool:
    return (
        Case.objects.filter(is_synthetic=True).exists()
        or YoungPerson.objects.filter(is_synthetic=True).exists()
    )


def _raw_delete(queryset) -> int:
    # The dependants are deleted first, in order, so no cascade is needed; a plain DELETE
    # keeps memory flat (QuerySet.delete() would load every case to collect them).
    return queryset._raw_delete(queryset.db)


@transaction.atomic
def delete_synthetic(*, actor=None) -> dict[str, int]:
    """Delete every synthetic record (and whatever hangs off a synthetic young person).
    Records of real young people are never touched."""
    cases = synthetic_cases()
    case_ids = cases.values("pk")
    people = YoungPerson.objects.filter(is_synthetic=True)
    # A real verzuimmelding linked to a synthetic case keeps its own data.
    AbsenceReport.objects.filter(case__in=case_ids).exclude(young_person__is_synthetic=True).update(
        case=None
    )
    deleted = {
        "verzuimmeldingen": _raw_delete(
            AbsenceReport.objects.filter(young_person__is_synthetic=True)
        ),
        "gebeurtenissen": _raw_delete(CaseEvent.objects.filter(case__in=case_ids)),
        "afspraken": _raw_delete(Agreement.objects.filter(case__in=case_ids)),
        "betrokkenen": _raw_delete(Case.participants.through.objects.filter(case__in=case_ids)),
    }
    real_cases_of_synthetic = Case.objects.filter(
        young_person__is_synthetic=True, is_synthetic=False
    )
    if real_cases_of_synthetic.exists():
        raise SyntheticDataError(
            "Er zijn niet-synthetische casussen van synthetische jongeren; verwijder die eerst."
        )
    deleted["casussen"] = _raw_delete(Case.objects.filter(is_synthetic=True))
    for label, model in (
        ("vrijstellingen", Exemption),
        ("inschrijvingen", Enrolment),
        ("woongemeenten", Residence),
        ("contactpersonen", Contact),
    ):
        deleted[label] = _raw_delete(model.objects.filter(young_person__is_synthetic=True))
    deleted["jongeren"] = _raw_delete(people)
    if any(deleted.values()):
        audit.record("cases.synthetic.delete", actor=actor, after=deleted)
    return deleted


def window(until: datetime.date, years: int) -> tuple[datetime.date, datetime.date]:
    """The days cases start on: the ``years`` years up to and including ``until``."""
    return dates.add_months(until, -12 * years) + _days(1), until


def generate(
    *,
    scale: str,
    seed: int,
    years: int = 5,
    until: datetime.date | None = None,
    replace: bool = False,
    cases: int | None = None,
    actor=None,
    progress: Callable[[str, int, int], None] = _no_progress,
) -> GenerationReport:
    """Generate synthetic data (see the module docstring). ``cases`` overrides the
    number of cases the scale plans (for trying out and tests)."""
    if scale not in SCALES:
        raise SyntheticDataError(f"Onbekende schaal '{scale}': kies region of national.")
    if years < 1:
        raise SyntheticDataError("Kies minstens 1 jaar.")
    until = until or timezone.localdate()
    if until > timezone.localdate():
        raise SyntheticDataError("De einddatum (--until) ligt in de toekomst.")
    started = time.perf_counter()
    first_day, until = window(until, years)
    report = GenerationReport(scale=scale, seed=seed, first_day=first_day, until=until)
    with transaction.atomic():
        if has_synthetic_data():
            if not replace:
                raise SyntheticDataError(
                    f"Er staan al synthetische gegevens in het register "
                    f"({Case.objects.filter(is_synthetic=True).count()} casussen). Er is niets "
                    "toegevoegd; gebruik --replace om ze eerst te verwijderen."
                )
            report.deleted = delete_synthetic(actor=actor)
        schools = load_schools(scale)
        total = cases if cases is not None else planned_cases(scale, years, schools)
        generator = _Generator(
            scale=scale, seed=seed, schools=schools, first_day=first_day, until=until
        )
        for chunk, first_index in enumerate(range(0, total, CHUNK_SIZE)):
            size = min(CHUNK_SIZE, total - first_index)
            generator.write(generator.chunk(chunk, size, first_index), report)
            progress("casussen", report.cases, total)
        audit.record(
            "cases.synthetic.generate",
            actor=actor,
            after={
                "schaal": scale,
                "seed": seed,
                "jaren": years,
                "van": first_day,
                "tot_en_met": until,
                "casussen": report.cases,
                "jongeren": report.young_people,
            },
            reason=SYNTHETIC_NOTE,
        )
    report.seconds = time.perf_counter() - started
    return report


# ------------------------------------------------------------------ checks


def thuiszitters_per_school_year(cases, school_years: list[str]) -> dict[str, int]:
    """How many cases were a thuiszitter (definition ocw) on at least one day of each
    school year ("2023/2024"): absoluut verzuim open on a day of the year, or relatief
    verzuim open on a day of the year that lies more than 28 days after its start. This
    is how the Leerplichttelling counts a school year; one aggregate query."""
    aggregates = {}
    for label in school_years:
        first, last = dates.parse_school_year(label)
        absolute = Q(category=CaseCategory.ABSOLUTE, start_date__lte=last) & (
            Q(end_date__isnull=True) | Q(end_date__gt=first)
        )
        # Counted on P when P − start > 28 and end > P: some P in the year exists when
        # start + 29 ≤ last and the case lasts past both start + 29 and the first day.
        relative = Q(category=CaseCategory.RELATIVE, start_date__lte=last - _days(29)) & (
            Q(end_date__isnull=True)
            | (Q(end_date__gt=first) & Q(end_date__gt=F("start_date") + _days(29)))
        )
        aggregates[label] = Count("pk", filter=absolute | relative)
    return cases.aggregate(**aggregates)


__all__ = [
    "SCALES",
    "GenerationReport",
    "SyntheticDataError",
    "delete_synthetic",
    "generate",
    "has_synthetic_data",
    "thuiszitters_per_school_year",
]
