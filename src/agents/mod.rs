//! AI coding agents: how to tell one is running ([`env`]) and how each one's hook protocol
//! asks and is answered ([`protocol`]).

pub mod env;
pub mod protocol;
