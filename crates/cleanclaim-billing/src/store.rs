//! The SQLite store of a practice: claims, lifecycle events, ledger entries, balances,
//! postings, remittances and provider-level adjustments.
//!
//! * **Migrations**: [`MIGRATIONS`] is applied in order; `PRAGMA user_version` holds the number
//!   applied and `schema_migrations` logs when. A file from a newer library is refused.
//! * **Transactions**: every write (a whole 835 file, a claim update) is one `BEGIN IMMEDIATE`
//!   transaction, so a crash leaves all of it or none of it.
//! * **Concurrency**: WAL journal, one writer (IMMEDIATE transactions serialise writers; a
//!   busy timeout waits for the lock) and many readers ([`Store::open_readonly`]), each read
//!   in its own snapshot.
//!
//! The domain logic lives in [`Ledger`]: a write loads the claims it touches into a small
//! ledger, applies the change there, and writes back only what is new.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;
use std::time::Duration;

use cleanclaim::{Date, Money};
use cleanclaim_x12::r835::Remittance;
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, TransactionBehavior, params};

use crate::error::Error;
use crate::ledger::{
    ClaimAccount, Entry, Ledger, PostOptions, Posting, ProviderAdjustment, RemitSummary, RemittanceRecord,
};

/// Schema migrations, in order. Never edit one that has shipped; append.
pub const MIGRATIONS: &[&str] = &[
    // 1: the tables.
    "CREATE TABLE claims (
        claim_id TEXT PRIMARY KEY,
        patient TEXT NOT NULL,
        payer TEXT,
        rendering TEXT,
        state TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE TABLE events (
        claim_id TEXT NOT NULL REFERENCES claims(claim_id),
        seq INTEGER NOT NULL,
        from_state TEXT NOT NULL,
        to_state TEXT NOT NULL,
        date TEXT NOT NULL,
        source_kind TEXT NOT NULL,
        source_id TEXT NOT NULL,
        reason TEXT NOT NULL,
        PRIMARY KEY (claim_id, seq)
    );
    CREATE TABLE entries (
        claim_id TEXT NOT NULL REFERENCES claims(claim_id),
        seq INTEGER NOT NULL,
        line INTEGER,
        kind TEXT NOT NULL,
        amount INTEGER NOT NULL,
        date TEXT NOT NULL,
        posting TEXT,
        doc TEXT NOT NULL,
        PRIMARY KEY (claim_id, seq)
    );
    CREATE TABLE balances (
        claim_id TEXT NOT NULL REFERENCES claims(claim_id),
        line INTEGER NOT NULL,
        charges INTEGER NOT NULL,
        payments INTEGER NOT NULL,
        adjustments INTEGER NOT NULL,
        insurance INTEGER NOT NULL,
        patient INTEGER NOT NULL,
        PRIMARY KEY (claim_id, line)
    );
    CREATE TABLE remittances (
        key TEXT PRIMARY KEY,
        trace TEXT,
        payer TEXT,
        amount INTEGER NOT NULL,
        date TEXT NOT NULL,
        doc TEXT NOT NULL
    );
    CREATE TABLE postings (
        key TEXT PRIMARY KEY,
        remittance TEXT NOT NULL REFERENCES remittances(key),
        claim_id TEXT NOT NULL REFERENCES claims(claim_id),
        doc TEXT NOT NULL
    );
    CREATE TABLE provider_adjustments (
        remittance TEXT NOT NULL REFERENCES remittances(key),
        idx INTEGER NOT NULL,
        doc TEXT NOT NULL,
        amount INTEGER NOT NULL,
        PRIMARY KEY (remittance, idx)
    );",
    // 2: look-ups by claim and by remittance.
    "CREATE INDEX postings_claim ON postings(claim_id);
    CREATE INDEX postings_remittance ON postings(remittance);
    CREATE INDEX entries_posting ON entries(posting);",
];

/// A practice's billing database.
pub struct Store {
    conn: Connection,
    hook: Option<RowHook>,
}

