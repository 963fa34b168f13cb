"""The hours ledger: record purchases, work and voids under the support contract's rules.

Every write is one transaction that first takes the customer's write lock (see storage), then reads
the balance it decides on, then inserts the entry with its movements: two writers for one customer
never both spend the same minutes, and a crash leaves an entry wholly recorded or absent.
Nothing is updated or deleted; a mistake is corrected with ``void``.
"""

from __future__ import annotations

import functools
import getpass
import logging
import socket
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Concatenate, ParamSpec

from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, aliased

from agent.ledger import rules
from agent.ledger.activities import Activity, Package, activity
from agent.ledger.errors import LedgerError, NotFoundError, RefusedError
from agent.ledger.models import Base, Customer, Entitlement, Entry, Movement
from agent.ledger.storage import (
    WRITE,
    LedgerUnavailableError,
    create_ledger_engine,
    describe,
    migrate,
    resolve_url,
)
from agent.ledger.terms import DEFAULT_TERMS, AddOnTerm, SupportTerms
from agent.ledger.views import AddOnBalance, Balance, EntryView, MovementView, low_threshold
from reports.units import duration

TermsFor = Callable[[str], SupportTerms]
P = ParamSpec("P")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Recorded:
    entry: EntryView
    created: bool  # False: the report id or purchase reference was already recorded
    balance: Balance


@dataclass(frozen=True)
class _Draw:
    bucket: str
    minutes: int
    days: int = 0
    entitlement: Entitlement | None = None


def _recorder() -> str:
    try:
        user = getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (containers)
        import os

        user = f"uid-{os.getuid()}"
    return f"{user}@{socket.gethostname()}"


def _logged(
    what: Callable[..., str],
) -> Callable[[Callable[Concatenate[Ledger, P], Recorded]], Callable[Concatenate[Ledger, P], Recorded]]:
    """Log a write once committed, or why it was not; ``what(*args)`` names it ("work for acme")."""

    def wrap(
        method: Callable[Concatenate[Ledger, P], Recorded],
    ) -> Callable[Concatenate[Ledger, P], Recorded]:
        def logged(self: Ledger, /, *args: P.args, **kwargs: P.kwargs) -> Recorded:
            try:
                recorded = method(self, *args, **kwargs)
            except LedgerError as exc:  # info, not warning: whoever called says so, in one line
                logger.info("%s not recorded: %s", what(*args, **kwargs), exc)
                raise
            entry = recorded.entry
            if not recorded.created:
                logger.info("%s: already recorded as #%d", what(*args, **kwargs), entry.id)
            else:
                logger.info(
                    "recorded #%d: %s for %s%s, %d min%s",
                    entry.id,
                    entry.kind,
                    entry.customer,
                    f" ({entry.activity})" if entry.activity else "",
                    entry.minutes,
                    f", voids #{entry.voids_entry_id}" if entry.voids_entry_id else "",
                )
            return recorded

        functools.update_wrapper(logged, method)
        return logged

    return wrap


def _aware(moment: datetime, what: str) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{what} must be timezone-aware")
    return moment


