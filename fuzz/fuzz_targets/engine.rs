//! The engine the targets that check claims share: every default rule, a fixed "today" so a
//! crash reproduces on any day.
use cleanclaim::{Date, Engine};
use std::sync::OnceLock;

pub fn engine() -> &'static Engine {
    static E: OnceLock<Engine> = OnceLock::new();
    E.get_or_init(|| Engine::builder().as_of(Date::new(2026, 11, 30).unwrap()).build().unwrap())
}