struct RowHook {
    after: u64,
    rows: u64,
    f: Box<dyn FnMut() + Send>,
}

impl fmt::Debug for Store {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Store").field("path", &self.conn.path()).finish_non_exhaustive()
    }
}

fn date_str(d: Date) -> String {
    d.to_string()
}

impl Store {
    /// Opens (creating if needed) a database file for reading and writing, in WAL mode, and
    /// migrates it to the current schema.
    pub fn open(path: impl AsRef<Path>) -> Result<Store, Error> {
        let conn = Connection::open(path)?;
        Store::setup(conn, true)
    }

    /// An in-memory database (tests, one-off reconciliations).
    pub fn open_in_memory() -> Result<Store, Error> {
        Store::setup(Connection::open_in_memory()?, true)
    }

    /// Opens an existing database read-only: one of the many readers beside the writer.
    pub fn open_readonly(path: impl AsRef<Path>) -> Result<Store, Error> {
        let conn =
            Connection::open_with_flags(path, OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX)?;
        Store::setup(conn, false)
    }

    fn setup(conn: Connection, write: bool) -> Result<Store, Error> {
        conn.busy_timeout(Duration::from_secs(30))?;
        conn.pragma_update(None, "foreign_keys", true)?;
        if write {
            // WAL lets readers keep reading their snapshot while the writer commits.
            let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
            // FULL: a commit survives power loss, not only a process crash.
            conn.pragma_update(None, "synchronous", "FULL")?;
        }
        let mut store = Store { conn, hook: None };
        if write {
            store.migrate()?;
        } else {
            let v = store.schema_version()?;
            if v > MIGRATIONS.len() as i64 {
                return Err(Error::SchemaTooNew { found: v, supported: MIGRATIONS.len() as i64 });
            }
        }
        Ok(store)
    }

