//! The Calendly webhook receiver: verify the signature over the exact received bytes, store the
//! delivery in the inbox (committed before the 2xx), then apply it through the sync path after
//! the ack. Listener and shutdown come from the caller; the receiver binds nothing itself.

pub mod admission;
pub mod deadline;
pub mod process;
pub mod processor;
pub mod ratelimit;
pub mod refusals;
pub mod routes;
pub mod server;
pub mod verify;
pub mod writer;

pub use admission::AdmissionLimits;
pub use process::{process_due, ProcessError, ProcessReport, ProcessorConfig};
pub use ratelimit::RateLimit;
pub use routes::PATH;
pub use server::{Receiver, ReceiverConfig, ServerError};
pub use verify::SigningKeys;
pub use verify::{KeyLabel, SignatureError};
pub use writer::{WriterConfig, WriterCounters};