class Ledger:
    """One ledger database. ``Ledger.open(url)`` creates or migrates it; close it when done."""

    def __init__(
        self,
        engine: Engine,
        *,
        recorded_by: str | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.engine = engine
        self.recorded_by = recorded_by or _recorder()
        self.clock = clock
        self._writer = engine.execution_options(**{WRITE: True})

    @classmethod
    def open(
        cls,
        url: str | None = None,
        *,
        base_dir: Path | None = None,
        busy_timeout_seconds: float = 30.0,
        recorded_by: str | None = None,
    ) -> Ledger:
        resolved = resolve_url(url, base_dir)
        logger.debug("opening the ledger at %s", describe(resolved))
        try:
            engine = create_ledger_engine(resolved, busy_timeout_seconds)
        except SQLAlchemyError as exc:
            raise LedgerUnavailableError(f"cannot open the ledger at {describe(resolved)}: {exc}") from None
        try:
            migrate(engine)
        except BaseException:
            engine.dispose()
            raise
        return cls(engine, recorded_by=recorded_by)

    @property
    def location(self) -> str:
        return describe(self.engine.url)

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Ledger:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- transactions -------------------------------------------------------------------------

    @contextmanager
    def _writing(self) -> Iterator[Session]:
        try:
            with Session(self._writer, expire_on_commit=False) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise LedgerUnavailableError(self._unavailable(exc)) from None

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        try:
            with Session(self.engine) as session, session.begin():
                yield session
        except OperationalError as exc:
            raise LedgerUnavailableError(self._unavailable(exc)) from None

    def _unavailable(self, exc: OperationalError) -> str:
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig is not None else type(exc).__name__
        if "locked" in reason:
            return f"the ledger at {self.location} stayed busy beyond the busy timeout ({reason}); try again"
        return f"the ledger at {self.location} failed: {reason}"

    def _insert(  # the dialect's INSERT, which has ON CONFLICT
        self, session: Session
    ) -> Callable[[type[Base]], postgresql.Insert | sqlite.Insert]:
        return postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert

    def _lock_customer(self, session: Session, name: str, create: bool = True) -> Customer | None:
        """The customer's row, created if need be, locked for the rest of the transaction."""
        if create:
            insert = self._insert(session)
            session.execute(
                insert(Customer)
                .values(name=name, created_at=self.clock())
                .on_conflict_do_nothing(index_elements=["name"])
            )
        query = select(Customer).where(Customer.name == name).with_for_update()
        return session.execute(query).scalar_one_or_none()

    # --- writes -------------------------------------------------------------------------------

    @_logged(lambda customer, *_, **__: f"purchase for {customer}")
    def buy(
        self,
        customer: str,
        *,
        hours: Decimal | int | str,
        price: Decimal | int | str,
        currency: str,
        terms: SupportTerms | None = None,
        when: datetime | None = None,
        reference: str | None = None,
    ) -> Recorded:
        """Record a purchased block of PAYG hours; a purchase reference is recorded once."""
        terms = terms or DEFAULT_TERMS
        minutes = rules.hours_to_minutes(hours)
        amount = rules.price(price)
        code = rules.currency(currency)
        reference = rules.text(reference, "reference", 100)
        effective = _aware(when, "when") if when else self.clock()
        if terms.currency is not None and code != terms.currency:
            raise RefusedError(
                f"{customer}'s support contract is in {terms.currency}; this purchase is in {code}"
            )
        with self._writing() as session:
            row = self._lock_customer(session, customer)
            assert row is not None
            if reference is not None:
                existing = session.execute(
                    select(Entry).where(Entry.customer_id == row.id, Entry.reference == reference)
                ).scalar_one_or_none()
                if existing is not None:
                    same = (existing.minutes, existing.price, existing.currency) == (minutes, amount, code)
                    if not same:
                        raise RefusedError(
                            f"reference {reference!r} is already recorded for {customer} as #{existing.id} "
                            f"({duration(existing.minutes)} for {existing.currency} {existing.price}); "
                            "give this purchase its own reference"
                        )
                    return self._recorded(session, row, existing, terms, created=False)
            earlier = session.execute(
                select(Entry.currency).where(Entry.customer_id == row.id, Entry.kind == "purchase").limit(1)
            ).scalar_one_or_none()
            if earlier is not None and earlier != code:
                raise RefusedError(
                    f"{customer}'s earlier purchases are in {earlier}; one balance holds one currency"
                )
            entry = Entry(
                customer_id=row.id,
                kind="purchase",
                effective_at=effective,
                recorded_at=self.clock(),
                recorded_by=self.recorded_by,
                minutes=minutes,
                price=amount,
                currency=code,
                reference=reference,
                outside_contract=False,
            )
            self._add(session, entry, [_Draw("payg", minutes)])
            return self._recorded(session, row, entry, terms, created=True)

    @_logged(lambda customer, *_, **__: f"work for {customer}")
    def log(
        self,
        customer: str,
        *,
        activity_id: str,
        minutes: int,
        engineer: str,
        terms: SupportTerms | None = None,
        note: str | None = None,
        report_id: str | None = None,
        outside_contract: bool = False,
        when: datetime | None = None,
    ) -> Recorded:
        """Record work, rounded up to the contract's increment, drawn from the right bucket.

        An entry with a report id is recorded once: submitting it again returns the first one.
        """
        terms = terms or DEFAULT_TERMS
        kind = activity(activity_id)
        logged = rules.work_minutes(minutes)
        engineer_name = rules.text(engineer, "engineer", 100, required=True)
        note = rules.text(note, "note", 2000)
        report_id = rules.text(report_id, "report id", 100)
        effective = _aware(when, "when") if when else self.clock()
        billed = rules.round_up(logged, terms.rounding_minutes)
        day = effective.date()
        with self._writing() as session:
            row = self._lock_customer(session, customer)
            assert row is not None
            if report_id is not None:
                existing = session.execute(
                    select(Entry).where(Entry.customer_id == row.id, Entry.report_id == report_id)
                ).scalar_one_or_none()
                if existing is not None:
                    return self._recorded(session, row, existing, terms, created=False)
            entitlements = self._record_entitlements(session, row, terms)
            if outside_contract:
                draws = [_Draw("outside", -billed)]
            else:
                draws = self._plan(session, customer, kind, billed, day, terms, entitlements)
            self._check_payg(session, row, customer, draws, terms, effective, rounded=billed != logged)
            entry = Entry(
                customer_id=row.id,
                kind="work",
                effective_at=effective,
                recorded_at=self.clock(),
                recorded_by=self.recorded_by,
                minutes=billed,
                minutes_logged=logged,
                engineer=engineer_name,
                activity=kind.id,
                note=note,
                report_id=report_id,
                outside_contract=outside_contract,
            )
            self._add(session, entry, draws)
            return self._recorded(session, row, entry, terms, created=True)

    @_logged(lambda entry_id, *_, **__: f"void of #{entry_id}")
    def void(self, entry_id: int, *, reason: str, terms_for: TermsFor | None = None) -> Recorded:
        """Cancel an entry with a void that gives back exactly what it moved, and says why."""
        why = rules.text(reason, "reason", 2000, required=True)
        with self._writing() as session:
            customer_id = session.execute(
                select(Entry.customer_id).where(Entry.id == entry_id)
            ).scalar_one_or_none()
            if customer_id is None:
                raise NotFoundError(f"no ledger entry #{entry_id}; `atlas-health hours statement` lists them")
            row = session.execute(
                select(Customer).where(Customer.id == customer_id).with_for_update()
            ).scalar_one()
            terms = terms_for(row.name) if terms_for else DEFAULT_TERMS
            original = session.get(Entry, entry_id)
            assert original is not None
            if original.kind == "void":
                raise RefusedError(
                    f"#{entry_id} is itself a void (of #{original.voids_entry_id}); a void cannot be voided: "
                    "record the entry again instead"
                )
            already = session.execute(
                select(Entry).where(Entry.voids_entry_id == entry_id)
            ).scalar_one_or_none()
            if already is not None:
                raise RefusedError(
                    f"#{entry_id} was already voided by #{already.id} on {already.effective_at:%Y-%m-%d}"
                )
            moved = session.execute(select(Movement).where(Movement.entry_id == entry_id)).scalars().all()
            entitlements = {
                e.id: e
                for e in session.execute(
                    select(Entitlement).where(Entitlement.customer_id == row.id)
                ).scalars()
            }
            draws = [
                _Draw(m.bucket, -m.minutes, -m.days, entitlements.get(m.entitlement_id or -1)) for m in moved
            ]
            payg = sum(d.minutes for d in draws if d.bucket == "payg")
            if payg < 0 and not terms.overdraft:
                left = self._payg(session, row.id)
                if left + payg < 0:
                    raise RefusedError(
                        f"voiding #{entry_id} would leave {row.name}'s PAYG balance at "
                        f"{duration(left + payg)} and overdraft is off: record the corrected purchase first, "
                        "or void the work it paid for"
                    )
            void = Entry(
                customer_id=row.id,
                kind="void",
                effective_at=self.clock(),
                recorded_at=self.clock(),
                recorded_by=self.recorded_by,
                minutes=original.minutes,
                activity=original.activity,
                voids_entry_id=original.id,
                reason=why,
                outside_contract=original.outside_contract,
            )
            self._add(session, void, draws)
            return self._recorded(session, row, void, terms, created=True)

    # --- rules --------------------------------------------------------------------------------

    def _record_entitlements(
        self, session: Session, row: Customer, terms: SupportTerms
    ) -> dict[tuple[str, date], Entitlement]:
        """The contract's add-on periods as recorded in the ledger (recording new ones); a period
        once recorded never changes, so what it granted stays auditable."""
        insert = self._insert(session)
        for term in terms.addons:
            session.execute(
                insert(Entitlement)
                .values(
                    customer_id=row.id,
                    addon=term.addon,
                    period_start=term.start,
                    period_end=term.end,
                    minutes=term.minutes,
                    days=term.days,
                    recorded_at=self.clock(),
                    recorded_by=self.recorded_by,
                )
                .on_conflict_do_nothing(index_elements=["customer_id", "addon", "period_start"])
            )
        recorded = {
            (e.addon, e.period_start): e
            for e in session.execute(select(Entitlement).where(Entitlement.customer_id == row.id)).scalars()
        }
        for term in terms.addons:
            have = recorded[(term.addon, term.start)]
            if (have.period_end, have.minutes, have.days) != (term.end, term.minutes, term.days):
                raise RefusedError(
                    f"{row.name}'s {term.addon} add-on from {term.start} is recorded as "
                    f"{_grant(have.addon, have.period_end, have.minutes, have.days)}; the configuration now "
                    "says "
                    f"{_grant(term.addon, term.end, term.minutes, term.days)}: a recorded period does not "
                    "change, so start a new period instead"
                )
        return recorded

    def _plan(
        self,
        session: Session,
        customer: str,
        kind: Activity,
        billed: int,
        day: date,
        terms: SupportTerms,
        entitlements: dict[tuple[str, date], Entitlement],
    ) -> list[_Draw]:
        """Which buckets the work draws on, by the package that covers its activity."""

        def recorded(term: AddOnTerm) -> Entitlement:
            return entitlements[(term.addon, term.start)]

        package = kind.package
        if package is Package.ADMINISTRATION and terms.active("administration", day) is None:
            raise RefusedError(
                f"{customer} has no Administration add-on on {day}: {kind.id} ({kind.title}) is not "
                "covered by standard PAYG; add the add-on to the customer's support.addons, or log it "
                "with --outside-contract to bill it outside the contract"
            )
        if package is Package.UPGRADES and (term := terms.active("upgrades", day)) is not None:
            bucket = recorded(term)
            left = bucket.minutes + self._used(session, bucket.id, "minutes")
            take = max(0, min(left, billed))
            draws = [_Draw("upgrades", -take, 0, bucket)] if take else []
            if billed > take:
                draws.append(_Draw("payg", take - billed))
            return draws
        if package is Package.HEALTH_CHECK and (term := terms.active("health_check", day)) is not None:
            bucket = recorded(term)
            if bucket.days + self._used(session, bucket.id, "days") > 0:
                return [_Draw("health_check", -billed, -1, bucket)]
        return [_Draw("payg", -billed)]

    def _check_payg(
        self,
        session: Session,
        row: Customer,
        customer: str,
        draws: list[_Draw],
        terms: SupportTerms,
        effective: datetime,
        rounded: bool,
    ) -> None:
        """Work is paid from the hours bought by the time it was done: the balance then, and at every
        later entry (which the new one lowers too), must cover it."""
        needed = -sum(d.minutes for d in draws if d.bucket == "payg")
        if needed <= 0 or terms.overdraft:
            return
        left = self._payg_from(session, row.id, effective)
        if left - needed < 0:
            steps = f" (rounded up to {terms.rounding_minutes}-minute steps)" if rounded else ""
            when = "" if left == self._payg(session, row.id) else f" from {effective:%Y-%m-%d} on"
            raise RefusedError(
                f"{customer} has {duration(left)} of PAYG hours left{when} and this entry needs "
                f"{duration(needed)}{steps}; buy hours (atlas-health hours buy {customer} ...) or allow "
                "overdraft (support.overdraft: true)"
            )

    def _add(self, session: Session, entry: Entry, draws: list[_Draw]) -> None:
        session.add(entry)
        session.flush()  # the entry's id, for its movements
        for draw in draws:
            session.add(
                Movement(
                    entry_id=entry.id,
                    bucket=draw.bucket,
                    entitlement_id=draw.entitlement.id if draw.entitlement else None,
                    minutes=draw.minutes,
                    days=draw.days,
                )
            )
        session.flush()

    # --- reads --------------------------------------------------------------------------------

    def _payg(self, session: Session, customer_id: int) -> int:
        total = session.execute(
            select(func.coalesce(func.sum(Movement.minutes), 0))
            .join(Entry, Entry.id == Movement.entry_id)
            .where(Entry.customer_id == customer_id, Movement.bucket == "payg")
        ).scalar_one()
        return int(total)

    def _payg_from(self, session: Session, customer_id: int, at: datetime) -> int:
        """The lowest PAYG balance from ``at`` on: at ``at`` (every entry effective by then counted),
        and after each entry effective later."""
        payg = (Entry.customer_id == customer_id, Movement.bucket == "payg")
        before = session.execute(
            select(func.coalesce(func.sum(Movement.minutes), 0))
            .join(Entry, Entry.id == Movement.entry_id)
            .where(*payg, Entry.effective_at <= at)
        ).scalar_one()
        later = session.execute(
            select(func.sum(Movement.minutes))
            .join(Entry, Entry.id == Movement.entry_id)
            .where(*payg, Entry.effective_at > at)
            .group_by(Entry.id, Entry.effective_at)
            .order_by(Entry.effective_at, Entry.id)
        ).scalars()
        running = lowest = int(before)
        for minutes in later:
            running += int(minutes)
            lowest = min(lowest, running)
        return lowest

    def _used(self, session: Session, entitlement_id: int, column: str) -> int:
        total = session.execute(
            select(func.coalesce(func.sum(getattr(Movement, column)), 0)).where(
                Movement.entitlement_id == entitlement_id
            )
        ).scalar_one()
        return int(total)

    def _recorded(
        self, session: Session, row: Customer, entry: Entry, terms: SupportTerms, created: bool
    ) -> Recorded:
        view = self._views(session, [entry], row.name)[0]
        return Recorded(entry=view, created=created, balance=self._balance(session, row, terms))

    def _balance(
        self,
        session: Session,
        row: Customer | None,
        terms: SupportTerms,
        before: datetime | None = None,
        name: str | None = None,
    ) -> Balance:
        """Sums of movements, each counted by the kind of entry it comes from (a void's by the kind of
        the entry it cancels), so "purchased" and "used" stay net of voids."""
        customer = row.name if row else (name or "")
        sums: dict[tuple[str, int | None], tuple[int, int]] = {}
        by_origin: dict[tuple[str, str], int] = {}
        last_purchase: int | None = None
        currency = terms.currency
        if row is not None:
            scope = [Entry.customer_id == row.id]
            if before is not None:
                scope.append(Entry.effective_at < before)
            origin = aliased(Entry)
            origin_kind = func.coalesce(origin.kind, Entry.kind)
            query = (
                select(
                    Movement.bucket,
                    Movement.entitlement_id,
                    origin_kind,
                    func.sum(Movement.minutes),
                    func.sum(Movement.days),
                )
                .join(Entry, Entry.id == Movement.entry_id)
                .outerjoin(origin, origin.id == Entry.voids_entry_id)
                .where(*scope)
                .group_by(Movement.bucket, Movement.entitlement_id, origin_kind)
            )
            for bucket, entitlement_id, kind, minutes, days in session.execute(query):
                have = sums.get((bucket, entitlement_id), (0, 0))
                sums[(bucket, entitlement_id)] = (have[0] + int(minutes or 0), have[1] + int(days or 0))
                by_origin[(bucket, kind)] = by_origin.get((bucket, kind), 0) + int(minutes or 0)
            void = aliased(Entry)
            cancelled = select(void.id).where(void.voids_entry_id == Entry.id)
            if before is not None:
                cancelled = cancelled.where(void.effective_at < before)
            last = session.execute(
                select(Entry.minutes, Entry.currency)
                .where(*scope, Entry.kind == "purchase", ~cancelled.exists())
                .order_by(Entry.effective_at.desc(), Entry.id.desc())
                .limit(1)
            ).first()
            if last is not None:
                last_purchase, currency = int(last[0]), currency or last[1]
        addons = self._addon_balances(session, row, terms, sums)
        return Balance(
            customer=customer,
            currency=currency,
            purchased_minutes=by_origin.get(("payg", "purchase"), 0),
            used_minutes=-by_origin.get(("payg", "work"), 0),
            outside_minutes=-sum(m for (bucket, _), (m, _d) in sums.items() if bucket == "outside"),
            last_purchase_minutes=last_purchase,
            addons=addons,
            overdraft=terms.overdraft,
            low_threshold_minutes=low_threshold(
                terms.low_balance_minutes, terms.low_balance_percent, last_purchase
            ),
            as_of=before,
        )

    def _addon_balances(
        self,
        session: Session,
        row: Customer | None,
        terms: SupportTerms,
        sums: dict[tuple[str, int | None], tuple[int, int]],
    ) -> tuple[AddOnBalance, ...]:
        recorded: dict[tuple[str, date], int] = {}
        if row is not None:
            for e in session.execute(select(Entitlement).where(Entitlement.customer_id == row.id)).scalars():
                recorded[(e.addon, e.period_start)] = e.id
        out = []
        for term in terms.addons:
            entitlement_id = recorded.get((term.addon, term.start))
            used_minutes = used_days = 0
            if entitlement_id is not None:
                minutes, days = sums.get((term.addon, entitlement_id), (0, 0))
                used_minutes, used_days = -minutes, -days
            out.append(
                AddOnBalance(
                    addon=term.addon,
                    start=term.start,
                    end=term.end,
                    granted_minutes=term.minutes,
                    used_minutes=used_minutes,
                    granted_days=term.days,
                    used_days=used_days,
                )
            )
        return tuple(out)

    def _views(self, session: Session, entries: list[Entry], customer: str) -> list[EntryView]:
        if not entries:
            return []
        ids = [e.id for e in entries]
        movements: dict[int, list[Movement]] = {i: [] for i in ids}
        for m in session.execute(
            select(Movement).where(Movement.entry_id.in_(ids)).order_by(Movement.id)
        ).scalars():
            movements[m.entry_id].append(m)
        periods = {
            e.id: (e.period_start, e.period_end)
            for e in session.execute(
                select(Entitlement).where(Entitlement.customer_id == entries[0].customer_id)
            ).scalars()
        }
        voids = select(Entry.voids_entry_id, Entry.id).where(Entry.voids_entry_id.in_(ids))
        voided_by = {row.voids_entry_id: row.id for row in session.execute(voids)}
        return [
            EntryView(
                id=e.id,
                customer=customer,
                kind=e.kind,
                effective_at=e.effective_at,
                recorded_at=e.recorded_at,
                recorded_by=e.recorded_by,
                minutes=e.minutes,
                movements=tuple(
                    MovementView(m.bucket, m.minutes, m.days, periods.get(m.entitlement_id or -1))
                    for m in movements[e.id]
                ),
                engineer=e.engineer,
                activity=e.activity,
                minutes_logged=e.minutes_logged,
                note=e.note,
                report_id=e.report_id,
                outside_contract=e.outside_contract,
                price=e.price,
                currency=e.currency,
                reference=e.reference,
                voids_entry_id=e.voids_entry_id,
                reason=e.reason,
                voided_by=voided_by.get(e.id),
            )
            for e in entries
        ]

    def balance(
        self, customer: str, terms: SupportTerms | None = None, before: datetime | None = None
    ) -> Balance:
        """The customer's balances now, or just before ``before``; zero for a customer not yet seen."""
        terms = terms or DEFAULT_TERMS
        with self._reading() as session:
            row = session.execute(select(Customer).where(Customer.name == customer)).scalar_one_or_none()
            return self._balance(session, row, terms, before=before, name=customer)

    def customers(self) -> list[str]:
        with self._reading() as session:
            return list(session.execute(select(Customer.name).order_by(Customer.name)).scalars())

    def entries(
        self, customer: str, start: datetime | None = None, end: datetime | None = None
    ) -> list[EntryView]:
        """The customer's entries effective in [start, end), oldest first."""
        with self._reading() as session:
            row = session.execute(select(Customer).where(Customer.name == customer)).scalar_one_or_none()
            if row is None:
                return []
            query = select(Entry).where(Entry.customer_id == row.id)
            if start is not None:
                query = query.where(Entry.effective_at >= start)
            if end is not None:
                query = query.where(Entry.effective_at < end)
            rows = list(session.execute(query.order_by(Entry.effective_at, Entry.id)).scalars())
            return self._views(session, rows, row.name)

    def entry(self, entry_id: int) -> EntryView:
        with self._reading() as session:
            found = session.get(Entry, entry_id)
            if found is None:
                raise NotFoundError(f"no ledger entry #{entry_id}")
            name = session.execute(select(Customer.name).where(Customer.id == found.customer_id)).scalar_one()
            return self._views(session, [found], name)[0]


def _grant(addon: str, end: date, minutes: int, days: int) -> str:
    what = {"upgrades": f" with {duration(minutes)}", "health_check": f" with {days} day(s)"}.get(addon, "")
    return f"until {end}{what}"