    /// `PRAGMA user_version`: the number of migrations applied.
    pub fn schema_version(&self) -> Result<i64, Error> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    fn migrate(&mut self) -> Result<(), Error> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let v: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let supported = MIGRATIONS.len() as i64;
        if v > supported {
            return Err(Error::SchemaTooNew { found: v, supported });
        }
        tx.execute_batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied TEXT NOT NULL)",
        )?;
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(v as usize) {
            tx.execute_batch(sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, applied) VALUES (?1, datetime('now'))",
                params![i as i64 + 1],
            )?;
        }
        tx.pragma_update(None, "user_version", supported)?;
        tx.commit()?;
        Ok(())
    }

    /// Test hook: after `after` rows written in a transaction, call `f` (which may sleep or
    /// abort) before the transaction commits. For crash tests only.
    #[doc(hidden)]
    pub fn set_row_hook(&mut self, after: u64, f: Box<dyn FnMut() + Send>) {
        self.hook = Some(RowHook { after, rows: 0, f });
    }

    /// Adds a new claim account (with its charge entries and lifecycle).
    pub fn add_claim(&mut self, acc: &ClaimAccount) -> Result<(), Error> {
        acc.verify()?;
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        if load_claim(&tx, &acc.claim_id)?.is_some() {
            return Err(Error::ClaimExists(acc.claim_id.clone()));
        }
        let mut acc = acc.clone();
        write_claim(&tx, &mut acc, None, &mut self.hook)?;
        tx.commit()?;
        Ok(())
    }

    /// A claim account with its entries.
    pub fn claim(&self, id: &str) -> Result<ClaimAccount, Error> {
        let tx = self.conn.unchecked_transaction()?;
        load_claim(&tx, id)?.ok_or_else(|| Error::ClaimNotFound(id.to_string()))
    }

    /// Changes one claim in a transaction: lifecycle moves, patient payments, transfers,
    /// write-offs. The claim is verified before it is written; an error writes nothing.
    pub fn update_claim<T>(
        &mut self,
        id: &str,
        f: impl FnOnce(&mut ClaimAccount) -> Result<T, Error>,
    ) -> Result<T, Error> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut acc = load_claim(&tx, id)?.ok_or_else(|| Error::ClaimNotFound(id.to_string()))?;
        let before = (acc.entries.len(), acc.lifecycle.history.len());
        let out = f(&mut acc)?;
        acc.verify()?;
        write_claim(&tx, &mut acc, Some(before), &mut self.hook)?;
        tx.commit()?;
        Ok(out)
    }

    /// Posts every remittance of an 835 file in one transaction.
    pub fn post_remittances(&mut self, rs: &[Remittance], opts: PostOptions) -> Result<Vec<RemitSummary>, Error> {
        self.post_remittances_read(rs.iter().map(Ok::<_, Error>), opts)
    }

    /// [`post_remittances`](Self::post_remittances) of remittances posted as they are read
    /// (a [`Reader835`](cleanclaim_x12::Reader835)), so that a large 835 is never held whole:
    /// still one transaction, which an error of the reader's rolls back like any other, so
    /// that an 835 posts entirely or not at all.
    pub fn post_remittances_read<T, E>(
        &mut self,
        rs: impl IntoIterator<Item = Result<T, E>>,
        opts: PostOptions,
    ) -> Result<Vec<RemitSummary>, Error>
    where
        T: std::borrow::Borrow<Remittance>,
        Error: From<E>,
    {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let mut out = Vec::new();
        for r in rs {
            out.push(post_one(&tx, r?.borrow(), opts, &mut self.hook)?);
        }
        tx.commit()?;
        Ok(out)
    }

    /// The whole ledger, read in one snapshot.
    pub fn load_ledger(&self) -> Result<Ledger, Error> {
        let tx = self.conn.unchecked_transaction()?;
        read_ledger(&tx)
    }

    /// Checks the whole database: every claim conserves money and matches its entries, the
    /// balances table matches the claims, every posting's entries exist, and every remittance
    /// is complete (all its claim payments posted).
    pub fn verify(&self) -> Result<Ledger, Error> {
        let tx = self.conn.unchecked_transaction()?;
        let ledger = read_ledger(&tx)?;
        ledger.verify()?;
        let mut table: BTreeMap<(String, i64), [i64; 5]> = BTreeMap::new();
        let mut st =
            tx.prepare("SELECT claim_id, line, charges, payments, adjustments, insurance, patient FROM balances")?;
        let rows = st
            .query_map([], |r| Ok(((r.get(0)?, r.get(1)?), [r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?])))?;
        for row in rows {
            let (k, v) = row?;
            table.insert(k, v);
        }
        let mut expect = BTreeMap::new();
        for c in ledger.claims.values() {
            for (line, b) in c.lines.iter().map(|l| (i64::from(l.number), l.balance)).chain([(0, c.claim_level)]) {
                expect.insert(
                    (c.claim_id.clone(), line),
                    [b.charges.0, b.payments.0, b.adjustments.0, b.insurance.0, b.patient.0],
                );
            }
        }
        if table != expect {
            return Err(Error::Ledger("balances table does not match the claims".into()));
        }
        for r in ledger.remittances.values() {
            let posted = ledger.postings.values().filter(|p| p.remittance == r.key).count();
            if posted != r.claims {
                return Err(Error::Ledger(format!("remittance {} is half posted ({posted} of {})", r.key, r.claims)));
            }
        }
        Ok(ledger)
    }
}

fn read_ledger(tx: &Transaction<'_>) -> Result<Ledger, Error> {
    let mut l = Ledger::new();
    let ids: Vec<String> = tx
        .prepare("SELECT claim_id FROM claims ORDER BY claim_id")?
        .query_map([], |r| r.get(0))?
        .collect::<Result<_, _>>()?;
    for id in ids {
        if let Some(c) = load_claim(tx, &id)? {
            l.claims.insert(id, c);
        }
    }
    for doc in query_docs(tx, "SELECT doc FROM postings", [])? {
        let p: Posting = serde_json::from_str(&doc)?;
        l.postings.insert(p.key.clone(), p);
    }
    for doc in query_docs(tx, "SELECT doc FROM remittances", [])? {
        let r: RemittanceRecord = serde_json::from_str(&doc)?;
        l.remittances.insert(r.key.clone(), r);
    }
    for doc in query_docs(tx, "SELECT doc FROM provider_adjustments ORDER BY remittance, idx", [])? {
        l.provider_adjustments.push(serde_json::from_str(&doc)?);
    }
    Ok(l)
}

fn query_docs<P: rusqlite::Params>(tx: &Transaction<'_>, sql: &str, p: P) -> Result<Vec<String>, Error> {
    // Cached: posting asks the same few questions of every claim it pays.
    Ok(tx.prepare_cached(sql)?.query_map(p, |r| r.get(0))?.collect::<Result<_, _>>()?)
}

fn load_claim(tx: &Transaction<'_>, id: &str) -> Result<Option<ClaimAccount>, Error> {
    let doc: Option<String> = tx
        .prepare_cached("SELECT doc FROM claims WHERE claim_id = ?1")?
        .query_row(params![id], |r| r.get(0))
        .optional()?;
    let Some(doc) = doc else { return Ok(None) };
    let mut acc: ClaimAccount = serde_json::from_str(&doc)?;
    for e in query_docs(tx, "SELECT doc FROM entries WHERE claim_id = ?1 ORDER BY seq", params![id])? {
        acc.entries.push(serde_json::from_str::<Entry>(&e)?);
    }
    Ok(Some(acc))
}

fn bump(hook: &mut Option<RowHook>) {
    if let Some(h) = hook {
        h.rows += 1;
        if h.rows == h.after {
            (h.f)();
        }
    }
}

/// Writes what is new in `acc`: the header, entries and events after `before`
/// (entries, events) counts, and every balance row.
fn write_claim(
    tx: &Transaction<'_>,
    acc: &mut ClaimAccount,
    before: Option<(usize, usize)>,
    hook: &mut Option<RowHook>,
) -> Result<(), Error> {
    let entries = std::mem::take(&mut acc.entries);
    let doc = serde_json::to_string(&acc);
    acc.entries = entries;
    let doc = doc?;
    let state = acc.lifecycle.state.as_str();
    if before.is_none() {
        tx.prepare_cached(
            "INSERT INTO claims (claim_id, patient, payer, rendering, state, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![acc.claim_id, acc.patient, acc.payer, acc.rendering, state, doc])?;
    } else {
        tx.prepare_cached("UPDATE claims SET state = ?2, doc = ?3 WHERE claim_id = ?1")?.execute(params![
            acc.claim_id,
            state,
            doc
        ])?;
    }
    bump(hook);
    let (e0, h0) = before.unwrap_or((0, 0));
    let mut ins = tx.prepare_cached(
        "INSERT INTO entries (claim_id, seq, line, kind, amount, date, posting, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, e) in acc.entries.iter().enumerate().skip(e0) {
        ins.execute(params![
            acc.claim_id,
            i as i64,
            e.line.map(i64::from),
            e.kind.as_str(),
            e.amount.0,
            date_str(e.date),
            e.posting,
            serde_json::to_string(e)?
        ])?;
        bump(hook);
    }
    let mut ev = tx.prepare_cached(
        "INSERT INTO events (claim_id, seq, from_state, to_state, date, source_kind, source_id, reason)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?;
    for (i, t) in acc.lifecycle.history.iter().enumerate().skip(h0) {
        ev.execute(params![
            acc.claim_id,
            i as i64,
            t.from.as_str(),
            t.to.as_str(),
            date_str(t.date),
            t.source.kind.as_str(),
            t.source.id,
            t.reason
        ])?;
        bump(hook);
    }
    let mut bal = tx.prepare_cached(
        "INSERT INTO balances (claim_id, line, charges, payments, adjustments, insurance, patient)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT (claim_id, line) DO UPDATE SET charges = ?3, payments = ?4, adjustments = ?5,
         insurance = ?6, patient = ?7",
    )?;
    for (line, b) in acc.lines.iter().map(|l| (i64::from(l.number), l.balance)).chain([(0, acc.claim_level)]) {
        bal.execute(params![
            acc.claim_id,
            line,
            b.charges.0,
            b.payments.0,
            b.adjustments.0,
            b.insurance.0,
            b.patient.0
        ])?;
        bump(hook);
    }
    Ok(())
}

fn post_one(
    tx: &Transaction<'_>,
    r: &Remittance,
    opts: PostOptions,
    hook: &mut Option<RowHook>,
) -> Result<RemitSummary, Error> {
    let key = crate::ledger::remittance_key(r);
    let mut ledger = Ledger::new();
    let ids: BTreeSet<&str> = r.claims.iter().map(|c| c.patient_control_number.as_str()).collect();
    let mut before: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    for id in &ids {
        if let Some(acc) = load_claim(tx, id)? {
            before.insert(id.to_string(), (acc.entries.len(), acc.lifecycle.history.len()));
            ledger.claims.insert(id.to_string(), acc);
        }
        for doc in query_docs(tx, "SELECT doc FROM postings WHERE claim_id = ?1", params![id])? {
            let p: Posting = serde_json::from_str(&doc)?;
            ledger.postings.insert(p.key.clone(), p);
        }
    }
    // Totals for the summary span every claim this remittance paid.
    for doc in query_docs(tx, "SELECT doc FROM postings WHERE remittance = ?1", params![key])? {
        let p: Posting = serde_json::from_str(&doc)?;
        if !ledger.claims.contains_key(&p.claim_id)
            && let Some(acc) = load_claim(tx, &p.claim_id)?
        {
            before.insert(p.claim_id.clone(), (acc.entries.len(), acc.lifecycle.history.len()));
            ledger.claims.insert(p.claim_id.clone(), acc);
        }
        ledger.postings.insert(p.key.clone(), p);
    }
    let had_remit: bool = tx
        .query_row("SELECT doc FROM remittances WHERE key = ?1", params![key], |r| r.get::<_, String>(0))
        .optional()?
        .is_some();
    for doc in query_docs(tx, "SELECT doc FROM provider_adjustments WHERE remittance = ?1", params![key])? {
        ledger.provider_adjustments.push(serde_json::from_str::<ProviderAdjustment>(&doc)?);
    }
    let old_postings: BTreeMap<String, Posting> = ledger.postings.clone();
    let old_plb = ledger.provider_adjustments.len();
    let summary = ledger.post_remittance(r, opts)?;
    if !had_remit && let Some(rec) = ledger.remittances.get(&key) {
        tx.execute(
            "INSERT INTO remittances (key, trace, payer, amount, date, doc) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![
                rec.key,
                rec.trace_number,
                rec.payer,
                rec.amount.0,
                date_str(rec.date),
                serde_json::to_string(rec)?
            ],
        )?;
        bump(hook);
    }
    for acc in ledger.claims.values_mut() {
        let b = before.get(&acc.claim_id).copied();
        if b == Some((acc.entries.len(), acc.lifecycle.history.len())) {
            continue;
        }
        write_claim(tx, acc, b, hook)?;
    }
    for (k, p) in &ledger.postings {
        if old_postings.get(k) == Some(p) {
            continue;
        }
        tx.prepare_cached(
            "INSERT INTO postings (key, remittance, claim_id, doc) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (key) DO UPDATE SET doc = ?4",
        )?
        .execute(params![p.key, p.remittance, p.claim_id, serde_json::to_string(p)?])?;
        bump(hook);
    }
    for a in &ledger.provider_adjustments[old_plb..] {
        tx.execute(
            "INSERT INTO provider_adjustments (remittance, idx, doc, amount) VALUES (?1, ?2, ?3, ?4)",
            params![a.remittance, a.index as i64, serde_json::to_string(a)?, a.amount.0],
        )?;
        bump(hook);
    }
    Ok(summary)
}

/// Σ of open balances in the store, straight from the balances table (a cheap reader query).
pub fn open_balance(store: &Store) -> Result<Money, Error> {
    Ok(Money(store.conn.query_row("SELECT COALESCE(SUM(insurance + patient), 0) FROM balances", [], |r| r.get(0))?))
}
